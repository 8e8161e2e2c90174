/**
 * Go `time.Duration` values as ks-apiserver reads them from kubesphere.yaml (viper + mapstructure on 3.x and
 * 4.x): a string goes through `time.ParseDuration`, a YAML integer is taken as nanoseconds, null or absent
 * keeps the compiled-in default.
 */

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SEC = 1000n * MS;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;

const UNITS: Record<string, bigint> = { ns: NS, us: US, µs: US, μs: US, ms: MS, s: SEC, m: MIN, h: HOUR };
const MAX_INT64 = (1n << 63n) - 1n;
const TWO_63 = 1n << 63n;

/**
 * Why a duration deserves a second look.
 * - `default`: the key is absent (or null), so ks-apiserver uses its compiled-in default.
 * - `bare-integer`: a YAML integer, which ks-apiserver reads as nanoseconds (`7200` is 7.2µs, not 2h).
 */
export type DurationNote = 'default' | 'bare-integer';

export type DurationOk = { ok: true; nanos: bigint; zero: boolean; text: string; notes: DurationNote[] };
export type DurationError = { ok: false; text: string; reason: string };
export type DurationResult = DurationOk | DurationError;

export interface DurationDefault {
  readonly text: string;
  readonly nanos: bigint;
}

/** `accessTokenMaxAge` when absent: 2h in every version (oauth.NewOptions / NewIssuerOptions). */
export const DEFAULT_ACCESS_TOKEN_MAX_AGE: DurationDefault = { text: '2h', nanos: 2n * HOUR };
/** `maximumClockSkew` when absent: 10s. */
export const DEFAULT_MAXIMUM_CLOCK_SKEW: DurationDefault = { text: '10s', nanos: 10n * SEC };

/**
 * Reads a duration value the way ks-apiserver does. `value` is what a YAML parser produced: a string, a number,
 * null or undefined. A unit-less string other than "0" (e.g. quoted "7200") fails, as it does in Go, where it
 * stops ks-apiserver from loading its configuration.
 */
export function parseGoDuration(
  value: unknown,
  fallback: DurationDefault = DEFAULT_ACCESS_TOKEN_MAX_AGE,
): DurationResult {
  if (value === undefined || value === null) {
    return {
      ok: true,
      nanos: fallback.nanos,
      zero: fallback.nanos === 0n,
      text: fallback.text,
      notes: ['default'],
    };
  }
  if (typeof value === 'number' || typeof value === 'bigint') return fromInteger(value);
  if (typeof value !== 'string') {
    return { ok: false, text: String(value), reason: `a ${typeof value} is not a duration` };
  }
  const parsed = goParseDuration(value);
  if (typeof parsed === 'string') return { ok: false, text: value, reason: parsed };
  return { ok: true, nanos: parsed, zero: parsed === 0n, text: value, notes: [] };
}

function fromInteger(value: number | bigint): DurationResult {
  const text = String(value);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return { ok: false, text, reason: 'a fractional number has no unit; write e.g. "1.5h"' };
  }
  const nanos = BigInt(value);
  if (nanos > MAX_INT64 || nanos < -TWO_63) {
    return { ok: false, text, reason: 'out of range for a Go duration' };
  }
  return { ok: true, nanos, zero: nanos === 0n, text, notes: nanos === 0n ? [] : ['bare-integer'] };
}

/** A port of Go's time.ParseDuration: nanoseconds, or the error text Go would give. */
function goParseDuration(orig: string): bigint | string {
  const invalid = `time: invalid duration "${orig}"`;
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    const int = leadingInt(s);
    if (int === undefined) return invalid;
    const pre = int.rest.length !== s.length;
    s = int.rest;
    let frac = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      const f = leadingFraction(s);
      post = f.rest.length !== s.length;
      frac = f.value;
      scale = f.scale;
      s = f.rest;
    }
    if (!pre && !post) return invalid;
    let i = 0;
    while (i < s.length && s[i] !== '.' && !isDigit(s[i])) i++;
    if (i === 0) return `time: missing unit in duration "${orig}"`;
    const unitText = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS[unitText];
    if (unit === undefined) return `time: unknown unit "${unitText}" in duration "${orig}"`;
    if (int.value > TWO_63 / unit) return invalid;
    let v = int.value * unit;
    if (frac > 0n) {
      // Go does this step in float64 too, so fractions of hours round the same way.
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > TWO_63) return invalid;
    }
    total += v;
    if (total > TWO_63) return invalid;
  }
  if (neg) return -total;
  if (total > MAX_INT64) return invalid;
  return total;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function leadingInt(s: string): { value: bigint; rest: string } | undefined {
  let x = 0n;
  let i = 0;
  for (; i < s.length && isDigit(s[i]); i++) {
    if (x > TWO_63 / 10n) return undefined;
    x = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (x > TWO_63) return undefined;
  }
  return { value: x, rest: s.slice(i) };
}

function leadingFraction(s: string): { value: bigint; scale: number; rest: string } {
  let x = 0n;
  let scale = 1;
  let overflow = false;
  let i = 0;
  for (; i < s.length && isDigit(s[i]); i++) {
    if (overflow) continue;
    if (x > MAX_INT64 / 10n) {
      overflow = true;
      continue;
    }
    const y = x * 10n + BigInt(s.charCodeAt(i) - 48);
    if (y > TWO_63) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  return { value: x, scale, rest: s.slice(i) };
}

/** Go's Duration.String(): "2h0m0s", "10m0s", "7.2µs", "0s" — the form Go's YAML encoder writes. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const u = nanos < 0n ? -nanos : nanos;
  if (u < SEC) {
    if (u < US) return `${sign}${u}ns`;
    if (u < MS) return `${sign}${decimal(u, US)}µs`;
    return `${sign}${decimal(u, MS)}ms`;
  }
  const h = u / HOUR;
  const m = (u % HOUR) / MIN;
  const s = decimal(u % MIN, SEC);
  if (h > 0n) return `${sign}${h}h${m}m${s}s`;
  if (m > 0n) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** For people, as KubeSphere users write durations: "2h", "1h30m", "168h", "1m30.5s", "7.2µs", "0s". */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const u = nanos < 0n ? -nanos : nanos;
  if (u < SEC) return formatGoDuration(nanos);
  const parts: string[] = [];
  const h = u / HOUR;
  const m = (u % HOUR) / MIN;
  const rest = u % MIN;
  if (h > 0n) parts.push(`${h}h`);
  if (m > 0n) parts.push(`${m}m`);
  if (rest > 0n) parts.push(`${decimal(rest, SEC)}s`);
  return sign + parts.join('');
}

/** `value / unit` as a decimal without trailing zeros. */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const frac = value % unit;
  if (frac === 0n) return String(whole);
  const width = String(unit).length - 1;
  return `${whole}.${String(frac).padStart(width, '0').replace(/0+$/, '')}`;
}
