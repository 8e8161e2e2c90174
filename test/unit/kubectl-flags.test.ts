import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  durationText,
  NO_REQUEST_TIMEOUT_MS,
  requestTimeoutFlag,
  verbosityFlag,
} from '../../src/commands/options.js';

describe('-v, as kubectl takes it (the old boolean -v is level 1)', () => {
  it.each([
    [[undefined, undefined], 0],
    [[false, undefined], 0],
    [[true, undefined], 1],
    [['6', undefined], 6], // -v 6, -v6, --verbose=6
    [['=6', undefined], 6], // -v=6 reaches commander as "=6"
    [[undefined, '9'], 9], // --v=9
    [[true, '6'], 6],
    [['7', '2'], 7],
    [['0', undefined], 0],
  ] as const)('%j -> %i', (values, level) => {
    expect(verbosityFlag(...values)).toBe(level);
  });

  it.each(['x', '-1', '100', '6s', ''])('refuses %j as a usage error', (value) => {
    expect(() => verbosityFlag(value)).toThrow(UsageError);
  });
});

describe('--request-timeout', () => {
  it.each([
    [undefined, 10_000],
    ['10s', 10_000],
    ['2', 2_000],
    ['1m30s', 90_000],
    ['0', NO_REQUEST_TIMEOUT_MS], // kubectl: zero means no timeout
    ['0s', NO_REQUEST_TIMEOUT_MS],
    ['1000h', NO_REQUEST_TIMEOUT_MS], // beyond setTimeout's range it would fire at once
  ] as const)('%j -> %i ms', (value, ms) => {
    expect(requestTimeoutFlag(value)).toBe(ms);
  });

  it.each(['-1s', 'soon', '10 parsecs'])('refuses %j as a usage error', (value) => {
    expect(() => requestTimeoutFlag(value)).toThrow(UsageError);
  });
});

describe('a duration as the report echoes it: Go syntax, whatever the user typed', () => {
  it.each([
    ['300', '300s'],
    [' 5 ', '5s'],
    ['5m', '5m'],
    ['1h30m', '1h30m'],
    ['0', '0s'],
  ])('%j -> %j', (typed, shown) => {
    expect(durationText(typed)).toBe(shown);
  });
});
