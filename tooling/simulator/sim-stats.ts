/**
 * What the simulator has seen, for tests to assert on (directly or via GET /__sim/stats).
 * The per-PO page and per-attachment download counters also drive the fault injection
 * ("first n requests"), so resetting the stats replays every fault from the start.
 */
export interface SimStats {
  /** Coupa requests per path (without query), including redirects and errors; /__sim/* excluded. */
  requestsByPath: Record<string, number>;
  /** Identity provider requests per path. */
  idpRequestsByPath: Record<string, number>;
  /** Authenticated PO page requests per PO id. */
  poPageRequests: Record<string, number>;
  /** Authenticated requisition page requests per requisition id. */
  requisitionPageRequests: Record<string, number>;
  /** Downloads whose headers were sent, per attachment id. */
  downloadsStarted: Record<string, number>;
  /** Downloads whose whole body was handed to the client, per attachment id. */
  downloadsCompleted: Record<string, number>;
  /** Downloads deliberately cut off mid-body, per attachment id. */
  downloadsCutOff: Record<string, number>;
  /** Coupa requests in progress right now (hung pages and streaming downloads included). */
  concurrentRequests: number;
  maxConcurrentRequests: number;
  sessionsIssued: number;
  signIns: number;
  ssoBounces: number;
  unauthenticatedRedirects: number;
  /** Requests to the storage host (storage-host mode), and how many of them carried a Cookie header. */
  storageRequests: number;
  storageRequestsWithCookies: number;
  /** Every signature the tenant put into a storage URL, so tests can check none of them was written anywhere. */
  storageSignatures: string[];
}

type Counter = Map<string, number>;

function bump(counter: Counter, key: string): number {
  const value = (counter.get(key) ?? 0) + 1;
  counter.set(key, value);
  return value;
}

export class StatsRecorder {
  private requests: Counter = new Map();
  private idpRequests: Counter = new Map();
  private poPages: Counter = new Map();
  private requisitionPages: Counter = new Map();
  private started: Counter = new Map();
  private completed: Counter = new Map();
  private cutOff: Counter = new Map();
  private concurrent = 0;
  private maxConcurrent = 0;
  sessionsIssued = 0;
  signIns = 0;
  ssoBounces = 0;
  unauthenticatedRedirects = 0;
  private storage = { requests: 0, withCookies: 0, signatures: [] as string[] };

  /** Counts a Coupa request as in progress until `done` is called (once, on response close). */
  coupaRequest(path: string): () => void {
    bump(this.requests, path);
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.concurrent--;
    };
  }

  idpRequest(path: string): void {
    bump(this.idpRequests, path);
  }

  /** Returns how many times this PO page has been requested, this one included. */
  poPage(id: string): number {
    return bump(this.poPages, id);
  }

  requisitionPage(id: string): number {
    return bump(this.requisitionPages, id);
  }

  /** Returns the attempt number of this download, starting at 1. */
  downloadStarted(id: string): number {
    return bump(this.started, id);
  }

  downloadCompleted(id: string): void {
    bump(this.completed, id);
  }

  downloadCutOff(id: string): void {
    bump(this.cutOff, id);
  }

  storageRequest(withCookie: boolean): void {
    this.storage.requests++;
    if (withCookie) this.storage.withCookies++;
  }

  storageSignatureIssued(signature: string): void {
    this.storage.signatures.push(signature);
  }

  /** Clears everything except the requests still in progress, which will still report their end. */
  reset(): void {
    for (const counter of [this.requests, this.idpRequests, this.poPages, this.requisitionPages, this.started, this.completed, this.cutOff]) counter.clear();
    this.maxConcurrent = this.concurrent;
    this.sessionsIssued = this.signIns = this.ssoBounces = this.unauthenticatedRedirects = 0;
    this.storage = { requests: 0, withCookies: 0, signatures: [] };
  }

  snapshot(): SimStats {
    const plain = (counter: Counter) => Object.fromEntries(counter);
    return {
      requestsByPath: plain(this.requests),
      idpRequestsByPath: plain(this.idpRequests),
      poPageRequests: plain(this.poPages),
      requisitionPageRequests: plain(this.requisitionPages),
      downloadsStarted: plain(this.started),
      downloadsCompleted: plain(this.completed),
      downloadsCutOff: plain(this.cutOff),
      concurrentRequests: this.concurrent,
      maxConcurrentRequests: this.maxConcurrent,
      sessionsIssued: this.sessionsIssued,
      signIns: this.signIns,
      ssoBounces: this.ssoBounces,
      unauthenticatedRedirects: this.unauthenticatedRedirects,
      storageRequests: this.storage.requests,
      storageRequestsWithCookies: this.storage.withCookies,
      storageSignatures: [...this.storage.signatures],
    };
  }
}
