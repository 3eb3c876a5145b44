import {
  ProviderAbortedError,
  ProviderConfigError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from './errors.js';

/**
 * Whether a failed run-start may have created (and billed) a run (docs/decisions/0002). False only when the
 * provider surely created nothing: the request never left (refused, DNS, TLS, aborted before sending), or the
 * provider refused it (4xx but 408; a 503 that says so, with Lamina's RESOURCE_UNAVAILABLE or a Retry-After). True for timeouts, 408, resets after sending, other 5xx, and for
 * a 2xx whose body was cut off or broke the contract: the run then exists but its id is lost. The submit activity
 * reconciles ambiguous failures instead of resubmitting.
 */
export function isSubmitAmbiguous(err: unknown): boolean {
  if (err instanceof ProviderConfigError) return false;
  if (err instanceof ProviderNetworkError || err instanceof ProviderAbortedError) return err.requestSent;
  if (err instanceof ProviderTimeoutError || err instanceof ProviderProtocolError) return true;
  if (err instanceof ProviderHttpError) {
    // A 503 is a refusal when it says so. A bare one may come from a proxy whose backend dropped the connection after
    // it had the request (Envoy answers 503 to an upstream reset), so it proves nothing.
    if (err.status === 503)
      return !(err.providerCode === 'RESOURCE_UNAVAILABLE' || err.retryAfterSeconds !== undefined);
    // 408: the provider gave up waiting, possibly while already handling the request.
    return (err.status ?? 500) >= 500 || err.status === 408;
  }
  return true;
}
