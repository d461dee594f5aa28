import crypto from 'node:crypto';

/**
 * Coupa's server-side sessions. Each authenticated request uses up one of the session's
 * allowance (`sessionMaxRequests`, 0 = unlimited) so that a long run has to sign in again
 * mid-way, as it does against a real tenant whose sessions time out.
 */
export class CoupaSessions {
  private readonly sessions = new Map<string, { user: string; requests: number }>();

  create(user: string): string {
    const id = crypto.randomBytes(24).toString('hex');
    this.sessions.set(id, { user, requests: 0 });
    return id;
  }

  /** The session's user, counting this request; undefined for unknown or used-up sessions. */
  use(id: string | undefined, maxRequests: number): string | undefined {
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session || id === undefined) return undefined;
    if (maxRequests > 0 && session.requests >= maxRequests) {
      this.sessions.delete(id);
      return undefined;
    }
    session.requests++;
    return session.user;
  }
}
