/**
 * Synthetic ks-apiserver log streams for the LogTally tests: klog lines at chosen microseconds, and adversarial
 * patterns of n lines (bursts at one instant, interleaved sources and pods).
 */
import { LogTally } from '../../src/kubesphere/logs/index.js';

export const NOW = new Date('2024-01-16T08:00:00Z');
export const MESSAGE: Record<'cache-miss' | 'signature-invalid', string> = {
  'cache-miss': 'token not found in cache',
  'signature-invalid': 'signature is invalid',
};

/** 10:22:00 on Jan 15 plus `micros`, as klog prints it and as the tally reads it back (ms, no year). */
export function klogTime(micros: number): { text: string; ms: number } {
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
export function klog(micros: number, source: string, kind: keyof typeof MESSAGE = 'cache-miss'): string {
  return `W0115 ${klogTime(micros).text}       1 ${source}] ${MESSAGE[kind]}`;
}

export interface Line {
  line: string;
  pod: string;
}

/** Adversarial streams of n lines; every one keeps all chains open (one instant) unless it says otherwise. */
export const PATTERNS: Record<string, (n: number) => Line[]> = {
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

export function tally(lines: Line[]): LogTally {
  const t = new LogTally({ now: NOW });
  for (const { line, pod } of lines) t.add(line, { pod, container: 'ks-apiserver' });
  return t;
}
