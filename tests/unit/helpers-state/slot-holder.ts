import { acquireSlot } from '../../../support/shared/process-slots.js';

/**
 * Child process for the slot tests: takes a slot like a Playwright worker making its clone or
 * launching its browser, holds it for `holdMs` (or until killed when `holdMs` is `forever`),
 * then frees it. Prints when it held the slot, as a window records its clone and launch spans.
 * Usage: node --import tsx slot-holder.ts <dir> <limit> <holdMs|forever> [staleMs] [rank graceMs]
 */
const [dir, limit, hold, staleMs, rank, graceMs] = process.argv.slice(2);
if (!dir || !limit || !hold) throw new Error('usage: slot-holder.ts <dir> <limit> <holdMs|forever> [staleMs] [rank graceMs]');
let waits = 0;
const release = await acquireSlot(dir, {
  limit: Number(limit),
  pollMs: 50,
  ...(staleMs && staleMs !== '-' ? { staleMs: Number(staleMs) } : {}),
  ...(rank ? { order: { rank: Number(rank), leaderGraceMs: Number(graceMs ?? 5_000) } } : {}),
  onWait: () => waits++,
});
const start = Date.now();
process.stdout.write(`acquired ${JSON.stringify({ pid: process.pid, waits })}\n`);
if (hold === 'forever') setInterval(() => undefined, 60_000);
else {
  await new Promise((resolve) => setTimeout(resolve, Number(hold)));
  process.stdout.write(`span ${JSON.stringify({ start, end: Date.now() })}\n`);
  await release();
}
