import { randomBytes } from 'node:crypto';
import type { SimulatorSettings } from '../config.js';
import type { LiveRuns } from '../live-runs.js';
import { FAIL_MARKER, hasMarker, PARTIAL_MARKER, runDuration, SIMULATED_FAILURE_MESSAGE } from '../markers.js';
import { chance } from '../prng.js';
import type { Random } from '../prng.js';
import type { MagnificAppDefinition } from '../types.js';
import type { MagnificWebhookMoment } from './webhooks.js';

/** Magnific's run statuses. */
export type MagnificStatus = 'pending' | 'running' | 'completed' | 'completed_with_errors' | 'failed' | 'cancelled';

/** Statuses after which a run never changes. */
export const MAGNIFIC_TERMINAL: ReadonlySet<MagnificStatus> = new Set([
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
]);

/** How a new run will behave. */
export interface MagnificPlan {
  durationMs: number;
  queuedMs: number;
  outcome: 'completed' | 'completed_with_errors' | 'failed';
  images: number;
}

/** A simulated run, held in memory. Times are unix milliseconds. */
export interface MagnificRun {
  runId: string;
  appId: string;
  webhook: string | null;
  plan: MagnificPlan;
  status: MagnificStatus;
  errorMessage: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** Images delivered: all of them when completed, some when completed_with_errors, none otherwise. */
  delivered: number;
}

/** Decides duration, outcome and images of a new run: markers win, otherwise the PRNG draws. Failure wins. */
export function planMagnificRun(
  app: MagnificAppDefinition,
  inputs: Record<string, unknown>,
  settings: SimulatorSettings,
  random: Random,
): MagnificPlan {
  const durationMs = runDuration(inputs, settings, random);
  const fails = hasMarker(inputs, FAIL_MARKER) || chance(random, settings.failureRate);
  const partial = hasMarker(inputs, PARTIAL_MARKER) || chance(random, settings.partialRate);
  return {
    durationMs,
    queuedMs: Math.round(durationMs * settings.queuedShare),
    outcome: fails ? 'failed' : partial ? 'completed_with_errors' : 'completed',
    images: settings.outputsPerRun ?? app.images ?? 1,
  };
}

const SQID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A 10-character id like Magnific's sqids (random, not from the seeded PRNG: ids never change behaviour). */
export function newSqid(): string {
  return [...randomBytes(10)].map((b) => SQID_ALPHABET[b % SQID_ALPHABET.length] ?? 'a').join('');
}

/**
 * Magnific runs in memory, driven by the clock: pending → running → completed | completed_with_errors | failed,
 * or cancelled (only through the control endpoint: Magnific has no cancel API). Timers, counting and the
 * active-runs gauge are LiveRuns'. `onEvent` hears of each run's creation and end (for its webhooks).
 */
export class MagnificRunStore {
  private readonly runs = new Map<string, MagnificRun>();

  constructor(
    private readonly live: LiveRuns,
    private readonly onEvent: (run: MagnificRun, moment: MagnificWebhookMoment) => void = () => undefined,
  ) {}

  /** Creates (and counts, as `magnific:<appId>` with the inputs as sent, keyed by id) a pending run. */
  create(
    app: MagnificAppDefinition,
    inputs: Record<string, unknown>,
    plan: MagnificPlan,
    webhook: string | null,
  ): MagnificRun {
    const run: MagnificRun = {
      runId: newSqid(),
      appId: app.sqid,
      webhook,
      plan,
      status: 'pending',
      errorMessage: null,
      createdAt: Date.now(),
      startedAt: null,
      completedAt: null,
      delivered: 0,
    };
    this.runs.set(run.runId, run);
    this.live.created('magnific', app.sqid, inputs);
    this.live.after(run.runId, plan.queuedMs, () => this.start(run));
    this.onEvent(run, 'created');
    return run;
  }

  /** The run with this id, if any. */
  get(runId: string): MagnificRun | undefined {
    return this.runs.get(runId);
  }

  /** Cancels a live run; a terminal one is left as it is. */
  cancel(run: MagnificRun): void {
    if (!MAGNIFIC_TERMINAL.has(run.status)) this.finish(run, 'cancelled', 'Run cancelled', 0);
  }

  private start(run: MagnificRun): void {
    run.status = 'running';
    run.startedAt = Date.now();
    this.live.after(run.runId, run.plan.durationMs - run.plan.queuedMs, () => this.end(run));
  }

  private end(run: MagnificRun): void {
    const { outcome, images } = run.plan;
    if (outcome === 'failed') return this.finish(run, 'failed', SIMULATED_FAILURE_MESSAGE, 0);
    if (outcome === 'completed') return this.finish(run, 'completed', null, images);
    const delivered = Math.ceil(images / 2);
    const lost = images - delivered;
    const message =
      lost > 0
        ? `Simulated partial failure: ${lost} of ${images} outputs failed`
        : 'Simulated partial failure: a post-processing node failed';
    this.finish(run, 'completed_with_errors', message, delivered);
  }

  private finish(run: MagnificRun, status: MagnificStatus, errorMessage: string | null, delivered: number): void {
    run.status = status;
    run.errorMessage = errorMessage;
    run.completedAt = Date.now();
    run.delivered = delivered;
    this.live.ended(run.runId);
    this.onEvent(run, 'ended');
  }
}
