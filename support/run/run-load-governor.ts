import { LoadHistory } from '../load/load-history.js';
import { loadSignalFor } from '../load/resource-monitor.js';
import { LoadGovernor, type GovernorSummary } from '../load/window-gate.js';
import { loadSamplesFile } from '../run-state/load-files.js';
import type { RunState } from '../run-state/run-state.js';
import type { Settings } from '../settings.js';

/** Samples kept between two writes of the run's load history. */
const WRITE_EVERY = 5;
const ABSENT_WINDOW_MS = 60_000;

/**
 * Load-adaptive concurrency (PARALLEL-06, PERF-04) for one run, started by the global setup in
 * the runner process: the governor samples CPU and memory and publishes in the run's load
 * gate how many windows may take POs; the windows read it before each PO and before they
 * launch. Samples taken while a window of this run starts (its record says so) are the job's
 * own start-up and are not judged. The load over the run is kept in the run's state for a
 * picture of the run.
 */
export async function startRunLoadGovernor(
  state: RunState,
  settings: Settings,
  run: { workers: number; windows: number; signalFile: string | undefined },
  onError: (message: string) => void,
): Promise<{ stop(): Promise<GovernorSummary> }> {
  const history = new LoadHistory();
  const saveHistory = () => {
    try {
      loadSamplesFile.write(state.paths.loadSamplesFile, { sampleEveryMs: settings.loadSampleMs, stride: history.stride, points: [...history.points] });
    } catch (error) {
      onError(`the load history could not be saved: ${(error as Error).message}`);
    }
  };
  let samples = 0;
  const records = state.windowRecords();
  const since = Date.now();
  // Workers load for a few seconds before their window has a record; one that has not come after this is not waited for.
  const absentUntil = since + ABSENT_WINDOW_MS;
  const governor = new LoadGovernor({
    file: state.paths.loadGateFile,
    signal: loadSignalFor(run.signalFile),
    controller: {
      maxWindows: run.workers,
      limits: { cpuPercent: settings.cpuLimitPercent, memoryPercent: settings.memoryLimitPercent },
      cooldownMs: settings.loadCooldownMs,
      holdMs: settings.loadRaiseAfterMs,
    },
    startingWindows: () => records.startingNow({ since, expected: run.windows, absentUntil }),
    onSample: (sample, target) => {
      history.add({ ...sample, target });
      if (++samples % WRITE_EVERY === 0) saveHistory();
    },
    onError: (error) => onError((error as Error).message.split('\n')[0]!),
  });
  await governor.start(settings.loadSampleMs);
  return {
    stop: async () => {
      const summary = await governor.stop();
      saveHistory();
      return summary;
    },
  };
}
