import { describe, expect, it } from 'vitest';
import {
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  withRetries,
  type AttemptFailure,
  type RetryEvent,
} from '../../src/kube/retry.js';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, deadlineMs: 10_000 };

describe('retry policy', () => {
  it('retries 429 and the 5xx of an overloaded or restarting server, nothing else', () => {
    expect([429, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 422, 501, 505].map(isRetryableStatus)).toEqual(Array(8).fill(false));
  });

  it('reads Retry-After seconds as client-go does (integers only)', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter(['2', '9'])).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('10s')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('waits what Retry-After says, however long (withRetries refuses a wait past its deadline)', () => {
    expect(retryDelay(policy, 1, 2000)).toBe(2000);
    expect(retryDelay(policy, 1, 60_000)).toBe(60_000);
  });

  it('backs off exponentially with jitter, between half and all of the ceiling, up to maxDelayMs', () => {
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(50);
    expect(retryDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(retryDelay(policy, 3, undefined, () => 0)).toBe(200);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay(policy, 10, undefined, () => 1)).toBe(1000);
  });

  it('gives a request timeout of 10 s at least 20 s of retrying', () => {
    expect(defaultRetryPolicy(10_000).deadlineMs).toBe(20_000);
    expect(defaultRetryPolicy(1_000).deadlineMs).toBe(5_000);
  });
});

describe('withRetries', () => {
  const noSleep = async (): Promise<void> => {};
  const status = (s: number, retryAfterMs?: number): AttemptFailure => ({
    kind: 'status',
    status: s,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

  it('returns the first success and reports each retry with its cause', async () => {
    const events: RetryEvent[] = [];
    const failures = [status(503), { kind: 'reset' } as const];
    const result = await withRetries(
      policy,
      async (n) => {
        if (n <= failures.length) throw failures[n - 1];
        return `ok after ${n}`;
      },
      (err) => err as AttemptFailure,
      (e) => events.push(e),
      noSleep,
    );
    expect(result).toBe('ok after 3');
    expect(events.map((e) => [e.attempt, e.cause])).toEqual([
      [2, '503'],
      [3, 'connection reset'],
    ]);
  });

  it.each([
    ['unclassified', undefined],
    ['classified as other', { kind: 'other' } as const],
  ])('never retries what the caller calls final (%s)', async (_what, failure) => {
    let attempts = 0;
    await expect(
      withRetries(
        policy,
        async () => {
          attempts++;
          throw new Error('403');
        },
        () => failure,
        undefined,
        noSleep,
      ),
    ).rejects.toThrow('403');
    expect(attempts).toBe(1);
  });

  it('stops after maxAttempts and rethrows the last failure', async () => {
    let attempts = 0;
    await expect(
      withRetries(
        policy,
        async (n) => {
          attempts = n;
          throw status(500);
        },
        (err) => err as AttemptFailure,
        undefined,
        noSleep,
      ),
    ).rejects.toEqual(status(500));
    expect(attempts).toBe(5);
  });

  it('does not start a wait that would pass the deadline', async () => {
    let attempts = 0;
    const waits: number[] = [];
    await expect(
      withRetries(
        { ...policy, deadlineMs: 1500 },
        async () => {
          attempts++;
          throw status(429, 1000);
        },
        (err) => err as AttemptFailure,
        undefined,
        async (ms) => void waits.push(ms),
      ),
    ).rejects.toEqual(status(429, 1000));
    // The first wait fits the deadline (time spent sleeping is not simulated, so the second does as well);
    // a Retry-After beyond it is never waited for.
    expect(waits.every((w) => w === 1000)).toBe(true);
    expect(attempts).toBeGreaterThan(1);
    let longAttempts = 0;
    await expect(
      withRetries(
        { ...policy, deadlineMs: 1500 },
        async () => {
          longAttempts++;
          throw status(429, 5000);
        },
        (err) => err as AttemptFailure,
        undefined,
        noSleep,
      ),
    ).rejects.toEqual(status(429, 5000));
    expect(longAttempts).toBe(1);
  });
});
