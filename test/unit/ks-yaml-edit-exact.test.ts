/**
 * The editor rewrites a user's kubesphere.yaml in place: every resulting document is compared byte for byte, and
 * every refusal by its code and its exact words (issue 13, the yaml area's mutants).
 */
import { describe, expect, it } from 'vitest';
import { currentStyle, setScalar, setString } from '../../src/kubesphere/yaml/edit.js';

const P = ['authentication', 'oauthOptions', 'accessTokenMaxAge'];

describe('setScalar writes exactly these bytes', () => {
  it.each<[string, string, string[], string, string]>([
    ['a key added after a last line without a line break', 'a: 1', ['b'], '2', 'a: 1\nb: 2'],
    [
      'CRLF without a final break: the new line gets CRLF',
      'a: 1\r\nb: 2',
      ['c'],
      '3',
      'a: 1\r\nb: 2\r\nc: 3',
    ],
    [
      'a nested key added keeps the CRLF of its block, the LF-ended last line stays LF',
      'a:\r\n  b: 1\r\nc: 2\n',
      ['a', 'd'],
      '3',
      'a:\r\n  b: 1\r\n  d: 3\r\nc: 2\n',
    ],
    [
      'a key added after a block scalar goes below its text',
      'a:\n  b: |\n    x\n',
      ['a', 'c'],
      '3',
      'a:\n  b: |\n    x\n  c: 3\n',
    ],
    [
      'a key added after a block scalar that ends the file without a break',
      'a:\n  b: |\n    x',
      ['a', 'c'],
      '3',
      'a:\n  b: |\n    x\n  c: 3',
    ],
    [
      'a key added before the blank line and the comment that follow its block',
      'a:\n  b: 1\n\n# trailing\n',
      ['a', 'c'],
      '3',
      'a:\n  b: 1\n  c: 3\n\n# trailing\n',
    ],
    [
      "a key added right after its block's last value, above an indented comment",
      'a:\n  b: 1\n  # inner\n\nz: 1\n',
      ['a', 'c'],
      '3',
      'a:\n  b: 1\n  c: 3\n  # inner\n\nz: 1\n',
    ],
    [
      'a new top-level block in a document indented as a whole',
      '  a: 1\n  b: 2\n',
      ['c', 'd'],
      '3',
      '  a: 1\n  b: 2\n  c:\n    d: 3\n',
    ],
    [
      'a top-level key after a list of mappings',
      'a:\n- x: 1\n  y: 2\nb: 1\n',
      ['b'],
      '3',
      'a:\n- x: 1\n  y: 2\nb: 3\n',
    ],
    [
      'a top-level key after a nested list',
      'a:\n- - x\n  - y\nb: 1\n',
      ['b'],
      '3',
      'a:\n- - x\n  - y\nb: 3\n',
    ],
    ['the comment after a plain value stays', 'a: 1 # c\n', ['a'], '2', 'a: 2 # c\n'],
    ['a single-quoted value stays single-quoted', "a: 'x' # c\n", ['a'], '"y"', "a: 'y' # c\n"],
    ['a quoted key', '"a b": 1\n', ['a b'], '2', '"a b": 2\n'],
    ['the key true is the string "true"', 'true: 1\n', ['true'], '3', 'true: 3\n'],
    ['trailing spaces after a value stay', 'a:\n  b: x  \n', ['a', 'b'], 'y', 'a:\n  b: y  \n'],
    [
      'a key added under a parent whose line ends in a comment',
      'a:    # c\n  b: 1\n',
      ['a', 'c'],
      '2',
      'a:    # c\n  b: 1\n  c: 2\n',
    ],
    ['a: null keeps its comment', 'a: null # c\n', ['a', 'c'], '2', 'a: # c\n  c: 2\n'],
    ['a: NULL', 'a: NULL\n', ['a', 'c'], '2', 'a:\n  c: 2\n'],
    ['a: Null', 'a: Null\n', ['a', 'c'], '2', 'a:\n  c: 2\n'],
    ['a: {} keeps its comment', 'a: {}   # c\n', ['a', 'c'], '2', 'a:   # c\n  c: 2\n'],
    ['a: { }', 'a: { }\n', ['a', 'c'], '2', 'a:\n  c: 2\n'],
    [
      'a 4-space file: two new levels at 4 spaces each',
      'a:\n    b: 1\n    c: 2\n',
      ['a', 'd', 'e'],
      '2',
      'a:\n    b: 1\n    c: 2\n    d:\n        e: 2\n',
    ],
    [
      'an empty key followed by a sibling gets its block between them',
      'a:\n  b:\n  c: 1\n',
      ['a', 'b', 'x'],
      '2',
      'a:\n  b:\n    x: 2\n  c: 1\n',
    ],
    ['a number replaces a quoted string unquoted', "a: 'x'\n", ['a'], '5', 'a: 5\n'],
    ['a boolean replaces a quoted string unquoted', 'a: "x"\n', ['a'], 'true', 'a: true\n'],
    ['null replaces a quoted string unquoted', 'a: "x"\n', ['a'], 'null', 'a: null\n'],
    ['a single-quoted value given for a double-quoted one', 'a: "x"\n', ['a'], "'y'", 'a: "y"\n'],
  ])('%s', (_name, before, path, value, after) => {
    expect(setScalar(before, path, value)).toEqual({ ok: true, changed: true, text: after });
  });

  it.each<[string, string[], string]>([
    ['a: 1\n', ['1x', '2'], 'a: 1\n"1x":\n  "2": 3\n'],
    ['a: 1\n', ['a b', 'c'], 'a: 1\n"a b":\n  c: 3\n'],
    ['a: 1\n', ['true', 'c'], 'a: 1\n"true":\n  c: 3\n'],
  ])('new keys that would not read back as the same string are quoted: %j %j', (before, path, after) => {
    expect(setScalar(before, path, '3')).toEqual({ ok: true, changed: true, text: after });
  });

  it('keepQuoteStyle false writes the value as given', () => {
    expect(setScalar("a: 'x'\n", ['a'], '"y"', { keepQuoteStyle: false })).toEqual({
      ok: true,
      changed: true,
      text: 'a: "y"\n',
    });
  });

  it.each([
    ["a: 'x'\n", "'x'"],
    ['a: "\\x41"\n', 'A'],
    ['a: "\\x41"\n', '"A"'],
  ])('a quoted value that already reads as asked stays as written: %j', (text, value) => {
    expect(setScalar(text, ['a'], value)).toEqual({ ok: true, changed: false, text });
  });
});

describe('setScalar: line breaks and empty documents', () => {
  it.each<[string, string[], string, string]>([
    ['# c', ['a'], '1', '# c\na: 1'],
    ['\n', ['a'], '1', '\na: 1\n'],
    ['---', ['a'], '1', '---\na: 1'],
    ['---\n', ['a', 'b'], '1', '---\na:\n  b: 1\n'],
    ['a: 1\r\nb: 2\n', ['a'], '2', 'a: 2\r\nb: 2\n'],
    ['a: 1\nb: 2\r\n', ['b'], '3', 'a: 1\nb: 3\r\n'],
    ['a: 1\nb: 2\r\n', ['c'], '3', 'a: 1\nb: 2\r\nc: 3\n'],
    ['a: 1\r\nb: 2\n', ['c'], '3', 'a: 1\r\nb: 2\nc: 3\r\n'],
    ['a:\n  b: 1', ['a', 'b'], '2', 'a:\n  b: 2'],
    ['a:\n  b: 1\r\n', ['a', 'c'], '2', 'a:\n  b: 1\r\n  c: 2\n'],
    ['a:\n  x:\n    y: 1\n  z: 2\n', ['a', 'x', 'w'], '3', 'a:\n  x:\n    y: 1\n    w: 3\n  z: 2\n'],
    ['a:\n  x:\n    y: 1\n\n  z: 2\n', ['a', 'x', 'w'], '3', 'a:\n  x:\n    y: 1\n    w: 3\n\n  z: 2\n'],
    ['a: ~\n', ['a', 'b', 'c'], '3', 'a:\n  b:\n    c: 3\n'],
    ['a: {}\r\n', ['a', 'b'], '3', 'a:\r\n  b: 3\r\n'],
    ['a:\n    b: ~\n', ['a', 'b', 'c'], '1', 'a:\n    b:\n        c: 1\n'],
    ['a:\n  b: 1\nc:\n', ['c', 'd'], '1', 'a:\n  b: 1\nc:\n  d: 1\n'],
    ['a:\n  b: 1\nc:', ['c', 'd'], '1', 'a:\n  b: 1\nc:\n  d: 1'],
    ['x: 1\na:\n', ['a', 'b'], '1', 'x: 1\na:\n  b: 1\n'],
    ['a: "x"  # note\n', ['a'], '"y"', 'a: "y"  # note\n'],
    ['a:     1\n', ['a'], '2', 'a:     2\n'],
    ['a:  # c\n', ['a'], '2', 'a: 2  # c\n'],
    ['a:\t# c\n', ['a'], '2', 'a: 2\t# c\n'],
    ['a:\n', ['a'], '2', 'a: 2\n'],
  ])('%j, %j = %s gives %j', (before, path, value, after) => {
    expect(setScalar(before, path, value)).toEqual({ ok: true, changed: true, text: after });
  });
});

describe('setScalar refuses with these words', () => {
  it.each<[string, string, string[], string, string, string]>([
    [
      'an anchor on the path',
      'authentication: &auth\n  oauthOptions:\n    accessTokenMaxAge: 2h\nother: *auth\n',
      P,
      '0s',
      'anchor-or-alias',
      'authentication uses an anchor, alias or tag; edit it by hand',
    ],
    [
      'an alias on the path',
      'base: &b\n  oauthOptions:\n    accessTokenMaxAge: 2h\nauthentication: *b\n',
      P,
      '0s',
      'anchor-or-alias',
      'authentication uses an anchor, alias or tag; edit it by hand',
    ],
    [
      'a merge key beside a key on the path',
      'base: &b\n  x: 1\nauthentication:\n  <<: *b\n  oauthOptions:\n    accessTokenMaxAge: 2h\n',
      P,
      '0s',
      'merge-key',
      'the mapping holding authentication.oauthOptions uses a << merge key',
    ],
    [
      'a merge key in the mapping a key would be added to',
      'base: &b\n  x: 1\nauthentication:\n  oauthOptions:\n    <<: *b\n',
      P,
      '0s',
      'merge-key',
      'authentication.oauthOptions uses a << merge key',
    ],
    [
      'a merge key two levels above the key to add',
      'base: &b\n  x: 1\nauthentication:\n  <<: *b\n',
      P,
      '0s',
      'merge-key',
      'authentication uses a << merge key',
    ],
    [
      'the target holds a mapping',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:\n      x: 1\n',
      P,
      '0s',
      'not-a-scalar',
      'authentication.oauthOptions.accessTokenMaxAge holds a mapping',
    ],
    [
      'the target holds a list',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:\n    - 1\n',
      P,
      '0s',
      'not-a-scalar',
      'authentication.oauthOptions.accessTokenMaxAge holds a list',
    ],
    [
      'the target is a block scalar',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: |\n      2h\n',
      P,
      '0s',
      'block-scalar',
      'authentication.oauthOptions.accessTokenMaxAge is a block scalar (| or >)',
    ],
    [
      'the target is in flow style',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: [2h]\n',
      P,
      '0s',
      'flow-style',
      'authentication.oauthOptions.accessTokenMaxAge is written in flow style',
    ],
    [
      'the target spans lines',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 2\n      h\n',
      P,
      '0s',
      'multiline-scalar',
      'authentication.oauthOptions.accessTokenMaxAge spans several lines',
    ],
    ['the document is a list', '- a\n', P, '0s', 'not-a-mapping', 'the document is not a mapping'],
    [
      'tab indentation',
      'a:\n\tb: 1\n',
      P,
      '0s',
      'not-scannable',
      'line 2: a tab is used for indentation (YAML allows only spaces)',
    ],
    [
      'invalid YAML',
      'a: "x\n',
      ['a'],
      '0s',
      'not-yaml',
      'unexpected end of the stream within a double quoted scalar',
    ],
    ['an empty path', 'a: 1\n', [], '0s', 'empty-path', 'no key to set'],
    ['a mapping as the value', 'a: 1\n', ['a'], '{a: 1}', 'bad-value', 'not a single scalar value'],
    ['a list as the value', 'a: 1\n', ['a'], '[1]', 'bad-value', 'not a single scalar value'],
    [
      'an unclosed quote as the value',
      'a: 1\n',
      ['a'],
      '"x',
      'bad-value',
      'not a YAML scalar: unexpected end of the stream within a double quoted scalar',
    ],
    ['a padded value', 'a: 1\n', ['a'], ' x', 'bad-value', 'the value is empty or padded'],
    ['an empty value', 'a: 1\n', ['a'], '', 'bad-value', 'the value is empty or padded'],
    ['a value of two lines', 'a: 1\n', ['a'], 'x\ny', 'bad-value', 'the value spans several lines'],
    ['a value with a CR', 'a: 1\n', ['a'], 'x\ry', 'bad-value', 'the value spans several lines'],
    [
      'a parent holds a plain word',
      'a: nil\n',
      ['a', 'c'],
      '2',
      'not-a-mapping',
      'a holds a value, not a mapping',
    ],
    [
      'a parent holds a flow mapping',
      'a: {x: 1}\n',
      ['a', 'c'],
      '2',
      'flow-style',
      'a holds a value, not a mapping',
    ],
    [
      'a parent holds an empty flow list',
      'a: []\n',
      ['a', 'c'],
      '2',
      'flow-style',
      'a holds a value, not a mapping',
    ],
    [
      'a parent holds an empty string',
      'a: ""\n',
      ['a', 'c'],
      '2',
      'not-a-mapping',
      'a holds a value, not a mapping',
    ],
    [
      'a parent holds a folded block',
      'a: >\n  x\n',
      ['a', 'c'],
      '2',
      'block-scalar',
      'a holds a value, not a mapping',
    ],
    ['a parent holds a list', 'a:\n  - 1\n', ['a', 'c'], '2', 'not-a-mapping', 'a holds a list'],
  ])('%s', (_name, text, path, value, code, reason) => {
    expect(setScalar(text, path, value)).toEqual({ ok: false, code, reason });
  });
});

describe('setString and currentStyle', () => {
  it.each<[string, string[], string, 'plain' | 'single' | 'double' | undefined, string]>([
    ['a: x\n', ['a'], 'yes', undefined, 'a: "yes"\n'],
    ["a: 'x'\n", ['a'], "it's", undefined, "a: 'it''s'\n"],
    ['a: x\n', ['b'], 'val', undefined, 'a: x\nb: val\n'],
    ['a: x\n', ['b'], 'val', 'single', "a: x\nb: 'val'\n"],
    ['a: x\n', ['b'], 'val', 'double', 'a: x\nb: "val"\n'],
    ['a: "x"\n', ['a'], 'val', 'single', 'a: "val"\n'],
    ["a: 'x'\n", ['a'], 'val', 'double', "a: 'val'\n"],
  ])('%j %j = %j (new key style %s)', (before, path, value, newKeyStyle, after) => {
    expect(setString(before, path, value, newKeyStyle ? { newKeyStyle } : {})).toEqual({
      ok: true,
      changed: true,
      text: after,
    });
  });

  it.each<[string, string[], string | undefined]>([
    ['a: x\n', ['a', 'b'], undefined],
    ["a:\n  b: 'x'\n", ['a', 'b'], 'single'],
    ['a:\n  b: "x"\n', ['a', 'b'], 'double'],
    ['a:\n  b: x\n', ['a', 'b'], 'plain'],
    ["a:\n\tb: 'x'\n", ['a', 'b'], undefined],
    ['a:\n  b:\n', ['a', 'b'], undefined],
    ['a:\n  b: [x]\n', ['a', 'b'], undefined],
    ['a:\n  b: |\n    x\n', ['a', 'b'], undefined],
  ])('currentStyle(%j, %j) = %s', (text, path, style) => {
    expect(currentStyle(text, path)).toBe(style);
  });
});

describe('setScalar: the survivors of the first yaml mutation run', () => {
  it('a key added under a parent on the first line goes right below it, not at the end', () => {
    expect(setScalar('a:\nb: 1\n', ['a', 'c'], '2')).toEqual({
      ok: true,
      changed: true,
      text: 'a:\n  c: 2\nb: 1\n',
    });
  });

  it("a key added to a mapping indented unlike the file's step keeps that mapping's indentation", () => {
    expect(setScalar('x:\n    y: 1\nz:\n  w: 1\nq:\n  r: 1\n', ['x', 'k'], 'v')).toEqual({
      ok: true,
      changed: true,
      text: 'x:\n    y: 1\n    k: v\nz:\n  w: 1\nq:\n  r: 1\n',
    });
  });

  it('trailing spaces after an empty key are dropped when its value is written', () => {
    expect(setScalar('a:   \n', ['a'], '2')).toEqual({ ok: true, changed: true, text: 'a: 2\n' });
  });

  it.each<[string, string[], string, string]>([
    ['base: &b\n  x: 1\na:\n  <<: *b\n', ['a'], 'not-a-scalar', 'a holds a mapping'],
    ['a:\n  b:\n    - 1\n', ['a', 'b', 'c'], 'not-a-mapping', 'a.b holds a list'],
    ['a: xnull\n', ['a', 'c'], 'not-a-mapping', 'a holds a value, not a mapping'],
    ['a: nullx\n', ['a', 'c'], 'not-a-mapping', 'a holds a value, not a mapping'],
    ['a: {x: 1,\n  y: 2}\n', ['a', 'c'], 'flow-style', 'a holds a value, not a mapping'],
  ])('%j, %j: refused as %s, %s', (text, path, code, reason) => {
    expect(setScalar(text, path, '2')).toEqual({ ok: false, code, reason });
  });

  it('setString and currentStyle with no path: refused, no style', () => {
    expect(setString('a: 1\n', [], 'x')).toEqual({ ok: false, code: 'empty-path', reason: 'no key to set' });
    expect(currentStyle('a: 1\n', [])).toBeUndefined();
  });
});

describe('setScalar: document markers, bare list items and quotes that close a line (the second yaml run)', () => {
  it.each<[string, string, string, string]>([
    [
      'a value that ends in "..." is not a document end',
      'note: wait...\na: 1\n',
      'a',
      'note: wait...\na: 2\n',
    ],
    ['" --- " inside a value is not a document start', 'note: x --- y\na: 1\n', 'a', 'note: x --- y\na: 2\n'],
    ['a document end marker with a comment', 'a: 1\n... # end\n', 'a', 'a: 2\n... # end\n'],
    ['a list whose first item is bare', 'l:\n-\n- x\nb: 1\n', 'b', 'l:\n-\n- x\nb: 2\n'],
    ['after a double-quoted value closed at column 0', 'a: "x\n"\nb: 1\n', 'b', 'a: "x\n"\nb: 2\n'],
    ['after a single-quoted value closed at column 0', "a: 'x\n'\nb: 1\n", 'b', "a: 'x\n'\nb: 2\n"],
  ])('%s', (_name, before, key, after) => {
    expect(setScalar(before, [key], '2')).toEqual({ ok: true, changed: true, text: after });
  });
});
