import { randomUUID } from 'node:crypto';
import type { SimulatorSettings } from '../config.js';
import type { LiveRuns } from '../live-runs.js';
import {
  FAIL_MARKER,
  hasMarker,
  INPUT_MARKER,
  runDuration,
  SIMULATED_FAILURE_MESSAGE,
  SYNC_MARKER,
} from '../markers.js';
import { outputPng } from '../png.js';
import { chance } from '../prng.js';
import type { Random } from '../prng.js';
import type { ArtuEnvironment } from './errors.js';
import type { ArtuInputProblem } from './workflows.js';

/** Artu's execution statuses (the trigger also answers 'queued', which executions never show). */
export type ArtuStatus =
  'running' | 'waiting_for_input' | 'completed' | 'errored' | 'timed_out' | 'cancelled' | 'abandoned';

/** Statuses after which an execution never changes. 'waiting_for_input' is a pause, not an end. */
export const ARTU_TERMINAL: ReadonlySet<ArtuStatus> = new Set([
  'completed',
  'errored',
  'timed_out',
  'cancelled',
  'abandoned',
]);

/** How a new execution will behave. */
export interface ArtuPlan {
  durationMs: number;
  /** Time before the work starts; the execution shows 'running' throughout, the trigger says 'queued'. */
  queuedMs: number;
  willFail: boolean;
  needsInput: boolean;
  /** The trigger answers only once the execution has ended or waits for input. */
  sync: boolean;
  files: number;
}

/** What the trigger request asked for. */
export interface ArtuTrigger {
  triggerType: string;
  entityType: string | null;
  entityId: string | null;
  inputs: Record<string, unknown>;
  payload?: unknown;
}

/** A simulated execution, held in memory. Times are unix milliseconds. */
export interface ArtuExecution {
  id: string;
  /** Creation order, the tie-breaker of equal createdAt in lists and cursors. */
  seq: number;
  environment: ArtuEnvironment;
  workflowId: string;
  eventId: string;
  trigger: ArtuTrigger;
  plan: ArtuPlan;
  status: ArtuStatus;
  error: string | null;
  warnings: ArtuInputProblem[];
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** Byte sizes of the produced PNGs, filled in on completion. */
  fileSizes: number[];
}

/** Decides duration, failure, pause and sync of a new execution: markers win, otherwise the PRNG draws. */
export function planExecution(inputs: Record<string, unknown>, settings: SimulatorSettings, random: Random): ArtuPlan {
  const durationMs = runDuration(inputs, settings, random);
  return {
    durationMs,
    queuedMs: Math.round(durationMs * settings.queuedShare),
    willFail: hasMarker(inputs, FAIL_MARKER) || chance(random, settings.failureRate),
    needsInput: hasMarker(inputs, INPUT_MARKER) || chance(random, settings.inputRate),
    sync: hasMarker(inputs, SYNC_MARKER),
    files: settings.outputsPerRun ?? 1,
  };
}

/**
 * Artu executions in memory, driven by the clock: running → completed | errored, or → waiting_for_input (until
 * resumed through the control endpoint or cancelled), or cancelled. Timers, counting and waiters are LiveRuns'.
 */
export class ArtuExecutionStore {
  private readonly executions = new Map<string, ArtuExecution>();
  private seq = 0;

  constructor(private readonly live: LiveRuns) {}

  /** Creates (and counts, as `artu:<workflowId>`) an execution that follows its plan. */
  create(
    workflowId: string,
    environment: ArtuEnvironment,
    trigger: ArtuTrigger,
    plan: ArtuPlan,
    warnings: ArtuInputProblem[],
  ): ArtuExecution {
    const execution: ArtuExecution = {
      id: randomUUID(),
      seq: ++this.seq,
      environment,
      workflowId,
      eventId: `evt_${randomUUID().replace(/-/g, '')}`,
      trigger,
      plan,
      status: 'running',
      error: null,
      warnings,
      createdAt: Date.now(),
      startedAt: null,
      completedAt: null,
      fileSizes: [],
    };
    this.executions.set(execution.id, execution);
    this.live.created('artu', workflowId, trigger.inputs);
    this.live.after(execution.id, plan.queuedMs, () => this.start(execution));
    return execution;
  }

  /** The execution with this id, when it belongs to `environment` (or to any, when none is given). */
  get(id: string, environment?: ArtuEnvironment): ArtuExecution | undefined {
    const execution = this.executions.get(id);
    return environment === undefined || execution?.environment === environment ? execution : undefined;
  }

  /** Every execution, in creation order. */
  all(): ArtuExecution[] {
    return [...this.executions.values()];
  }

  /** Cancels a live or paused execution; a terminal one is left as it is. */
  cancel(execution: ArtuExecution): void {
    if (!ARTU_TERMINAL.has(execution.status)) this.finish(execution, 'cancelled', 'Execution cancelled');
  }

  /** Lets an execution waiting for input finish by its plan; false when it is not waiting. */
  resume(execution: ArtuExecution): boolean {
    if (execution.status !== 'waiting_for_input') return false;
    this.end(execution);
    return true;
  }

  /** Resolves true once `done(execution)` holds, false after `ms` or on abort. */
  waitUntil(
    execution: ArtuExecution,
    done: (e: ArtuExecution) => boolean,
    ms: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    return this.live.waitUntil(execution.id, () => done(execution), ms, signal);
  }

  private start(execution: ArtuExecution): void {
    execution.startedAt = Date.now();
    const remaining = execution.plan.durationMs - execution.plan.queuedMs;
    this.live.after(execution.id, remaining, () => {
      if (!execution.plan.needsInput) return this.end(execution);
      execution.status = 'waiting_for_input';
      this.live.changed(execution.id);
    });
  }

  private end(execution: ArtuExecution): void {
    if (execution.plan.willFail) this.finish(execution, 'errored', SIMULATED_FAILURE_MESSAGE);
    else this.finish(execution, 'completed', null);
  }

  private finish(execution: ArtuExecution, status: ArtuStatus, error: string | null): void {
    execution.status = status;
    execution.error = error;
    execution.completedAt = Date.now();
    if (status === 'completed') {
      execution.fileSizes = Array.from({ length: execution.plan.files }, (_, i) => outputPng(execution.id, i).length);
    }
    this.live.ended(execution.id);
  }
}
