import type { ServerResponse } from 'node:http';
import type { RequestContext, SimResponse } from '../http.js';
import { chance } from '../prng.js';
import { statusView } from './context.js';
import type { LaminaDeps } from './context.js';
import { laminaError } from './errors.js';
import { TERMINAL_STATUSES } from './runs.js';
import type { LaminaRun } from './runs.js';
import { executionStatus } from './status.js';

/** Lamina's SSE event names. */
export type StreamEventName = 'progress' | 'complete' | 'error' | 'timeout' | 'ping';

/** One SSE event: an `event:` line, one `data:` line of JSON, a blank line. */
export function sseEvent(name: StreamEventName, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

function timeoutMessage(ms: number): string {
  const minutes = ms / 60_000;
  if (ms <= 0 || !Number.isInteger(minutes)) return `Stream timeout after ${ms} ms`;
  return `Stream timeout after ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * One open stream of one run. Every timer it sets (ping, timeout, cut) is on the shared scheduler and is cleared
 * when the stream ends, when the client goes away or when the simulator closes.
 */
class RunStream {
  private readonly cleanups: (() => void)[] = [];
  private cancelPing: () => void = () => undefined;
  private stopped = false;

  constructor(
    private readonly deps: LaminaDeps,
    private readonly run: LaminaRun,
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  open(): void {
    this.deps.counters.stream('opened');
    if (TERMINAL_STATUSES.has(this.run.status)) return this.finish();
    const onAbort = (): void => this.stop();
    this.signal.addEventListener('abort', onAbort, { once: true });
    this.cleanups.push(
      () => this.signal.removeEventListener('abort', onAbort),
      () => this.cancelPing(),
    );
    if (this.signal.aborted) return this.stop();
    this.send('progress', this.status());
    this.cleanups.push(this.deps.store.subscribe(this.run, () => this.changed()));
    const { stream } = this.deps.settings();
    this.schedulePing(stream.pingIntervalMs);
    this.cleanups.push(this.deps.scheduler.schedule(stream.timeoutMs, () => this.timeOut(stream.timeoutMs)));
    if (chance(this.deps.random, stream.disconnectRate)) {
      const remaining = Math.max(0, this.run.createdAt + this.run.plan.durationMs - Date.now());
      const after = stream.disconnectAfterMs ?? Math.floor(this.deps.random() * remaining);
      this.cleanups.push(this.deps.scheduler.schedule(after, () => this.cut()));
    }
  }

  private status(): Record<string, unknown> {
    return executionStatus(this.run, statusView(this.deps));
  }

  private send(name: StreamEventName, data: unknown): void {
    if (!this.res.destroyed && !this.res.writableEnded) this.res.write(sseEvent(name, data));
  }

  private changed(): void {
    if (TERMINAL_STATUSES.has(this.run.status)) this.finish();
    else this.send('progress', this.status());
  }

  private schedulePing(ms: number): void {
    this.cancelPing = this.deps.scheduler.schedule(ms, () => {
      this.send('ping', { timestamp: new Date().toISOString() });
      this.deps.counters.stream('pings');
      this.schedulePing(ms);
    });
  }

  /** The final event: `complete` for a completed run, `error` for a failed or cancelled one; then close. */
  private finish(): void {
    this.send(this.run.status === 'completed' ? 'complete' : 'error', this.status());
    this.deps.counters.stream('completed');
    this.end();
  }

  private timeOut(ms: number): void {
    this.send('timeout', { message: timeoutMessage(ms) });
    this.deps.counters.stream('timedOut');
    this.end();
  }

  /** The disconnect fault: the socket is destroyed mid-stream, with no final event. */
  private cut(): void {
    this.stop();
    this.deps.counters.stream('cut');
    this.res.destroy();
  }

  private end(): void {
    this.stop();
    this.res.end();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

/**
 * GET /v1/runs/{runId}/stream (text/event-stream): a live run gets `progress` at connect and after each change
 * (start, each output ready), then `complete` or `error` and close; `ping` every stream.pingIntervalMs; `timeout`
 * and close after stream.timeoutMs. A run already terminal gets one `complete` or `error`, then close. A share
 * (stream.disconnectRate) of live streams is cut without a final event.
 */
export function streamRun(deps: LaminaDeps, ctx: RequestContext): SimResponse {
  const run = deps.store.get(ctx.params[0] ?? '');
  if (!run) return laminaError(404, 'NOT_FOUND', 'Run not found', ctx.requestId);
  return {
    status: 200,
    contentType: 'text/event-stream; charset=utf-8',
    body: '',
    headers: { 'cache-control': 'no-cache' },
    stream: (res) => new RunStream(deps, run, res, ctx.signal).open(),
  };
}
