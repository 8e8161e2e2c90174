/**
 * How a value is written into kubesphere.yaml so that ks-apiserver 3.x (Go yaml.v2, YAML 1.1) and this tool
 * (js-yaml, YAML 1.2) read back the same string (issue 13, the yaml area's mutants).
 */
import { describe, expect, it } from 'vitest';
import { isPlainSafe, parseScalarText, yamlKey, yamlString } from '../../src/kubesphere/yaml/scalar.js';

describe('isPlainSafe: a string written without quotes reads back as itself in YAML 1.1 and 1.2', () => {
  it.each(
    'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL'.split(
      ' ',
    ),
  )('%s is a boolean or null to yaml.v2: quoted', (word) => {
    expect(isPlainSafe(word)).toBe(false);
  });

  it.each([
    '1',
    '12',
    '-1',
    '+1',
    '1.5',
    '.5',
    '1.',
    '1e5',
    '1E-5',
    '1_000',
    '00',
    '0',
    '1__2',
    'e5',
    'E5',
    'e-5',
    'e55',
  ])('%s reads as a number somewhere: quoted', (s) => {
    expect(isPlainSafe(s)).toBe(false);
  });

  it.each(['0x1f', '0o17', '0b101', '0X1', '0xg', '2024-01-01', '2024-1-1', '2024-12-1', '2024-01-01x'])(
    '%s looks like a number or a date to YAML 1.1: quoted',
    (s) => {
      expect(isPlainSafe(s)).toBe(false);
    },
  );

  it.each(['-ab', '_ab', '.ab', 'a b', 'a:b', 'a#b', 'ab~', '~', '', 'é', '.inf'])(
    '%j starts or contains what plain YAML cannot carry: quoted',
    (s) => {
      expect(isPlainSafe(s)).toBe(false);
    },
  );

  it.each([
    'yess',
    'ony',
    'xon',
    'offx',
    'nope',
    'Yes1',
    'TRUe',
    'nUll',
    '202-01-01',
    'abc',
    'a.b',
    'a/b',
    'a-b',
  ])('%s is plain-safe', (s) => {
    expect(isPlainSafe(s)).toBe(true);
  });

  it.each([
    'a0x1',
    'v2024-01-01',
    'a_b',
    'A9',
    '9a',
    '9.9.9',
    '1.2e',
    'inf',
    'nan',
    'ABC123def',
    'FAKEv33hostJwtSecret000000000000',
  ])('%s is plain-safe too', (s) => {
    expect(isPlainSafe(s)).toBe(true);
  });
});

describe('yamlString: the preferred style, or double quotes with escapes', () => {
  it.each<[string, string, string, string]>([
    ['abc', 'abc', "'abc'", '"abc"'],
    ['yes', '"yes"', "'yes'", '"yes"'],
    [' ', '" "', "' '", '" "'],
    ['~', '"~"', "'~'", '"~"'],
    ["it's", '"it\'s"', "'it''s'", '"it\'s"'],
    ['a"b', '"a\\"b"', "'a\"b'", '"a\\"b"'],
    ['\u00a0', '"\u00a0"', "'\u00a0'", '"\u00a0"'],
    ['\u2027', '"\u2027"', "'\u2027'", '"\u2027"'],
    ['\u202a', '"\u202a"', "'\u202a'", '"\u202a"'],
    ['\ufefe', '"\ufefe"', "'\ufefe'", '"\ufefe"'],
    ['\ufffd', '"\ufffd"', "'\ufffd'", '"\ufffd"'],
    ['~\u007e', '"~~"', "'~~'", '"~~"'],
  ])('%j: plain %s, single %s, double %s', (s, plain, single, double) => {
    expect([yamlString(s, 'plain'), yamlString(s, 'single'), yamlString(s, 'double')]).toEqual([
      plain,
      single,
      double,
    ]);
    expect(yamlString(s)).toBe(plain);
  });

  it.each<[string, string]>([
    ['a\u0000b', '"a\\u0000b"'],
    ['\u001f', '"\\u001f"'],
    ['\u007f', '"\\u007f"'],
    ['\u0080', '"\\u0080"'],
    ['\u009f', '"\\u009f"'],
    ['\u2028', '"\\u2028"'],
    ['\u2029', '"\\u2029"'],
    ['\ufeff', '"\\ufeff"'],
    ['\ufffe', '"\\ufffe"'],
    ['\uffff', '"\\uffff"'],
    ['x\u0085y\u0085', '"x\\u0085y\\u0085"'],
    ['\t', '"\\t"'],
    ['\n', '"\\n"'],
  ])('%j is escaped in double quotes whatever the style asked for', (s, token) => {
    for (const style of ['plain', 'single', 'double'] as const) expect(yamlString(s, style)).toBe(token);
  });
});

describe('yamlKey: a new key that reads back as the same string', () => {
  it.each([
    ['abc', 'abc'],
    ['a.b', 'a.b'],
    ['x9', 'x9'],
    ['1abc', '"1abc"'],
    ['9', '"9"'],
    ['a b', '"a b"'],
    ['true', '"true"'],
  ])('%s is written %s', (key, written) => {
    expect(yamlKey(key)).toBe(written);
  });
});

describe('parseScalarText: what an already-formatted value means', () => {
  it.each<[string, string | number | boolean | null]>([
    ['0s', '0s'],
    ['"abc"', 'abc'],
    ["'x'", 'x'],
    ['~', null],
    ['null', null],
    ['12', 12],
    ['1.5', 1.5],
    ['true', true],
    ['a # c', 'a'],
    ['!!int 3', 3],
  ])('%s is %j', (text, value) => {
    expect(parseScalarText(text)).toEqual({ ok: true, value });
  });

  it.each<[string, string]>([
    ['a\rb', 'the value spans several lines'],
    ['a\nb', 'the value spans several lines'],
    ['\t0s', 'the value is empty or padded'],
    ['0s ', 'the value is empty or padded'],
    ['', 'the value is empty or padded'],
    ['   ', 'the value is empty or padded'],
    ['a: b', 'not a YAML scalar: bad indentation of a mapping entry'],
    ['[1]', 'not a single scalar value'],
    ['{a: 1}', 'not a single scalar value'],
    ['!!binary aGk=', 'not a single scalar value'],
    ['2024-01-01', 'not a single scalar value'],
    ['*a', 'not a YAML scalar: unidentified alias "a"'],
    ['"a', 'not a YAML scalar: unexpected end of the stream within a double quoted scalar'],
  ])('%j is refused: %s', (text, reason) => {
    expect(parseScalarText(text)).toEqual({ ok: false, reason });
  });
});
