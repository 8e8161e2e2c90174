/**
 * The scanner's map of a kubesphere.yaml is what the editor changes bytes by: each key's line, columns, shape and
 * block end, stated exactly, and each refusal by its words (issue 13, the yaml area's mutants).
 */
import { describe, expect, it } from 'vitest';
import { duplicateKeys, resolvePath, scanYaml, type YamlScan } from '../../src/kubesphere/yaml/scan.js';
import {
  findQuoteEnd,
  flowDepth,
  isDash,
  parseInline,
  parseKey,
  resolveKey,
  splitLines,
} from '../../src/kubesphere/yaml/tokens.js';

function scan(text: string): YamlScan {
  const s = scanYaml(text);
  if (!s.ok) throw new Error(s.reason);
  return s;
}

/** path, line, key column, colon column, shape, end line, value kind [start, end], props. */
const rows = (s: YamlScan): unknown[] =>
  s.entries.map((e) => [
    e.path.join('.'),
    e.line,
    e.indent,
    e.colon,
    e.shape,
    e.endLine,
    `${e.value.kind} ${e.value.start}-${e.value.end}`,
    e.value.props,
  ]);

describe('scanYaml: where each key and value sits', () => {
  it('nested mappings, quotes and a trailing comment', () => {
    const s = scan('a:\n  b:\n    c: 1\n  d: "x" # c\ne: \'y\'\n');
    expect(rows(s)).toEqual([
      ['a', 0, 0, 1, 'map', 3, 'none 2-2', ''],
      ['a.b', 1, 2, 3, 'map', 2, 'none 4-4', ''],
      ['a.b.c', 2, 4, 5, 'scalar', 2, 'plain 7-8', ''],
      ['a.d', 3, 2, 3, 'scalar', 3, 'double 5-8', ''],
      ['e', 4, 0, 1, 'scalar', 4, 'single 3-6', ''],
    ]);
    const [a, b, c, d, e] = s.entries;
    expect([a?.mapId, b?.mapId, c?.mapId, d?.mapId, e?.mapId]).toEqual([0, 1, 2, 1, 0]);
    expect([a?.childMapId, b?.childMapId, a?.childIndent, b?.childIndent]).toEqual([1, 2, 2, 4]);
    expect(c?.childMapId).toBeUndefined();
    expect([s.rootMapId, s.rootIndent, s.lastContentLine, s.eol, s.indentStep]).toEqual([0, 0, 4, '\n', 2]);
  });

  it('anchors and tags are kept as props, an alias is its own kind', () => {
    expect(rows(scan('a: &x !!map\n  b: 1\nc: *x\n'))).toEqual([
      ['a', 0, 0, 1, 'map', 1, 'none 11-11', '&x !!map'],
      ['a.b', 1, 2, 3, 'scalar', 1, 'plain 5-6', ''],
      ['c', 2, 0, 1, 'scalar', 2, 'alias 3-5', ''],
    ]);
  });

  it('a << key marks its mapping, and only that one', () => {
    const s = scan('a:\n  <<: {x: 1}\n  b: 2\nc:\n  d: 1\n');
    expect([...s.mergeMaps]).toEqual([1]);
    expect(rows(s)[1]).toEqual(['a.<<', 1, 2, 4, 'scalar', 1, 'flow 6-12', '']);
  });

  it('list items are numbered, keys inside items are not siblings of the list', () => {
    const s = scan('a:\n- x\n-\n  - y\n- k: v\n  l: w\nb: 1\n');
    expect(rows(s)).toEqual([
      ['a', 0, 0, 1, 'seq', 5, 'none 2-2', ''],
      ['a.2.k', 4, 2, 3, 'scalar', 4, 'plain 5-6', ''],
      ['a.2.l', 5, 2, 3, 'scalar', 5, 'plain 5-6', ''],
      ['b', 6, 0, 1, 'scalar', 6, 'plain 3-4', ''],
    ]);
    expect(s.entries[1]?.mapId).toBe(3);
  });

  it('an item whose mapping starts on the next line, after a bare dash or a comment', () => {
    expect(rows(scan('a:\n-\n  k: v\nb: 1\n'))).toEqual([
      ['a', 0, 0, 1, 'seq', 2, 'none 2-2', ''],
      ['a.0.k', 2, 2, 3, 'scalar', 2, 'plain 5-6', ''],
      ['b', 3, 0, 1, 'scalar', 3, 'plain 3-4', ''],
    ]);
    expect(rows(scan('a:\n  - # c\n    k: v\n'))).toEqual([
      ['a', 0, 0, 1, 'seq', 2, 'none 2-2', ''],
      ['a.0.k', 2, 4, 5, 'scalar', 2, 'plain 7-8', ''],
    ]);
  });

  it('a root list: its items hold mappings, there is no root mapping', () => {
    const s = scan('- a\n- b: 1\n  c: 2\n');
    expect(rows(s)).toEqual([
      ['1.b', 1, 2, 3, 'scalar', 1, 'plain 5-6', ''],
      ['1.c', 2, 2, 3, 'scalar', 2, 'plain 5-6', ''],
    ]);
    expect(s.rootMapId).toBeUndefined();
    expect(resolvePath(s, ['b'])).toEqual([]);
  });

  it('block scalars end at their last indented line, blank lines inside them included', () => {
    expect(rows(scan('a: |\n  text\n  more\n\nb: >-\n   x\n'))).toEqual([
      ['a', 0, 0, 1, 'scalar', 2, 'block 3-4', ''],
      ['b', 4, 0, 1, 'scalar', 5, 'block 3-5', ''],
    ]);
  });

  it('flow, quoted and plain values spanning lines end where they close', () => {
    expect(rows(scan('a: [1,\n  {b: "]"},\n  2]\nc: 1\n'))).toEqual([
      ['a', 0, 0, 1, 'scalar', 2, 'flow 3-6', ''],
      ['c', 3, 0, 1, 'scalar', 3, 'plain 3-4', ''],
    ]);
    expect(rows(scan('a: "x\n  y\n  z"\nb: 1\n'))).toEqual([
      ['a', 0, 0, 1, 'scalar', 2, 'multiline 3-5', ''],
      ['b', 3, 0, 1, 'scalar', 3, 'plain 3-4', ''],
    ]);
    expect(rows(scan("a: 'it''s\n  z'\nb: 1\n"))).toEqual([
      ['a', 0, 0, 1, 'scalar', 1, 'multiline 3-9', ''],
      ['b', 2, 0, 1, 'scalar', 2, 'plain 3-4', ''],
    ]);
    expect(rows(scan('a: x\n  y\n  z\nb: 1\n'))).toEqual([
      ['a', 0, 0, 1, 'scalar', 2, 'multiline 3-4', ''],
      ['b', 3, 0, 1, 'scalar', 3, 'plain 3-4', ''],
    ]);
  });

  it('the indentation step is the most common one (3 over a single 2)', () => {
    const s = scan('k1: v\nk2:\n   n1: 1\n   n2:\n      m: 1\nk3:\n  n: 1\n');
    expect(s.indentStep).toBe(3);
    expect(scan('k1:\n  a: 1\nk2:\n    b: 1\nk3:\n    c: 1\n').indentStep).toBe(4);
    expect(scan('k1:\n    a: 1\nk2:\n  b: 1\n').indentStep).toBe(4);
  });

  it('blank lines after the last value are not part of it; CRLF is the line break when used', () => {
    expect(rows(scan('a:\n\n  b: 1\n\n\n'))).toEqual([
      ['a', 0, 0, 1, 'map', 2, 'none 2-2', ''],
      ['a.b', 2, 2, 3, 'scalar', 2, 'plain 5-6', ''],
    ]);
    const s = scan('a: 1\r\nb:\r\n  c: 2\r\n');
    expect(s.eol).toBe('\r\n');
    expect(s.lastContentLine).toBe(2);
    expect(scan('a: 1').eol).toBe('\n');
  });

  it('documents without content, and markers around one document', () => {
    for (const text of ['', '# only\n', '---\n', '%YAML 1.2\n---\n']) {
      const s = scan(text);
      expect([s.entries, s.rootMapId, s.lastContentLine]).toEqual([[], undefined, -1]);
    }
    expect(rows(scan('%YAML 1.2\n---\na: 1\n'))).toEqual([['a', 2, 0, 1, 'scalar', 2, 'plain 3-4', '']]);
    expect(rows(scan('--- # c\na: 1\n...\n# c\n'))).toEqual([['a', 1, 0, 1, 'scalar', 1, 'plain 3-4', '']]);
    expect(rows(scan('  a: 1\n  b: 2\n')).map((r) => (r as unknown[])[2])).toEqual([2, 2]);
    expect(scan('  a: 1\n').rootIndent).toBe(2);
  });

  it.each<[string, string, number, string]>([
    ['--- a: 1\n', 'unsupported-structure', 1, 'content on the "---" line'],
    ['a: 1\n%x\n', 'unsupported-structure', 2, 'expected "key: value"'],
    ['a: 1\n...\nb: 2\n', 'multiple-documents', 3, 'content after the end of the document'],
    ['a: 1\n---\n', 'multiple-documents', 2, 'a second YAML document starts here'],
    ['- a\nb: 1\n', 'unsupported-structure', 2, 'a second root node'],
    ['a: 1\n- b\n', 'unsupported-structure', 2, 'a sequence entry where a key was expected'],
    ['a:\n  - x\n  c: 1\n', 'unsupported-structure', 3, 'indentation does not match any open block'],
    ['a: b\nc\n', 'unsupported-structure', 2, 'expected "key: value"'],
    ['a:\n\tb: 1\n', 'tab-indentation', 2, 'a tab is used for indentation (YAML allows only spaces)'],
    ['\uFEFFa: 1\n', 'unsupported-structure', 1, 'the text starts with a byte order mark'],
  ])('%j is refused: %s at line %i, %s', (text, code, line, reason) => {
    expect(scanYaml(text)).toEqual({ ok: false, code, line, reason });
  });
});

describe('duplicateKeys and resolvePath', () => {
  // Scanned inside each test: a scan at collection time would make every scanner mutant a static one.
  const TEXT = 'a:\n  x: 1\n  x: 2\nb:\n  y: 1\n  y: 2\n  y: 3\na:\n  z: 0\nc: 1\nc: 2\n';

  it('every repeated key in one mapping, by its first line, each with all its lines', () => {
    expect(duplicateKeys(scan(TEXT))).toEqual([
      { path: ['a'], lines: [1, 8] },
      { path: ['a', 'x'], lines: [2, 3] },
      { path: ['b', 'y'], lines: [5, 6, 7] },
      { path: ['c'], lines: [10, 11] },
    ]);
  });

  it('a path runs through the last occurrence and stops at a missing key or a scalar', () => {
    const s = scan(TEXT);
    expect(resolvePath(s, ['a', 'x']).map((e) => e.line)).toEqual([7]);
    expect(resolvePath(s, ['a', 'z']).map((e) => e.line)).toEqual([7, 8]);
    expect(resolvePath(s, ['b', 'y']).map((e) => e.line)).toEqual([3, 6]);
    expect(resolvePath(s, ['c', 'd']).map((e) => e.line)).toEqual([10]);
    expect(resolvePath(s, ['q'])).toEqual([]);
  });
});

describe('tokens', () => {
  it('splitLines: a lone break, a trailing blank line, a bare CR inside a line', () => {
    expect(splitLines('')).toEqual([{ start: 0, text: '', eol: '' }]);
    expect(splitLines('\n')).toEqual([{ start: 0, text: '', eol: '\n' }]);
    expect(splitLines('\r\n')).toEqual([{ start: 0, text: '', eol: '\r\n' }]);
    expect(splitLines('a\n\n')).toEqual([
      { start: 0, text: 'a', eol: '\n' },
      { start: 2, text: '', eol: '\n' },
    ]);
    expect(splitLines('a\rb\n')).toEqual([{ start: 0, text: 'a\rb', eol: '\n' }]);
  });

  it.each<[string, { end: number; colon: number } | undefined]>([
    ['"a b" : 1', { end: 5, colon: 6 }],
    ["'it''s': 1", { end: 7, colon: 7 }],
    ['"a":1', undefined],
    ['"a" x: 1', undefined],
    ['"unclosed: 1', undefined],
    ['a #b: 1', undefined],
    ['a\t#b: 1', undefined],
    ['a#b: 1', { end: 3, colon: 3 }],
    ['a  : 1', { end: 1, colon: 3 }],
    ['a:b: 1', { end: 3, colon: 3 }],
    ['a:', { end: 1, colon: 1 }],
    ['a:\tx', { end: 1, colon: 1 }],
    ['a b:c', undefined],
    ['~: 1', { end: 1, colon: 1 }],
    ...[...'[{&*!|>%@`?#'].map((c): [string, undefined] => [`${c}a: 1`, undefined]),
  ])('parseKey(%j) = %j', (line, key) => {
    expect(parseKey(line, 0)).toEqual(key);
  });

  it.each([
    ['~', 'null'],
    ['null', 'null'],
    ['true', 'true'],
    ['1.0', '1'],
    ['"a b"', 'a b'],
    ["'x'", 'x'],
    ['"\\u0041"', 'A'],
    ['[1]', '[1]'],
    ['{a: 1}', '{a: 1}'],
    ['a: b: c', 'a: b: c'],
  ])('resolveKey(%j) = %j, the key as js-yaml stores it', (raw, key) => {
    expect(resolveKey(raw)).toBe(key);
  });

  it.each<[string, object]>([
    ['k: ', { kind: 'none', start: 3, end: 3, props: '' }],
    ['k:', { kind: 'none', start: 2, end: 2, props: '' }],
    ['k: # c', { kind: 'none', start: 3, end: 3, props: '' }],
    ['k: *a x', { kind: 'alias', start: 3, end: 5, props: '' }],
    ['k: |+2 # c', { kind: 'block', start: 3, end: 6, props: '' }],
    ['k: >', { kind: 'block', start: 3, end: 4, props: '' }],
    ['k: "a\\"b" # c', { kind: 'double', start: 3, end: 9, props: '' }],
    ['k: "a', { kind: 'multiline', start: 3, end: 5, props: '', open: { quote: '"' } }],
    ["k: 'a''", { kind: 'multiline', start: 3, end: 7, props: '', open: { quote: "'" } }],
    ["k: 'a'b' c", { kind: 'single', start: 3, end: 6, props: '' }],
    ['k: {a: [1, 2]} x', { kind: 'flow', start: 3, end: 14, props: '' }],
    ['k: {a: "}", b: 1}', { kind: 'flow', start: 3, end: 17, props: '' }],
    ['k: [a, #c', { kind: 'flow', start: 3, end: 9, props: '', open: { depth: 1 } }],
    ['k: a#b # c', { kind: 'plain', start: 3, end: 6, props: '' }],
    ['k: a\t# c', { kind: 'plain', start: 3, end: 4, props: '' }],
    ['k: a  #', { kind: 'plain', start: 3, end: 4, props: '' }],
    ['k:    x   ', { kind: 'plain', start: 6, end: 7, props: '' }],
    ['k: &a', { kind: 'none', start: 5, end: 5, props: '&a' }],
    ['k: !t\tx', { kind: 'plain', start: 6, end: 7, props: '!t' }],
    ['k: &a !!str "x" # c', { kind: 'double', start: 12, end: 15, props: '&a !!str' }],
  ])('parseInline(%j)', (line, value) => {
    expect(parseInline(line, 2)).toEqual(value);
  });

  it('flowDepth: quoted brackets and comments do not count', () => {
    expect(flowDepth('[a, [b], "c]"', 0, 0)).toEqual({ depth: 1, end: -1 });
    expect(flowDepth('a]', 0, 2)).toEqual({ depth: 1, end: -1 });
    expect(flowDepth("['x", 0, 0)).toEqual({ depth: 1, end: -1 });
    expect(flowDepth('[a #]', 0, 0)).toEqual({ depth: 1, end: -1 });
    expect(flowDepth('[a\t#]', 0, 0)).toEqual({ depth: 1, end: -1 });
    expect(flowDepth('[a#]', 0, 0)).toEqual({ depth: 0, end: 4 });
    expect(flowDepth('}', 0, 1)).toEqual({ depth: 0, end: 1 });
    expect(flowDepth('x]', 1, 1)).toEqual({ depth: 0, end: 2 });
  });

  it('findQuoteEnd: backslash escapes in double quotes, doubled quotes in single quotes', () => {
    expect(findQuoteEnd('"a\\"b"', 0, '"')).toBe(5);
    expect(findQuoteEnd("'a''b'", 0, "'")).toBe(5);
    expect(findQuoteEnd("'a\\'b'", 0, "'")).toBe(3);
    expect(findQuoteEnd('"ab', 0, '"')).toBe(-1);
    expect(findQuoteEnd("x'", -1, "'")).toBe(1);
    expect(findQuoteEnd("''", 0, "'")).toBe(1);
  });

  it('isDash: a dash followed by a space or the line end', () => {
    expect([isDash('-', 0), isDash('- a', 0), isDash('-a', 0), isDash(' -', 1), isDash('-\t', 0)]).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
  });
});

describe('tokens: the survivors of the first yaml mutation run', () => {
  it('a double quote followed by a single quote closes the double-quoted text', () => {
    expect(findQuoteEnd(`"a"'b"`, 0, '"')).toBe(2);
  });

  it('a bracket inside single quotes does not close a flow collection', () => {
    expect(flowDepth("['c]'", 0, 0)).toEqual({ depth: 1, end: -1 });
  });

  it('a single-quoted key may hold ": "; a quoted key needs its colon', () => {
    expect(parseKey("'a: b': 1", 0)).toEqual({ end: 6, colon: 6 });
    expect(parseKey('"a"', 0)).toBeUndefined();
    expect(parseKey('"a" x 1', 0)).toBeUndefined();
  });

  it('an alias or block indicator ends at a tab as at a space', () => {
    expect(parseInline('k: *a\tx', 2)).toEqual({ kind: 'alias', start: 3, end: 5, props: '' });
    expect(parseInline('k: |\tx', 2)).toEqual({ kind: 'block', start: 3, end: 4, props: '' });
  });
});
