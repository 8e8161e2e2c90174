/**
 * LogTally does a bounded amount of work per line whatever the input: bursts of 10⁴–10⁵ lines at one instant,
 * interleaved pods and sources. The work is counted (LogTally.stats), not timed: performance is measured by the
 * benchmark, and these tests assert the structure. Left out of mutation testing (vitest.stryker-unit.config.ts):
 * seconds per run, and ks-logs-chains.test.ts counts the same work exactly on small inputs.
 */
import { describe, expect, it } from 'vitest';
import { klog, PATTERNS, tally } from '../helpers/klog-lines.js';

describe('LogTally does a bounded amount of chain work per line (linear in the input)', () => {
  it.each(Object.keys(PATTERNS))('%s', (name) => {
    const make = PATTERNS[name]!;
    const small = tally(make(10_000)).stats().chainSteps;
    const large = tally(make(20_000)).stats().chainSteps;
    // Each line creates or joins one chain, and each chain is removed once with its sources: at most 3 steps.
    expect(large).toBeLessThanOrEqual(3 * 20_000);
    expect(large / small).toBeLessThan(2.2);
  });

  it('100k lines at one instant tally as 100k requests (a regression guard; the benchmark measures speed)', () => {
    const t = tally(PATTERNS['one instant, one source']!(100_000));
    expect(t.result().kinds['cache-miss'].requests).toBe(100_000);
  });

  it.each([
    [
      'a new source every 50 ms',
      (n: number) =>
        Array.from({ length: n }, (_, i) => ({ line: klog(i * 50_000, `gen.go:${i}`), pod: 'p' })),
    ],
    [
      'no timestamps, a new message every 6 lines',
      (n: number) =>
        Array.from({ length: n }, (_, i) => ({
          line: i % 6 === 0 ? `jwt: token is expired by ${i}s` : 'GET /healthz 200',
          pod: 'p',
        })),
    ],
  ])('remembers a bounded number of sources when each request has a new one: %s', (_, make) => {
    const t = tally(make(60_000));
    expect(t.stats().openChains).toBeLessThanOrEqual(1);
    // A closed chain's sources are kept (a Map delete is slow in V8) only until they may outnumber the rest.
    expect(t.stats().sources).toBeLessThanOrEqual(2 * 64 + 2);
  });

  it('holds only the chains still open: closed ones are dropped as time moves on', () => {
    const t = tally(PATTERNS['a line every 1 ms (20 open chains)']!(50_000));
    expect(t.result().kinds['cache-miss'].requests).toBe(50_000);
    // The lines of the last 20 ms, and the one at the window's edge.
    expect(t.stats().openChains).toBe(21);
  });
});
