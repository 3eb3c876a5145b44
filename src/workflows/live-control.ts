import { getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import type { BatchControlState, BatchProgress } from '../shared/batch-contract.js';
import {
  partitionControlSignal,
  partitionReportSignal,
  pauseUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
} from '../shared/messages.js';
import type { PartitionReport } from '../shared/partition-contract.js';
import { concurrencyProblem, splitConcurrency } from '../shared/plan.js';
import { addCounts, emptyCounts, failureCount } from '../shared/status.js';
import { showBatchDetails } from './details.js';

/**
 * A running batch's live control and live details: the pause, resume and setConcurrency Updates (validated before
 * they are accepted), and the partitions' reports. A change reaches every partition that has started; partitions
 * that start later get it in their input. `onFailures` hears the failure count over all partitions at each report.
 */
export function liveControl(
  manifestName: string,
  concurrency: number,
  progress: BatchProgress,
  onFailures: (failures: number) => void,
) {
  const state: BatchControlState = { paused: false, pausedReason: null, concurrency, windows: [], seq: 0 };
  const reports = new Map<number, PartitionReport>();
  const started = new Set<number>();
  let partitions: number | null = null;
  let since: number | null = null;
  let changed = false;
  progress.control = state;

  const details = () => {
    let counts = emptyCounts();
    let inFlight = 0;
    for (const r of reports.values()) {
      counts = addCounts(counts, r.counts);
      inFlight += r.inFlight;
    }
    showBatchDetails({
      manifestName,
      rows: progress.rowCount ?? 0,
      partitions: partitions ?? 0,
      paused: state.paused,
      pausedReason: state.pausedReason,
      concurrency: state.concurrency,
      counts,
      inFlight,
      sinceMs: since ?? undefined,
    });
  };
  const open = () => {
    if (progress.stage === 'exporting' || progress.stage === 'done') throw new Error('the batch has finished');
    if (progress.stopping) throw new Error(`the batch is stopping: ${progress.stopping}`);
  };
  const signalPartition = (k: number) =>
    getExternalWorkflowHandle(progress.partitionIds[k] ?? '')
      .signal(partitionControlSignal, { paused: state.paused, window: state.windows[k] ?? 1, seq: state.seq ?? 0 })
      .catch(() => undefined);
  const apply = async (): Promise<BatchControlState> => {
    changed = true;
    state.seq = (state.seq ?? 0) + 1;
    if (partitions !== null) {
      // Every partition keeps at least one row in flight (the validator asks for that many).
      state.windows = splitConcurrency(Math.max(state.concurrency, partitions), partitions);
      // Partitions still starting get the change in their input or once started.
      await Promise.all([...started].map(signalPartition));
    }
    details();
    return state;
  };

  setHandler(partitionReportSignal, (report) => {
    reports.set(report.partition, report);
    progress.reports = [...reports.values()];
    let failures = 0;
    for (const r of reports.values()) failures += failureCount(r.counts);
    onFailures(failures);
    details();
  });
  setHandler(
    pauseUpdate,
    ({ reason }) => {
      state.paused = true;
      state.pausedReason = reason ?? null;
      return apply();
    },
    { validator: (_request: { reason?: string }) => open() },
  );
  setHandler(
    resumeUpdate,
    () => {
      state.paused = false;
      state.pausedReason = null;
      return apply();
    },
    { validator: () => open() },
  );
  setHandler(
    setConcurrencyUpdate,
    (next) => {
      state.concurrency = next;
      return apply();
    },
    {
      validator: (next: number) => {
        open();
        const problem = concurrencyProblem(next, partitions ?? 1);
        if (problem) throw new Error(problem);
      },
    },
  );

  return {
    state,
    /** Windows for `count` partitions when the concurrency was changed before they were planned, else null. */
    plan(count: number): number[] | null {
      partitions = count;
      state.concurrency = Math.max(state.concurrency, count);
      state.windows = splitConcurrency(state.concurrency, count);
      return changed ? state.windows : null;
    },
    runningSince(rows: number, count: number) {
      since = Date.now();
      partitions = count;
      progress.rowCount = rows;
      details();
    },
    /** A partition has started: from now on changes reach it by signal (one made meanwhile is sent now). */
    started(k: number) {
      started.add(k);
      if (changed) void signalPartition(k);
    },
  };
}
