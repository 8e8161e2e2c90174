/**
 * How LogTally groups lines into requests, on inputs no fixture has: lines at the window's edge, with and
 * without times, out of order, interleaved pods and sources (against the simple rule, as properties), and the
 * chain work and open chains counted exactly on small inputs. Linearity on 10⁵-line inputs: ks-logs-linear.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogTally, type LogEventKind } from '../../src/kubesphere/logs/index.js';
import { klog, klogTime, MESSAGE, NOW, PATTERNS, tally } from '../helpers/klog-lines.js';

describe('LogTally: chains at the edges', () => {
  const count = (lines: string[], opts: { chainWindowMs?: number } = {}): number => {
    const t = new LogTally({ now: NOW, ...opts });
    for (const line of lines) t.add(line, { pod: 'p' });
    return t.result().kinds['signature-invalid'].requests;
  };
  const issuer = (time: string): string =>
    `W0115 ${time}       1 issuer.go:182] jwt: failed to parse token: signature is invalid`;
  const jwt = (time: string): string => `W0115 ${time}       1 jwt.go:53] signature is invalid`;

  it('lines exactly the window apart are one request, a microsecond more are two', () => {
    expect(count([issuer('10:26:00.000000'), jwt('10:26:00.020000')])).toBe(1);
    expect(count([issuer('10:26:00.000000'), jwt('10:26:00.020001')])).toBe(2);
  });

  it('a line with a time and one without chain by their distance in lines', () => {
    const bare = 'jwt: failed to parse token: signature is invalid';
    expect(count([bare, jwt('10:26:00.000000')])).toBe(1);
    expect(count([jwt('10:26:00.000000'), bare])).toBe(1);
  });

  it('an out-of-order line never joins a chain that closed before the line after it', () => {
    // 10:26:00.100 opens a chain; an older line opens another; a line at .100 from the first source must not
    // join the older chain (80 ms away) and is a request of its own.
    expect(count([jwt('10:26:00.100000'), issuer('10:26:00.000000'), jwt('10:26:00.100000')])).toBe(3);
  });

  it('a chain joined later moves behind the others, so the closed ones before it are dropped', () => {
    // Two requests open at 0 ms; the first is joined at 15 ms. At 30 ms the second (last seen at 0 ms) has
    // closed and is dropped although it was opened after the first, which is still open and is joined.
    const t = tally([
      { line: klog(0, 'issuer.go:182'), pod: 'p' },
      { line: klog(0, 'issuer.go:182'), pod: 'p' },
      { line: klog(15_000, 'jwt.go:53'), pod: 'p' },
      { line: klog(30_000, 'authentication.go:64'), pod: 'p' },
      // The first chain has seen issuer.go already: a new request.
      { line: klog(30_000, 'issuer.go:182'), pod: 'p' },
    ]);
    expect(t.result().kinds['cache-miss'].requests).toBe(3);
    expect(t.stats().openChains).toBe(2);
  });

  it('a line out of time order never joins a chain that has closed by the next line', () => {
    // A request (issuer.go, jwt.go) at 100 ms, an older issuer.go line at 85 ms that opens a second one, then
    // jwt.go at 106 ms: the first has seen jwt.go, the second is 21 ms away and closed, so it is a new request.
    const t = tally([
      { line: klog(100_000, 'issuer.go:182'), pod: 'p' },
      { line: klog(100_000, 'jwt.go:53'), pod: 'p' },
      { line: klog(85_000, 'issuer.go:182'), pod: 'p' },
      { line: klog(106_000, 'jwt.go:53'), pod: 'p' },
    ]);
    expect(t.result().kinds['cache-miss'].requests).toBe(3);
  });

  it('counts one step per line and, per chain dropped, one step plus one per source it had seen', () => {
    // 50 lines 1 ms apart from one source: 50 chains; after the last line (49 ms) those that were last touched
    // before 29 ms are dropped: 29 chains of one source each.
    const single = tally(PATTERNS['a line every 1 ms (20 open chains)']!(50));
    expect(single.stats()).toMatchObject({ chainSteps: 50 + 29 * 2, openChains: 21 });
    // 25 requests of two lines (issuer.go, then jwt.go at the same instant) 2 ms apart: 25 chains, 25 joins;
    // after the last (48 ms) the 14 chains touched before 28 ms are dropped, each with two sources.
    const pairs = Array.from({ length: 50 }, (_, i) => ({
      line: klog(Math.floor(i / 2) * 2000, i % 2 ? 'jwt.go:53' : 'issuer.go:182'),
      pod: 'p',
    }));
    const paired = tally(pairs);
    expect(paired.result().kinds['cache-miss'].requests).toBe(25);
    expect(paired.stats()).toMatchObject({ chainSteps: 25 + 25 + 14 * 3, openChains: 11 });
  });
});

/**
 * The grouping rule, stated as simply as possible (it was the implementation before it became linear): at each
 * line, drop the chains of its stream and kind that are no longer open, join the oldest one without the line's
 * source, else open a new one.
 */
/** The simple rule, line by line: the requests it counts and the chains it holds open. */
class Reference {
  private readonly chains = new Map<
    string,
    Array<{ lastMs?: number; lastSeq: number; sources: Set<string> }>
  >();
  private readonly seqs = new Map<string, number>();
  requests = 0;

  /** True when the line opens a new request. */
  add({ stream, ms, source }: { stream: string; ms?: number; source: string }): boolean {
    const seq = (this.seqs.get(stream) ?? 0) + 1;
    this.seqs.set(stream, seq);
    const open = (this.chains.get(stream) ?? []).filter((c) =>
      ms !== undefined && c.lastMs !== undefined ? Math.abs(ms - c.lastMs) <= 20 : seq - c.lastSeq <= 4,
    );
    this.chains.set(stream, open);
    const chain = open.find((c) => !c.sources.has(source));
    if (chain) {
      chain.sources.add(source);
      chain.lastMs = ms;
      chain.lastSeq = seq;
      return false;
    }
    open.push({ ...(ms === undefined ? {} : { lastMs: ms }), lastSeq: seq, sources: new Set([source]) });
    this.requests++;
    return true;
  }

  /** Chains still open as of each stream's last line. */
  get open(): number {
    return [...this.chains.values()].reduce((n, c) => n + c.length, 0);
  }
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
        const ref = new Reference();
        const requests: Record<LogEventKind, number> = { 'cache-miss': 0, 'signature-invalid': 0 } as never;
        for (const s of steps) {
          const micros = (clock.get(s.pod) ?? 0) + s.gapMicros;
          clock.set(s.pod, micros);
          t.add(klog(micros, SOURCES[s.source]!, s.kind), { pod: s.pod });
          const source = SOURCES[s.source]!;
          if (ref.add({ stream: `${s.pod}/${s.kind}`, ms: klogTime(micros).ms, source })) requests[s.kind]++;
          // In time order the chains touched longest ago are the closed ones: none is held after it closed.
          expect(t.stats().openChains).toBe(ref.open);
        }
        const r = t.result();
        for (const kind of ['cache-miss', 'signature-invalid'] as const) {
          expect(r.kinds[kind].requests).toBe(requests[kind]);
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
        const ref = new Reference();
        for (const i of picks) ref.add({ stream: 'p', source: messages[i]! });
        expect(t.result().kinds['signature-invalid'].requests).toBe(ref.requests);
        expect(t.stats().openChains).toBe(ref.open);
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
