import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every `everyMs`, so a long request (a long-poll, a large download) keeps the
 * activity alive and a dead worker is noticed within the heartbeat timeout. Returns what `work` returns.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, everyMs: number, details?: unknown): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details);
  const timer = setInterval(() => ctx.heartbeat(details), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** The activity's cancellation signal, passed to every HTTP call. */
export function cancellationSignal(): AbortSignal {
  return Context.current().cancellationSignal;
}
