/**
 * How LogTally groups lines into requests, on inputs no fixture has: bursts of thousands of lines at one instant,
 * interleaved pods and sources. The work is counted (LogTally.stats), not timed: performance is measured by the
 * benchmark, and a test asserts the structure — a bounded number of chain steps per line, whatever the input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogTally, type LogEventKind } from '../../src/kubesphere/logs/index.js';

const NOW = new Date('2024-01-16T08:00:00Z');
const MESSAGE: Record<'cache-miss' | 'signature-invalid', string> = {
  'cache-miss': 'token not found in cache',
  'signature-invalid': 'signature is invalid',
};

/** 10:22:00 on Jan 15 plus `micros`, as klog prints it and as the tally reads it back (ms, no year). */
function klogTime(micros: number): { text: string; ms: number } {
  const total = 22 * 60_000_000 + micros;
  const mm = Math.floor(total / 60_000_000) % 60;
  const ss = Math.floor(total / 1_000_000) % 60;
  const us = total % 1_000_000;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return {
    text: `10:${pad(mm)}:${pad(ss)}.${pad(us, 6)}`,
    ms: Date.UTC(2024, 0, 15, 10, mm, ss) + us / 1000,
  };
}

/** A klog line at `micros` after 10:22:00 on Jan 15, from source line `source`. */
function klog(micros: number, source: string, kind: keyof typeof MESSAGE = 'cache-miss'): string {
  return `W0115 ${klogTime(micros).text}       1 ${source}] ${MESSAGE[kind]}`;
}

interface Line {
  line: string;
  pod: string;
}

/** Adversarial streams of n lines; every one keeps all chains open (one instant) unless it says otherwise. */
const PATTERNS: Record<string, (n: number) => Line[]> = {
  'one instant, one source': (n) =>
    Array.from({ length: n }, () => ({ line: klog(0, 'jwt.go:53'), pod: 'p' })),
  'one instant, two sources alternating': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: klog(0, i % 2 ? 'jwt.go:53' : 'issuer.go:182'), pod: 'p' })),
  'one instant, a block of each source': (n) =>
    Array.from({ length: n }, (_, i) => ({
      line: klog(0, i < n / 2 ? 'issuer.go:182' : 'jwt.go:53'),
      pod: 'p',
    })),
  'one instant, pods alternating': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: klog(0, 'jwt.go:53'), pod: `p${i % 2}` })),
  'one instant, a new source every line': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: klog(0, `gen.go:${i}`), pod: 'p' })),
  'one instant, sources cycling with one skipped': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: klog(0, `s.go:${(i * 7) % 5}`), pod: 'p' })),
  'no timestamps, distinct messages': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: `jwt: token is expired by ${i}s`, pod: 'p' })),
  'a line every 1 ms (20 open chains)': (n) =>
    Array.from({ length: n }, (_, i) => ({ line: klog(i * 1000, 'jwt.go:53'), pod: 'p' })),
};

function tally(lines: Line[]): LogTally {
  const t = new LogTally({ now: NOW });
  for (const { line, pod } of lines) t.add(line, { pod, container: 'ks-apiserver' });
  return t;
}

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

  it('holds only the chains still open: closed ones are dropped as time moves on', () => {
    const t = tally(PATTERNS['a line every 1 ms (20 open chains)']!(50_000));
    expect(t.result().kinds['cache-miss'].requests).toBe(50_000);
    expect(t.stats().openChains).toBeLessThanOrEqual(21);
  });
});

/**
 * The grouping rule, stated as simply as possible (it was the implementation before it became linear): at each
 * line, drop the chains of its stream and kind that are no longer open, join the oldest one without the line's
 * source, else open a new one.
 */
function referenceRequests(lines: Array<{ stream: string; ms?: number; source: string }>): number {
  const chains = new Map<string, Array<{ lastMs?: number; lastSeq: number; sources: Set<string> }>>();
  const seqs = new Map<string, number>();
  let requests = 0;
  for (const { stream, ms, source } of lines) {
    const seq = (seqs.get(stream) ?? 0) + 1;
    seqs.set(stream, seq);
    const open = (chains.get(stream) ?? []).filter((c) =>
      ms !== undefined && c.lastMs !== undefined ? Math.abs(ms - c.lastMs) <= 20 : seq - c.lastSeq <= 4,
    );
    const chain = open.find((c) => !c.sources.has(source));
    if (chain) {
      chain.sources.add(source);
      chain.lastMs = ms;
      chain.lastSeq = seq;
    } else {
      open.push({ ...(ms === undefined ? {} : { lastMs: ms }), lastSeq: seq, sources: new Set([source]) });
      requests++;
    }
    chains.set(stream, open);
  }
  return requests;
}

describe('LogTally groups lines exactly as the simple rule does', () => {
  const SOURCES = ['issuer.go:182', 'jwt.go:53', 'authentication.go:64', 'token.go:65'];
  const step = fc.record({
    pod: fc.constantFrom('a', 'b'),
    kind: fc.constantFrom<keyof typeof MESSAGE>('cache-miss', 'signature-invalid'),
    source: fc.integer({ min: 0, max: SOURCES.length - 1 }),
    // Mostly bursts (0 µs apart), some within the 20 ms window, some beyond it.
    gapMicros: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 25_000 }), fc.constant(500_000)),
  });

  it('with timestamps, in time order per pod', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const clock = new Map<string, number>();
        const t = new LogTally({ now: NOW });
        const ref: Array<{ stream: string; ms?: number; source: string; kind: LogEventKind }> = [];
        for (const s of steps) {
          const micros = (clock.get(s.pod) ?? 0) + s.gapMicros;
          clock.set(s.pod, micros);
          t.add(klog(micros, SOURCES[s.source]!, s.kind), { pod: s.pod });
          ref.push({
            stream: `${s.pod}/${s.kind}`,
            ms: klogTime(micros).ms,
            source: SOURCES[s.source]!,
            kind: s.kind,
          });
        }
        const r = t.result();
        for (const kind of ['cache-miss', 'signature-invalid'] as const) {
          expect(r.kinds[kind].requests).toBe(referenceRequests(ref.filter((l) => l.kind === kind)));
        }
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });

  it('without timestamps (lines at most 4 apart chain)', () => {
    const messages = [
      'jwt: failed to parse token: signature is invalid',
      'signature is invalid',
      'Request authentication failed: signature is invalid',
    ];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: messages.length - 1 }), { maxLength: 300 }), (picks) => {
        const t = new LogTally({ now: NOW });
        for (const i of picks) t.add(messages[i]!, { pod: 'p' });
        const ref = picks.map((i) => ({ stream: 'p', source: messages[i]! }));
        expect(t.result().kinds['signature-invalid'].requests).toBe(referenceRequests(ref));
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
