import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { DEFAULT_POLL_INTERVAL_MS, deliveryOf } from '../shared/delivery.js';
import { FAILURE_TYPES } from '../shared/failures.js';
import type { ProviderAdapter, RunSnapshot, StreamEnd } from '../providers/types.js';
import type { AwaitRunInput, RunSnapshotLite } from './contracts.js';
import type { ItemSettings } from '../shared/batch-spec.js';
import { liteSnapshot, type ActivityDeps } from './deps.js';
import { collectAll } from './outputs.js';
import { hasOutputs } from '../shared/status.js';
import { toActivityFailure } from './failures.js';
import { cancellationSignal, withHeartbeat } from './heartbeat.js';

/** Pause between one long-poll that came back unfinished and the next, and before reconnecting a stream. */
const REWAIT_DELAY_MS = 200;
/** Pause before reconnecting a stream that was cut (the provider may be restarting). */
const RECONNECT_DELAY_MS = 1_000;

/** The heartbeat of an `awaitRun` that is downloading (see withOutputs). */
const COLLECTING = { phase: 'downloading outputs' };

function isCollecting(details: unknown): boolean {
  return typeof details === 'object' && details !== null && (details as { phase?: unknown }).phase === COLLECTING.phase;
}

/** How the attempt read the run: a finished snapshot, or when to read again. */
type Reading = { snapshot: RunSnapshot; retryInMs?: number };

/**
 * Long-polls follow each other closely; polled reads come at the provider's pace or the user's slower one
 * (--poll-interval), never faster than the provider's guidance.
 */
export function nextReadDelayMs(
  adapter: Pick<ProviderAdapter, 'provider' | 'waitMode' | 'pollIntervalMs'>,
  settings: ItemSettings,
): number {
  if (deliveryOf(settings) !== 'poll' && adapter.waitMode !== 'poll') return REWAIT_DELAY_MS;
  const providerPace = adapter.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS[adapter.provider];
  return Math.max(providerPace, settings.pollIntervalMs ?? 0);
}

/** What a stream's progress looks like on the activity's heartbeat (and so in the Temporal UI). */
export function progressDetails(snapshot: RunSnapshot): { status: string; outputs?: string } {
  const p = snapshot.progress;
  if (p === null) return { status: snapshot.providerStatus };
  const failed = p.failedOutputs > 0 ? `, ${p.failedOutputs} failed` : '';
  return {
    status: snapshot.providerStatus,
    outputs: `${p.completedOutputs}/${p.totalOutputs} outputs ready${failed}`,
  };
}

export function createAwaitRun(deps: ActivityDeps) {
  /**
   * Waits on a run the way the batch's --delivery says: one long-poll on the provider's wait endpoint, one status
   * read (poll), or one stream connection followed until its final event. A run that is not finished yet fails
   * the attempt with `RunNotFinished` and the delay before the next read, so Temporal's retry is the loop and
   * waiting costs no history. `once` reads the run one time and returns it whatever its state.
   */
  async function awaitRun(input: AwaitRunInput): Promise<RunSnapshotLite> {
    const adapter = deps.adapterFor(input.settings.provider);
    let reading: Reading;
    try {
      reading = await readRun(adapter, input);
    } catch (err) {
      throw toActivityFailure(err, deps.secrets);
    }
    const { snapshot } = reading;
    if (snapshot.terminal && input.collect) return withOutputs(liteSnapshot(snapshot), input);
    if (input.once || snapshot.terminal || (snapshot.state === 'needs_input' && input.returnOnNeedsInput))
      return liteSnapshot(snapshot);
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.runNotFinished,
      message: `run ${input.runId} is still ${snapshot.providerStatus}`,
      nextRetryDelay: `${reading.retryInMs ?? nextReadDelayMs(adapter, input.settings)}ms`,
    });
  }

  /**
   * Downloads a finished run's outputs in this attempt. Any failure is left to the row's own `collectOutputs`
   * (its retry policy and its errors), and so is every retry after an attempt that died downloading: the heartbeat
   * says so, and the long-poll's retry policy must not become an unbounded download loop.
   */
  async function withOutputs(lite: RunSnapshotLite, input: AwaitRunInput): Promise<RunSnapshotLite> {
    if (!hasOutputs(lite)) return lite;
    const ctx = Context.current();
    if (isCollecting(ctx.info.heartbeatDetails)) return lite;
    try {
      const collected = await collectAll(deps, { ...input, outputs: lite.outputs }, COLLECTING);
      return { ...lite, collected };
    } catch (err) {
      ctx.log.info('downloading with the wait did not work out; the row downloads on its own', {
        runId: input.runId,
        reason: err instanceof Error ? err.message : String(err),
      });
      return lite;
    }
  }

  async function readRun(adapter: ProviderAdapter, input: AwaitRunInput): Promise<Reading> {
    const signal = cancellationSignal();
    const delivery = deliveryOf(input.settings);
    if (input.once || delivery === 'poll') {
      return { snapshot: await withHeartbeat(() => adapter.getRun(input.runId, { signal }), 5_000) };
    }
    if (delivery === 'stream' && adapter.streamRun) {
      return followStream(adapter.streamRun.bind(adapter), adapter, input.runId, signal);
    }
    const snapshot = await withHeartbeat(
      () => adapter.waitRun(input.runId, { timeoutSeconds: input.settings.waitSeconds, signal }),
      5_000,
    );
    return { snapshot };
  }

  /**
   * Follows the run's event stream, heartbeating its progress ("2/4 outputs ready", shown on the pending activity
   * in the UI). The provider's own timeout event ends the attempt so the next one reconnects; a cut stream is
   * checked with one status read first, so a run that finished meanwhile is never missed.
   */
  async function followStream(
    streamRun: NonNullable<ProviderAdapter['streamRun']>,
    adapter: ProviderAdapter,
    runId: string,
    signal: AbortSignal,
  ): Promise<Reading> {
    const ctx = Context.current();
    // The latest progress is repeated by the timer too, so the UI keeps showing it between events.
    let details: unknown = { status: 'connecting' };
    const beat = () => ctx.heartbeat(details);
    beat();
    const timer = setInterval(beat, 5_000);
    let end: StreamEnd;
    try {
      end = await streamRun(runId, {
        signal,
        onProgress: (snapshot) => {
          details = progressDetails(snapshot);
          beat();
        },
        onPing: beat,
      });
    } finally {
      clearInterval(timer);
    }
    if (end.kind === 'terminal') return { snapshot: end.snapshot };
    const snapshot = await adapter.getRun(runId, { signal });
    if (end.kind === 'timeout') return { snapshot, retryInMs: REWAIT_DELAY_MS };
    ctx.log.info('the run stream ended early; reconnecting', { runId, reason: end.reason });
    // Backs off when streams keep ending early (a proxy answering something else, say): 1, 2, 4 … 30 s.
    const attempt = Math.max(1, ctx.info.attempt);
    return { snapshot, retryInMs: Math.min(30_000, RECONNECT_DELAY_MS * 2 ** Math.min(attempt - 1, 5)) };
  }

  return awaitRun;
}
