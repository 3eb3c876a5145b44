import type { SimulatorCounters } from './types.js';

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/**
 * The simulator's counters. `activeRuns` is a gauge of what is happening now, so a reset keeps it (and starts
 * the peak again from it) instead of zeroing it; everything else starts again from zero.
 */
export class CounterStore {
  private state: SimulatorCounters = CounterStore.empty(0);

  private static empty(activeRuns: number): SimulatorCounters {
    return {
      runsCreated: 0,
      runsCreatedByApp: {},
      runsCreatedByFingerprint: {},
      activeRuns,
      peakActiveRuns: activeRuns,
      requests: {},
      faultsInjected: {},
      streams: { opened: 0, completed: 0, timedOut: 0, cut: 0, pings: 0 },
      webhookDeliveries: {},
    };
  }

  /** A run was created (whether or not its start response reached the client). */
  runCreated(provider: string, appId: string, fingerprint: string): void {
    this.state.runsCreated += 1;
    bump(this.state.runsCreatedByApp, `${provider}:${appId}`);
    bump(this.state.runsCreatedByFingerprint, fingerprint);
    this.state.activeRuns += 1;
    this.state.peakActiveRuns = Math.max(this.state.peakActiveRuns, this.state.activeRuns);
  }

  /** A run reached a terminal state. */
  runEnded(): void {
    this.state.activeRuns = Math.max(0, this.state.activeRuns - 1);
  }

  /** A request reached an endpoint (counted before faults and auth). */
  request(endpoint: string): void {
    bump(this.state.requests, endpoint);
  }

  /** A fault was applied to a request. */
  fault(kind: string): void {
    bump(this.state.faultsInjected, kind);
  }

  /** Something happened on a Lamina SSE stream. */
  stream(what: keyof SimulatorCounters['streams']): void {
    this.state.streams[what] += 1;
  }

  /** A webhook attempt or delivery of `provider` ended with `outcome` (see SimulatorCounters.webhookDeliveries). */
  webhook(provider: string, outcome: string): void {
    const byOutcome = (this.state.webhookDeliveries[provider] ??= {});
    bump(byOutcome, outcome);
  }

  /** A deep copy of the counters. */
  snapshot(): SimulatorCounters {
    return structuredClone(this.state);
  }

  /** Zeroes every counter except the active-runs gauge. */
  reset(): void {
    this.state = CounterStore.empty(this.state.activeRuns);
  }
}
