/**
 * The safety net under every edit of kubesphere.yaml: the intended values landed and nothing else changed
 * meaning, with the places that differ named exactly (issue 13, the yaml area's mutants).
 */
import { describe, expect, it } from 'vitest';
import { verifyEdit, type ExpectedValue } from '../../src/kubesphere/yaml/verify.js';

const changed = (paths: string[][]) => ({
  ok: false,
  code: 'unexpected-change',
  reason: `the edit changed more than intended: ${paths.map((p) => p.join('.') || '(document)').join(', ')}`,
  paths,
});

describe('verifyEdit names every place the documents differ', () => {
  it.each<[string, string, string, string[][]]>([
    ['a list that grew', 'a: [1, 2]\n', 'a: [1, 2, 3]\n', [['a']]],
    ['one item of a list', 'a: [1, 2]\n', 'a: [1, 3]\n', [['a', '1']]],
    ['a key inside a list item', 'a: [{x: 1}]\n', 'a: [{x: 2}]\n', [['a', '0', 'x']]],
    ['a date', 'a: 2024-01-01\n', 'a: 2024-01-02\n', [['a']]],
    ['binary data', 'a: !!binary aGk=\n', 'a: !!binary aGo=\n', [['a']]],
    ['a renamed key', 'a: 1\n', 'b: 1\n', [['a'], ['b']]],
    ['the document became a list', 'a: 1\n', '- 1\n', [[]]],
    ['the string NaN against the number', 'a: NaN\n', 'a: .nan\n', [['a']]],
    ['0 against -0', 'a: 0\n', 'a: -0.0\n', [['a']]],
    ['a list became a string', 'a: [1, 2]\n', 'a: xy\n', [['a']]],
    ['a date became a string', 'a: 2024-01-01\n', 'a: x\n', [['a']]],
    ['binary data became a number', 'a: !!binary aGk=\n', 'a: 1\n', [['a']]],
    ['keys added at two levels', 'a:\n  b: 1\n', 'a:\n  b: 1\n  c: 2\nd: 3\n', [['a', 'c'], ['d']]],
    // `__proto__` read from the other side would be Object.prototype: an empty mapping must still count.
    ['an empty __proto__ mapping added', 'a: 1\n', 'a: 1\n__proto__: {}\n', [['__proto__']]],
    ['an empty __proto__ mapping removed', 'a: 1\n__proto__: {}\n', 'a: 1\n', [['__proto__']]],
  ])('%s', (_name, before, after, paths) => {
    expect(verifyEdit(before, after, [])).toEqual(changed(paths));
  });

  it.each<[string, string]>([
    ['equal dates', 'a: 2024-01-01\n'],
    ['equal binary data', 'a: !!binary aGk=\n'],
    ['NaN equals NaN', 'a: .nan\n'],
    ['equal lists of mappings', 'a: [{x: 1}, [2]]\n'],
  ])('%s are no change', (_name, text) => {
    expect(verifyEdit(text, text, [])).toEqual({ ok: true });
  });

  it('an intended path that does not land is named', () => {
    expect(verifyEdit('x: 1\n', 'x: 1\n', [{ path: ['a', 'b', 'c'], value: 1 }])).toEqual(changed([['a']]));
  });
});

describe('verifyEdit creates missing and null mappings on the intended path', () => {
  it.each<[string, string, ExpectedValue[]]>([
    ['an empty document', 'a:\n  b: 1\n', [{ path: ['a', 'b'], value: 1 }]],
    ['a: null\n', 'a:\n  b: 1\n', [{ path: ['a', 'b'], value: 1 }]],
    ['a: 1\n', 'a: 1\n', [{ path: ['a'], value: 1 }]],
  ])('from %j', (before, after, expected) => {
    expect(verifyEdit(before === 'an empty document' ? '' : before, after, expected)).toEqual({ ok: true });
  });

  it.each<[string, readonly string[], string]>([
    ['a: [1]\n', ['a', 'b'], 'a.b'],
    ['- 1\n', ['a'], 'a'],
    ['a: 1\n', [], ''],
  ])('refuses %j when %j cannot be set', (text, path, where) => {
    expect(verifyEdit(text, text, [{ path, value: 1 }])).toEqual({
      ok: false,
      code: 'not-a-mapping',
      reason: `${where} cannot be set: a value on the way is not a mapping`,
      paths: [[...path]],
    });
  });

  it('names why a document does not parse, before or after', () => {
    expect(verifyEdit('a: "x\n', 'a: 1\n', [])).toEqual({
      ok: false,
      code: 'before-unparseable',
      reason: 'unexpected end of the stream within a double quoted scalar',
      paths: [],
    });
    expect(verifyEdit('a: 1\n', 'a: [\n', [])).toEqual({
      ok: false,
      code: 'after-unparseable',
      reason: 'unexpected end of the stream within a flow collection',
      paths: [],
    });
  });
});

describe('verifyEdit refuses an edit that writes a key twice (yaml.v3, so ks-apiserver 4.x, refuses the file)', () => {
  const twice = (line: number) => ({
    ok: false,
    code: 'duplicate-key',
    reason: `the edit wrote a key twice (line ${line}), which yaml.v3 and so ks-apiserver 4.x refuse`,
    paths: [],
  });

  it.each<[string, string, string, ExpectedValue[], number]>([
    ['a top-level key added again', 'a: 1\nb: 1\n', 'a: 1\nb: 1\nb: 1\n', [], 3],
    [
      'the intended key written below the old one',
      'auth:\n  maxAge: 2h\n',
      'auth:\n  maxAge: 2h\n  maxAge: 0s\n',
      [{ path: ['auth', 'maxAge'], value: '0s' }],
      3,
    ],
    ['inside a list item', 'l:\n- a: 1\n', 'l:\n- a: 1\n  a: 1\n', [], 3],
  ])('%s', (_name, before, after, expected, line) => {
    expect(verifyEdit(before, after, expected)).toEqual(twice(line));
  });

  it('a file that already wrote a key twice (the 3.4 template can) is judged by meaning, as yaml.v2 reads it', () => {
    const before = 'auth:\n  maxAge: 2h\n  maxAge: 4h\n';
    const after = 'auth:\n  maxAge: 2h\n  maxAge: 0s\n';
    expect(verifyEdit(before, after, [{ path: ['auth', 'maxAge'], value: '0s' }])).toEqual({ ok: true });
    expect(verifyEdit(before, after, [{ path: ['auth', 'maxAge'], value: '4h' }])).toEqual(
      changed([['auth', 'maxAge']]),
    );
  });

  it('a duplicate in a document that does not parse otherwise still reports why it does not parse', () => {
    expect(verifyEdit('a: 1\n', 'a: 1\na: 2\nb: [\n', [])).toEqual({
      ok: false,
      code: 'after-unparseable',
      reason: 'unexpected end of the stream within a flow collection',
      paths: [],
    });
  });
});
