import {
  ProviderAbortedError,
  ProviderConfigError,
  ProviderHttpError,
  ProviderNetworkError,
  ProviderProtocolError,
  ProviderTimeoutError,
} from './errors.js';

/**
 * Whether a failed run-start may have created (and billed) a run (design.md, "Submit once"). False only when the
 * provider surely created nothing: the request never left (refused, DNS, TLS, aborted before sending), or the
 * provider refused it (4xx but 408, 503 RESOURCE_UNAVAILABLE). True for timeouts, 408, resets after sending, other 5xx, and for
 * a 2xx whose body was cut off or broke the contract: the run then exists but its id is lost. The submit activity
 * reconciles ambiguous failures instead of resubmitting.
 */
export function isSubmitAmbiguous(err: unknown): boolean {
  if (err instanceof ProviderConfigError) return false;
  if (err instanceof ProviderNetworkError || err instanceof ProviderAbortedError) return err.requestSent;
  if (err instanceof ProviderTimeoutError || err instanceof ProviderProtocolError) return true;
  if (err instanceof ProviderHttpError) {
    if (err.status === 503) return err.providerCode !== undefined && err.providerCode !== 'RESOURCE_UNAVAILABLE';
    // 408: the provider gave up waiting, possibly while already handling the request.
    return (err.status ?? 500) >= 500 || err.status === 408;
  }
  return true;
}
