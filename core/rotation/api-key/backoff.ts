/** How often and how patiently to retry: `attempts` counts the first try too. */
export interface BackoffPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** A random number in [0, 1): injectable so tests are deterministic. */
export type Random = () => number;

/**
 * The wait before retry number `retry` (0 for the first retry): exponential, capped at `maxDelayMs`, with
 * "equal jitter" (half fixed, half random), so retries spread out but never come back at once.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: Random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
