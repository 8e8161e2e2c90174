/**
 * The offset math of src/kube/clock.ts: an API server's clock against ours from `Date` headers (RFC 7231
 * IMF-fixdate, whole seconds, stamped by Go's net/http between our send and the headers' arrival).
 */
import { describe, expect, it } from 'vitest';
import {
  ClockSamples,
  clockSample,
  estimateOffset,
  offsetBounds,
  type ClockSample,
} from '../../src/kube/clock.js';

const T = Date.parse('2026-12-01T12:00:00Z');
const http = (ms: number): string => new Date(ms).toUTCString();
/** A response to a request sent at `sent` (our clock), answered `rtt` ms later by a server `offset` ms off. */
function reply(sent: number, rtt: number, offset: number, stampedAfter = rtt / 2): ClockSample {
  const serverNow = sent + stampedAfter + offset;
  return clockSample(sent, sent + rtt, http(serverNow))!;
}

describe('one response', () => {
  it.each([
    // [sent, rtt, server offset]: the midpoint is Date + 0.5 s − (sent + RTT/2), give or take RTT/2 + 0.5 s
    [T, 0, 0],
    [T + 999, 0, 0],
    [T + 250, 100, 0],
    [T, 40, 45_000],
    [T + 700, 300, -45_000],
    [T + 10, 2_000, 3_600_000],
  ])('sent %i, RTT %i ms, offset %i ms: the bound holds the offset', (sent, rtt, offset) => {
    const s = reply(sent, rtt, offset);
    const [lo, hi] = offsetBounds(s);
    expect(lo).toBeLessThanOrEqual(offset);
    expect(hi).toBeGreaterThanOrEqual(offset);
    const r = estimateOffset([s])!;
    expect(r.uncertaintyMs).toBe(Math.ceil(rtt / 2 + 500));
    expect(r.offsetMs).toBe(Math.round(s.date + 500 - (sent + rtt / 2)));
    expect(Math.abs(r.offsetMs - offset)).toBeLessThanOrEqual(r.uncertaintyMs);
  });

  it('Date has whole seconds: a response stamped at .999 reads up to a second low, and the bound says so', () => {
    const s = clockSample(T, T, http(T + 999))!;
    expect(s.date).toBe(T);
    expect(offsetBounds(s)).toEqual([0, 1000]);
  });

  it('the server stamps Date anywhere between send and headers: both ends stay inside the bound', () => {
    for (const at of [0, 250, 500]) {
      const [lo, hi] = offsetBounds(reply(T + 123, 500, 7_000, at));
      expect(lo).toBeLessThanOrEqual(7_000);
      expect(hi).toBeGreaterThanOrEqual(7_000);
    }
  });

  it.each([
    ['no header', undefined],
    ['garbage', 'not a date'],
    ['empty', ''],
  ])('%s: no sample', (_, header) => {
    expect(clockSample(T, T + 10, header)).toBe(undefined);
  });

  it('a repeated header: the first; headers before the send (our clock stepped back): no sample', () => {
    expect(clockSample(T, T + 10, [http(T), http(T + 60_000)])?.date).toBe(T);
    expect(clockSample(T, T - 1, http(T))).toBe(undefined);
  });
});

describe('several responses', () => {
  it('intersect: responses on both sides of a second boundary narrow the offset below ±0.5 s', () => {
    const offset = 45_300;
    // Sent 100 ms apart across a whole second of the server's clock, 20 ms round trips.
    const samples = Array.from({ length: 12 }, (_, i) => reply(T + i * 100, 20, offset));
    const r = estimateOffset(samples)!;
    expect(r.samples).toBe(12);
    expect(r.uncertaintyMs).toBeLessThan(150);
    expect(Math.abs(r.offsetMs - offset)).toBeLessThanOrEqual(r.uncertaintyMs);
    // Never looser than the tightest single response.
    const single = Math.min(...samples.map((s) => estimateOffset([s])!.uncertaintyMs));
    expect(r.uncertaintyMs).toBeLessThanOrEqual(single);
  });

  it('a slow response does not widen what a fast one showed', () => {
    const fast = reply(T, 10, -2_000);
    const slow = reply(T + 50, 4_000, -2_000);
    const r = estimateOffset([slow, fast])!;
    expect(r.uncertaintyMs).toBeLessThanOrEqual(estimateOffset([fast])!.uncertaintyMs);
  });

  it('responses that disagree (a clock stepped between them): the tightest single one', () => {
    const before = reply(T, 400, 0);
    const after = reply(T + 1_000, 30, 60_000);
    const r = estimateOffset([before, after])!;
    expect(r).toEqual({ ...estimateOffset([after])!, samples: 2 });
  });

  it('none: no reading', () => {
    expect(estimateOffset([])).toBe(undefined);
  });
});

describe('ClockSamples (one cluster client)', () => {
  it('records responses with a Date, skips those without, and stops at its cap', () => {
    const c = new ClockSamples(3);
    expect(c.reading()).toBe(undefined);
    c.record(T, T + 10, undefined);
    expect(c.reading()).toBe(undefined);
    for (let i = 0; i < 5; i++) c.record(T + i * 100, T + i * 100 + 10, http(T + i * 100 + 5));
    expect(c.reading()?.samples).toBe(3);
  });
});
