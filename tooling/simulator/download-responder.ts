import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachmentContent } from './attachment-content.js';
import type { SimAttachment } from './catalogue-model.js';
import { downloadHeaders } from './download-headers.js';
import { pause } from './http-helpers.js';
import type { RuntimeOptions } from './simulator-options.js';
import type { StatsRecorder } from './sim-stats.js';

interface Pacing {
  chunkBytes: number;
  delayMs: number;
}

const UNPACED_CHUNK = 64 * 1024;

/**
 * Serves one attachment with its configured headers and faults. A cut-off download
 * announces the full Content-Length, sends half the body and drops the connection, which
 * is what a client sees when a proxy or the network breaks a transfer.
 */
export async function sendAttachment(
  req: IncomingMessage,
  res: ServerResponse,
  attachment: SimAttachment,
  context: { options: RuntimeOptions; stats: StatsRecorder; signal: AbortSignal },
): Promise<void> {
  const headers = { ...downloadHeaders(attachment), 'Cache-Control': 'private, no-store' };
  if (req.method === 'HEAD') {
    res.writeHead(200, headers);
    res.end();
    return;
  }
  const attempt = context.stats.downloadStarted(attachment.id);
  if (!(await pause(context.options.downloadLatencyMs, context.signal))) return;
  const faults = attachment.faults ?? {};
  const cutOff = faults.alwaysCutOff === true || attempt <= (faults.cutOffAttempts ?? 0);
  const body = attachmentContent(attachment);
  const bytes = cutOff ? body.subarray(0, Math.floor(body.length / 2)) : body;
  res.writeHead(200, headers);
  const sent = await stream(res, bytes, pacingFor(attachment, context.options.downloadBytesPerSecond), context.signal);
  if (!sent) return;
  if (cutOff) {
    context.stats.downloadCutOff(attachment.id);
    res.socket?.destroy();
    return;
  }
  res.end(() => context.stats.downloadCompleted(attachment.id));
}

/** Slow faults and the global rate limit combine: whichever pauses longer wins. */
function pacingFor(attachment: SimAttachment, bytesPerSecond: number): Pacing | undefined {
  const slow = attachment.faults?.slow;
  if (!slow && bytesPerSecond <= 0) return undefined;
  const chunkBytes = slow?.chunkBytes ?? Math.min(UNPACED_CHUNK, Math.max(1024, Math.floor(bytesPerSecond / 20)));
  const rateDelay = bytesPerSecond > 0 ? (chunkBytes * 1000) / bytesPerSecond : 0;
  return { chunkBytes, delayMs: Math.max(slow?.delayMs ?? 0, rateDelay) };
}

/** Writes `bytes` honouring backpressure and pacing; false if the client or the simulator went away. */
async function stream(res: ServerResponse, bytes: Buffer, pacing: Pacing | undefined, signal: AbortSignal): Promise<boolean> {
  const chunkBytes = pacing?.chunkBytes ?? UNPACED_CHUNK;
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    if (offset > 0 && pacing && !(await pause(pacing.delayMs, signal))) return false;
    if (!(await write(res, bytes.subarray(offset, offset + chunkBytes)))) return false;
  }
  return !res.destroyed;
}

function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    res.once('close', onClose);
    res.write(chunk, (error) => {
      res.off('close', onClose);
      resolve(!error);
    });
  });
}
