// Exponential backoff with jitter, shared by the informer supervisor, the work queue and the
// reconciler. Jitter spreads restarts of many watches so they do not hit the API server together.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised: 0 = none, 0.5 = delay in [0.5d, d]. */
  jitter?: number;
}

export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const jitter = options.jitter ?? 0.5;
  return Math.round(exponential * (1 - jitter * random()));
}
