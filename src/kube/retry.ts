/**
 * When a request is tried again, as client-go's rest client does it: a 429 or 5xx answer (honouring
 * `Retry-After`) and a connection reset or cut-off reply, with jittered exponential backoff, bounded by a
 * number of attempts and an overall deadline. Whether a request may be repeated at all is the caller's call:
 * reads always; a write only when repeating it cannot do harm (a 429 was never applied; a PUT carries its
 * resourceVersion precondition, so a replay of one that did apply fails with 409 instead of overwriting).
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No wait starts that would end past this many ms after the first attempt. */
  deadlineMs: number;
}

export function defaultRetryPolicy(requestTimeoutMs: number): RetryPolicy {
  return {
    maxAttempts: 5,
    baseDelayMs: 250,
    maxDelayMs: 4_000,
    deadlineMs: Math.max(2 * requestTimeoutMs, 5_000),
  };
}

/** Why an attempt failed, as far as retrying cares. */
export type AttemptFailure =
  { kind: 'status'; status: number; retryAfterMs?: number } | { kind: 'reset' } | { kind: 'other' };

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  /** e.g. `503`, `429`, `connection reset` */
  cause: string;
}

/** 429 and the 5xx a server or proxy sends when it is overloaded or restarting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || (status >= 502 && status <= 504);
}

/** `Retry-After` in seconds (client-go reads only the integer form) as ms; undefined when absent or invalid. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v) * 1000;
}

/** The wait before attempt `attempt + 1`: Retry-After when the server gave one, else jittered backoff. */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs; // a wait past the deadline is refused by the caller
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2); // "equal jitter": never 0, never in lockstep
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy is spent. `classify` says whether a thrown
 * error may be retried (and after what); `onRetry` is told before each wait.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  classify: (err: unknown) => AttemptFailure | undefined,
  onRetry?: (e: RetryEvent) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const f = classify(err);
      if (!f || f.kind === 'other' || n >= policy.maxAttempts) throw err;
      const delayMs = retryDelay(policy, n, f.kind === 'status' ? f.retryAfterMs : undefined);
      if (Date.now() - started + delayMs > policy.deadlineMs) throw err;
      onRetry?.({
        attempt: n + 1,
        delayMs,
        cause: f.kind === 'status' ? String(f.status) : 'connection reset',
      });
      await sleep(delayMs);
    }
  }
}
