import { acquireCloneSlot } from '../../../support/profile/profile-cloner.js';

/**
 * Child process for the clone-throttle tests: takes a slot like a Playwright worker making its
 * clone, holds it for `holdMs` (or until killed when `holdMs` is `forever`), then frees it.
 * Prints when it held the slot, as a window records its clone spans.
 * Usage: node --import tsx clone-slot-holder.ts <slotsDir> <limit> <holdMs|forever> [staleMs]
 */
const [slotsDir, limit, hold, staleMs] = process.argv.slice(2);
if (!slotsDir || !limit || !hold) throw new Error('usage: clone-slot-holder.ts <slotsDir> <limit> <holdMs|forever> [staleMs]');
let waits = 0;
const release = await acquireCloneSlot(slotsDir, {
  limit: Number(limit),
  pollMs: 50,
  ...(staleMs ? { staleMs: Number(staleMs) } : {}),
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
