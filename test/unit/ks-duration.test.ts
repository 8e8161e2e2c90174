import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCESS_TOKEN_MAX_AGE,
  DEFAULT_MAXIMUM_CLOCK_SKEW,
  formatDuration,
  formatGoDuration,
  parseGoDuration,
} from '../../src/kubesphere/config/duration.js';

const S = 1_000_000_000n;
const H = 3600n * S;

describe('parseGoDuration: Go time.ParseDuration syntax', () => {
  it.each<[string, bigint]>([
    ['2h', 2n * H],
    ['2h0m0s', 2n * H],
    ['1h30m', 90n * 60n * S],
    ['10m0s', 600n * S],
    ['168h', 168n * H],
    ['168h0m0s', 168n * H],
    ['30m', 1800n * S],
    ['10s', 10n * S],
    ['1.5h', 90n * 60n * S],
    ['0.1h', 360n * S],
    ['.5s', S / 2n],
    ['1.s', S],
    ['300ms', 300_000_000n],
    ['1µs', 1000n],
    ['1μs', 1000n],
    ['1us', 1000n],
    ['2ns', 2n],
    ['+5m', 300n * S],
    ['-1.5h', -(90n * 60n * S)],
    ['1h1h', 2n * H],
    ['9223372036854775807ns', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
    ['2562047h', 2562047n * H],
  ])('%s is %s ns', (text, nanos) => {
    const r = parseGoDuration(text);
    expect(r).toMatchObject({ ok: true, nanos, zero: false, text, notes: [] });
  });

  it.each(['0', '0s', '0m', '0h', '0ms', '0us', '0ns', '+0', '-0', '0h0m0s', '0.0s'])(
    '%s is zero',
    (text) => {
      expect(parseGoDuration(text)).toMatchObject({ ok: true, nanos: 0n, zero: true });
    },
  );

  it.each<[string, RegExp]>([
    ['', /invalid duration/],
    ['7200', /missing unit/],
    ['1h 30m', /unknown unit "h "/],
    ['5d', /unknown unit "d"/],
    ['abc', /invalid duration/],
    ['.s', /invalid duration/],
    ['-', /invalid duration/],
    [' 2h', /invalid duration/],
    ['2H', /unknown unit "H"/],
    ['9223372036854775808ns', /invalid duration/],
    ['2562048h', /invalid duration/],
  ])('%j is rejected as Go rejects it', (text, reason) => {
    const r = parseGoDuration(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe("parseGoDuration: the same answers as Go's own time.ParseDuration", () => {
  // Printed by Go 1.26's time.ParseDuration for each input (a short program run once, its output pasted here):
  // the int64 edges, with either sign and over several segments, leading integers and fractions past 2^63,
  // float rounding of fractions, units, signs and stray text. An error is the message Go returns, which
  // diagnose shows as the reason ks-apiserver cannot load its configuration.
  it.each<[string, bigint | string]>([
    ['9223372036854775807ns', 9223372036854775807n],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['-9223372036854775808ns', -9223372036854775808n],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    ['2562047h', 9223369200000000000n],
    ['2562048h', 'time: invalid duration "2562048h"'],
    ['2562047h47m16.854775807s', 9223372036854775807n],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['-2562047h47m16.854775808s', -9223372036854775808n],
    ['9223372036.854775807s', 9223372036854775807n],
    ['9223372036.854775808s', 'time: invalid duration "9223372036.854775808s"'],
    ['-9223372036.854775808s', -9223372036854775808n],
    ['92233720368547758070ns', 'time: invalid duration "92233720368547758070ns"'],
    ['99999999999999999999ns', 'time: invalid duration "99999999999999999999ns"'],
    ['1.00000000000000000000000000001s', 1000000000n],
    ['0.9999999999999999999999h', 3600000000000n],
    ['1.5h', 5400000000000n],
    ['.5s', 500000000n],
    ['5.s', 5000000000n],
    ['.s', 'time: invalid duration ".s"'],
    ['1.h', 3600000000000n],
    ['+0', 0n],
    ['-0', 0n],
    ['0', 0n],
    ['', 'time: invalid duration ""'],
    ['+', 'time: invalid duration "+"'],
    ['-', 'time: invalid duration "-"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1h1', 'time: missing unit in duration "1h1"'],
    ['3h2m1.5s', 10921500000000n],
    ['1.0000000000000000001ms', 1000000n],
    ['100000000000000000000000.5s', 'time: invalid duration "100000000000000000000000.5s"'],
    ['0.1234567890123456789012h', 444444440444n],
    ['1µs', 1000n],
    ['1μs', 1000n],
    ['1us', 1000n],
    ['9223372036854775807ns1ns', 'time: invalid duration "9223372036854775807ns1ns"'],
    [
      '5000000000000000000ns5000000000000000000ns',
      'time: invalid duration "5000000000000000000ns5000000000000000000ns"',
    ],
    ['9223372036854775807ns.5ns', 9223372036854775807n],
    ['0.000000000000000000000000000000000000001h', 0n],
    [' 1s', 'time: invalid duration " 1s"'],
    ['1s ', 'time: unknown unit "s " in duration "1s "'],
    [
      '-5000000000000000000ns5000000000000000000ns',
      'time: invalid duration "-5000000000000000000ns5000000000000000000ns"',
    ],
    ['-9223372036854775808ns1ns', 'time: invalid duration "-9223372036854775808ns1ns"'],
    ['-9223372036854775807ns1ns', -9223372036854775808n],
    ['-2562047h47m16.854775809s', 'time: invalid duration "-2562047h47m16.854775809s"'],
    ['-0.5h', -1800000000000n],
    ['1.0000001h', 3600000360000n],
    ['-1.5m30s', -120000000000n],
  ])('%j', (input, go) => {
    const r = parseGoDuration(input);
    if (typeof go === 'string') expect(r).toEqual({ ok: false, text: input, reason: go });
    else expect(r).toMatchObject({ ok: true, nanos: go, zero: go === 0n });
  });
});

describe('parseGoDuration: values as YAML parsers hand them over', () => {
  it('absent means the 2h default', () => {
    expect(parseGoDuration(undefined)).toEqual({
      ok: true,
      nanos: 2n * H,
      zero: false,
      text: '2h',
      notes: ['default'],
    });
    expect(DEFAULT_ACCESS_TOKEN_MAX_AGE.nanos).toBe(2n * H);
  });

  it('null (an empty `key:`) keeps the default as well', () => {
    expect(parseGoDuration(null)).toMatchObject({ ok: true, nanos: 2n * H, notes: ['default'] });
  });

  it('takes another default when given one', () => {
    expect(parseGoDuration(undefined, DEFAULT_MAXIMUM_CLOCK_SKEW)).toMatchObject({
      nanos: 10n * S,
      text: '10s',
    });
  });

  it('YAML integer 0 is zero and not suspicious', () => {
    expect(parseGoDuration(0)).toEqual({ ok: true, nanos: 0n, zero: true, text: '0', notes: [] });
  });

  it('a YAML integer is nanoseconds: 7200 is 7.2µs, not two hours, and is flagged', () => {
    const r = parseGoDuration(7200);
    expect(r).toEqual({ ok: true, nanos: 7200n, zero: false, text: '7200', notes: ['bare-integer'] });
  });

  it.each<[unknown, RegExp]>([
    [1.5, /fractional/],
    [true, /boolean/],
    [{}, /object/],
    [2 ** 64, /out of range/],
  ])('%j is not a duration', (value, reason) => {
    const r = parseGoDuration(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('formatting', () => {
  it.each<[bigint, string, string]>([
    [0n, '0s', '0s'],
    [2n * H, '2h0m0s', '2h'],
    [90n * 60n * S, '1h30m0s', '1h30m'],
    [600n * S, '10m0s', '10m'],
    [168n * H, '168h0m0s', '168h'],
    [10n * S, '10s', '10s'],
    [90n * S + S / 2n, '1m30.5s', '1m30.5s'],
    [7200n, '7.2µs', '7.2µs'],
    [1_500_000n, '1.5ms', '1.5ms'],
    [1n, '1ns', '1ns'],
    [-2n * H, '-2h0m0s', '-2h'],
  ])('%s ns → Go %s, human %s', (nanos, go, human) => {
    expect(formatGoDuration(nanos)).toBe(go);
    expect(formatDuration(nanos)).toBe(human);
  });

  it.each(['2h0m0s', '1m30.5s', '7.2µs', '0s', '168h0m0s'])('Go form %s parses back to itself', (text) => {
    const r = parseGoDuration(text);
    expect(r.ok && formatGoDuration(r.nanos)).toBe(text);
  });
});
