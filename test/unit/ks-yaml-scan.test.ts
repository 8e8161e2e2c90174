import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  duplicateKeys,
  resolvePath,
  scanYaml,
  splitLines,
  type YamlScan,
} from '../../src/kubesphere/yaml/scan.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/kubesphere-yaml/${name}.yaml`, import.meta.url), 'utf8');

function scan(text: string): YamlScan {
  const s = scanYaml(text);
  if (!s.ok) throw new Error(s.reason);
  return s;
}

describe('scanYaml', () => {
  it('maps keys, shapes and block ends of a 3.3 member file', () => {
    const s = scan(fixture('v3.3-member'));
    const at = (...path: Array<string | number>) =>
      s.entries.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
    expect(at('authentication')).toMatchObject({ line: 0, shape: 'map', childIndent: 2, endLine: 14 });
    expect(at('authentication', 'jwtSecret')).toMatchObject({
      line: 7,
      indent: 2,
      shape: 'scalar',
      value: { kind: 'double' },
    });
    expect(at('authentication', 'oauthOptions', 'accessTokenMaxAge')).toMatchObject({
      line: 9,
      value: { kind: 'plain', start: 23, end: 24 },
    });
    // The compact list sits at its key's indentation, and its items' keys are not siblings of the key.
    expect(at('authentication', 'oauthOptions', 'clients')).toMatchObject({
      line: 10,
      shape: 'seq',
      endLine: 14,
    });
    expect(at('authentication', 'oauthOptions', 'clients', 0, 'redirectURIs')).toMatchObject({
      line: 13,
      shape: 'seq',
    });
    expect(at('multicluster', 'clusterRole')).toMatchObject({ line: 18, value: { kind: 'plain' } });
    expect(s.indentStep).toBe(2);
    expect(s.eol).toBe('\n');
  });

  it('does not read keys inside a block scalar (a whole ConfigMap manifest)', () => {
    const manifest = `apiVersion: v1\ndata:\n  kubesphere.yaml: |\n${fixture('v3.4-member')
      .split('\n')
      .map((l) => (l === '' ? l : `    ${l}`))
      .join('\n')}kind: ConfigMap\n`;
    const s = scan(manifest);
    expect(s.entries.map((e) => e.path.join('.'))).toEqual([
      'apiVersion',
      'data',
      'data.kubesphere.yaml',
      'kind',
    ]);
    expect(s.entries[2]?.value.kind).toBe('block');
  });

  it('lists duplicates within one mapping only', () => {
    expect(duplicateKeys(scan(fixture('v3.4-member-duplicate-keys')))).toEqual([
      { path: ['authentication', 'oauthOptions', 'accessTokenMaxAge'], lines: [11, 12] },
    ]);
    // The same key under two different parents is no duplicate.
    expect(duplicateKeys(scan('a:\n  x: 1\nb:\n  x: 2\n'))).toEqual([]);
  });

  it('resolves a path through the last occurrence of each key', () => {
    const s = scan('auth:\n  secret: a\nauth:\n  other: 1\n');
    expect(resolvePath(s, ['auth', 'secret']).map((e) => e.line)).toEqual([2]);
    expect(resolvePath(s, ['auth', 'other']).map((e) => e.line)).toEqual([2, 3]);
  });

  it('understands quoted keys and keys with colons', () => {
    const s = scan('"a b": 1\n\'c\': 2\nk:{"x":1}: 3\nhttp://x: 4\n');
    expect(s.entries.map((e) => e.key)).toEqual(['a b', 'c', 'k:{"x":1}', 'http://x']);
  });

  it('detects a 4-space indentation step and CRLF', () => {
    const s = scan('a:\r\n    b:\r\n        c: 1\r\n');
    expect(s.indentStep).toBe(4);
    expect(s.eol).toBe('\r\n');
  });

  it.each<[string, string, number]>([
    ['a:\n\tb: 1\n', 'tab-indentation', 2],
    ['a: 1\n---\nb: 2\n', 'multiple-documents', 2],
    ['a:\n    b: 1\n  c: 2\n', 'unsupported-structure', 3],
    ['? complex\n: value\n', 'unsupported-structure', 1],
    ['a:\n  - x\n  b: 1\n', 'unsupported-structure', 3],
  ])('%j fails with %s at line %i', (text, code, line) => {
    expect(scanYaml(text)).toMatchObject({ ok: false, code, line });
  });
});

describe('splitLines', () => {
  it('keeps each line break with its line', () => {
    expect(splitLines('a\r\nb\nc')).toEqual([
      { start: 0, text: 'a', eol: '\r\n' },
      { start: 3, text: 'b', eol: '\n' },
      { start: 5, text: 'c', eol: '' },
    ]);
  });

  it('has no phantom line after a final break', () => {
    expect(splitLines('a\n')).toEqual([{ start: 0, text: 'a', eol: '\n' }]);
  });
});
