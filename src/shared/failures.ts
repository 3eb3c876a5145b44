/**
 * Stable `ApplicationFailure.type` values. Workflows branch on these strings (never on `instanceof`), so they are
 * part of the wire contract: rename only with a versioning plan.
 */
export const FAILURE_TYPES = {
  /** The provider refused the request for good (4xx other than 408/429): fix the cause, then redrive. */
  providerRejected: 'ProviderRejected',
  /** The provider asked us to slow down (429) or is temporarily unavailable (503): retried with its delay. */
  providerThrottled: 'ProviderThrottled',
  /** 5xx or network trouble on a request that is safe to repeat. */
  providerUnavailable: 'ProviderUnavailable',
  /** The provider answered outside its contract: retried a few times on a read, final on a start. */
  providerProtocol: 'ProviderProtocol',
  /** Credentials missing or refused (401/403): non-retryable. */
  providerAuth: 'ProviderAuth',
  /** An ambiguous run-start is still being looked up in the provider's list: the next attempt goes on from the record. */
  submitReconciling: 'SubmitReconciling',
  /** A run-start request may have reached the provider but no answer came back. Never retried blindly. */
  submitAmbiguous: 'SubmitAmbiguous',
  /** The long-poll returned before the run finished: the activity is retried as a poll (no history growth). */
  runNotFinished: 'RunNotFinished',
  /** No result for the run within --item-timeout (the webhook never came and the run never ended). */
  runTimedOut: 'RunTimedOut',
  /** The manifest has invalid rows; the message and details list every problem. */
  manifestInvalid: 'ManifestInvalid',
  /** An output could not be downloaded (expired URL, too large, not http(s), private address). */
  assetDownload: 'AssetDownloadFailed',
  /** Configuration of the worker is incomplete (for example a missing API key). */
  configuration: 'ConfigurationError',
  /**
   * The batch's data is in a folder on another host, which this worker cannot reach: the batch stops at once,
   * nothing is sent (run the workers where the batch lives, or use shared storage).
   */
  storageElsewhere: 'StorageOnAnotherHost',
} as const;

export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** Failure types that end a row as `failed` without any further retry. */
export const NON_RETRYABLE_FAILURE_TYPES: FailureType[] = [
  FAILURE_TYPES.providerRejected,
  FAILURE_TYPES.providerAuth,
  FAILURE_TYPES.submitAmbiguous,
  FAILURE_TYPES.manifestInvalid,
  FAILURE_TYPES.configuration,
  FAILURE_TYPES.storageElsewhere,
];
