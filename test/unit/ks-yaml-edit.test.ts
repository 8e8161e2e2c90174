import { readdirSync, readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { setScalar, setString, currentStyle } from '../../src/kubesphere/yaml/edit.js';
import {
  detectLayout,
  getPath,
  hasPath,
  parseKubesphereYaml,
  type ParsedConfig,
} from '../../src/kubesphere/config/index.js';

const DIR = new URL('../fixtures/kubesphere-yaml/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const CONFIGS = readdirSync(DIR)
  .filter((f) => f.startsWith('v') && f.endsWith('.yaml'))
  .sort();

const load = (text: string): Record<string, unknown> =>
  yaml.load(text, { json: true }) as Record<string, unknown>;

/** The lines that differ: a common prefix and suffix are cut off. */
function changedRegion(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}

function withValue(
  data: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(data);
  let cur: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === undefined || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
  return copy;
}

type EditCase = { name: string; path: (layout: 'v3' | 'v4') => string[]; value: string; expected: unknown };
const auth = (layout: 'v3' | 'v4'): string[] =>
  layout === 'v4' ? ['authentication', 'issuer'] : ['authentication'];
const EDITS: EditCase[] = [
  {
    name: 'accessTokenMaxAge = 0s',
    path: (l) =>
      l === 'v4'
        ? [...auth(l), 'accessTokenMaxAge']
        : ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
    value: '0s',
    expected: '0s',
  },
  {
    name: 'accessTokenMaxAge = 2h',
    path: (l) =>
      l === 'v4'
        ? [...auth(l), 'accessTokenMaxAge']
        : ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
    value: '2h',
    expected: '2h',
  },
  {
    name: 'jwtSecret = quoted',
    path: (l) => [...auth(l), 'jwtSecret'],
    value: '"FAKEnewHostSecret000000000000000"',
    expected: 'FAKEnewHostSecret000000000000000',
  },
  {
    name: 'maximumClockSkew = 20s',
    path: (l) => [...auth(l), 'maximumClockSkew'],
    value: '20s',
    expected: '20s',
  },
  {
    name: 'clusterRole = member',
    path: () => ['multicluster', 'clusterRole'],
    value: 'member',
    expected: 'member',
  },
  {
    name: 'new nested key',
    path: (l) =>
      l === 'v4'
        ? [...auth(l), 'signKey']
        : ['authentication', 'oauthOptions', 'accessTokenInactivityTimeout'],
    value: '30m',
    expected: '30m',
  },
  {
    name: 'new top-level block',
    path: () => ['ksRestore', 'repairedBy', 'tool'],
    value: 'ks-restore',
    expected: 'ks-restore',
  },
];

describe('setScalar on every fixture × every edit', () => {
  const cases = CONFIGS.flatMap((file) =>
    (['LF', 'CRLF'] as const).flatMap((eol) => EDITS.map((e) => [file, eol, e.name, e] as const)),
  );
  it.each(cases)('%s (%s): %s', (file, eol, _name, edit) => {
    const before = eol === 'LF' ? fixture(file) : fixture(file).replace(/\n/g, '\r\n');
    const parsed = parseKubesphereYaml(before) as ParsedConfig;
    const path = edit.path(detectLayout(parsed));
    const r = setScalar(before, path, edit.value);
    if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
    const after = load(r.text);
    // The edited value wins (also over an earlier duplicate) …
    expect(getPath(after, path)).toEqual(edit.expected);
    // … and nothing else changed meaning.
    expect(after).toEqual(withValue(parsed.data, path, edit.expected));
    expect(r.changed).toBe(r.text !== before);
    // Line breaks stay as the file had them, on new lines too.
    expect(r.text.replace(/\r\n/g, '').includes('\n')).toBe(eol === 'LF');
    // Only the touched line changed, plus inserted lines for missing keys.
    const { removed, added } = changedRegion(before, r.text);
    const existed = hasPath(parsed.data, path);
    if (!r.changed) return;
    if (existed) {
      expect(removed).toHaveLength(1);
      expect(added).toHaveLength(1);
      const key = path[path.length - 1] as string;
      const head = (removed[0] ?? '').slice(0, (removed[0] ?? '').indexOf(`${key}:`) + key.length + 1);
      expect(added[0]?.startsWith(head)).toBe(true);
    } else {
      expect(removed.length).toBeLessThanOrEqual(1);
      expect(added.length).toBeGreaterThan(removed.length);
      const inserted = added.slice(removed.length);
      for (const line of inserted) expect(line).toMatch(/^ *[A-Za-z"]+:/);
      expect(inserted[inserted.length - 1]).toMatch(
        new RegExp(`${path[path.length - 1]}: ${edit.value.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}$`),
      );
    }
    // Setting the same value again changes nothing.
    const again = setScalar(r.text, path, edit.value);
    expect(again).toMatchObject({ ok: true, changed: false, text: r.text });
  });

  it('covers all 18 kubesphere.yaml fixtures, with LF and CRLF line ends', () => {
    expect(CONFIGS).toHaveLength(18);
  });
});

describe('setScalar keeps every other byte', () => {
  it('3.4 duplicate keys: the last accessTokenMaxAge is edited, the first stays', () => {
    const before = fixture('v3.4-member-duplicate-keys.yaml');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '2h');
    expect(r.ok && r.text).toBe(before.replace('    accessTokenMaxAge: 0\n', '    accessTokenMaxAge: 2h\n'));
    expect(before.match(/accessTokenMaxAge: 1h/g)).toHaveLength(1);
  });

  it('3.4 member: bare 0 becomes 0s in place', () => {
    const before = fixture('v3.4-member.yaml');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s');
    expect(r).toEqual({
      ok: true,
      changed: true,
      text: before.replace('accessTokenMaxAge: 0\n', 'accessTokenMaxAge: 0s\n'),
    });
  });

  it('3.0 host: adds oauthOptions under authentication, after its last line', () => {
    const before = fixture('v3.0-host.yaml');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s');
    expect(r.ok && r.text).toBe(
      before.replace(
        '  jwtSecret: "FAKEv30hostJwtSecret000000000000"\n',
        '  jwtSecret: "FAKEv30hostJwtSecret000000000000"\n  oauthOptions:\n    accessTokenMaxAge: 0s\n',
      ),
    );
  });

  it('3.2 host: adds the key after the compact clients list, before the blank run', () => {
    const before = fixture('v3.2-host.yaml');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s');
    expect(r.ok && r.text).toBe(
      before.replace("      - '*'\n\n", "      - '*'\n    accessTokenMaxAge: 0s\n\n"),
    );
  });

  it('hand-edited file: comments, the trailing comment and the blank line stay', () => {
    const before = fixture('v3.2-member-hand-edited.yaml');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s');
    expect(r.ok && r.text).toBe(
      before.replace('    accessTokenMaxAge: 2h    # TODO', '    accessTokenMaxAge: 0s    # TODO'),
    );
  });

  it('hand-edited file: a single-quoted secret stays single-quoted, its comment stays', () => {
    const before = fixture('v3.2-member-hand-edited.yaml');
    const r = setString(before, ['authentication', 'jwtSecret'], "FAKEnew'Secret");
    expect(r.ok && r.text).toBe(
      before.replace(
        "  jwtSecret: 'FAKEv32hostJwtSecret000000000000'   # same as host",
        "  jwtSecret: 'FAKEnew''Secret'   # same as host",
      ),
    );
    expect(r.ok && r.text).toContain('  #jwtSecret: "FAKEoldMemberSecret0000000000000"\n');
  });

  it('a double-quoted value given in another style is written in the existing quotes', () => {
    const before = fixture('v3.3-member.yaml');
    const r = setScalar(before, ['authentication', 'jwtSecret'], "'FAKEnew'");
    expect(r.ok && r.text).toContain('  jwtSecret: "FAKEnew"\n');
    const raw = setScalar(before, ['authentication', 'jwtSecret'], "'FAKEnew'", { keepQuoteStyle: false });
    expect(raw.ok && raw.text).toContain("  jwtSecret: 'FAKEnew'\n");
  });

  it('Go-re-marshaled file: a plain secret stays plain when that is safe', () => {
    const before = fixture('v3.3-member-go-remarshaled-2h.yaml');
    const r = setString(before, ['authentication', 'jwtSecret'], 'FAKEv33hostJwtSecret000000000000');
    expect(r.ok && r.text).toBe(
      before.replace(
        'jwtSecret: FAKEv33otherJwtSecret00000000000',
        'jwtSecret: FAKEv33hostJwtSecret000000000000',
      ),
    );
  });

  it.each(['yes', 'on', '12345', '1e3', '0x1f', 'null', 'true', '2024-01-01', 'a: b', '#x', ' lead'])(
    'Go-re-marshaled file: the secret %j is quoted, so both YAML 1.1 and 1.2 read a string',
    (secret) => {
      const r = setString(
        fixture('v3.3-member-go-remarshaled.yaml'),
        ['authentication', 'jwtSecret'],
        secret,
      );
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.text).toContain(`  jwtSecret: ${JSON.stringify(secret)}\n`);
        expect(getPath(load(r.text), ['authentication', 'jwtSecret'])).toBe(secret);
      }
    },
  );

  it('4.1 member: edits under issuer keep the quotes', () => {
    const before = fixture('v4.1-member-stale-secret.yaml');
    const r = setString(
      before,
      ['authentication', 'issuer', 'jwtSecret'],
      'FAKEv41hostJwtSecret000000000000',
    );
    expect(r.ok && r.text).toBe(fixture('v4.1-member.yaml'));
  });

  it('ClusterConfiguration: values change, the long trailing comments stay', () => {
    const before = fixture('cc-v3.4-member.yaml');
    const s = setString(before, ['spec', 'authentication', 'jwtSecret'], 'FAKEv34hostJwtSecret000000000000');
    if (!s.ok) throw new Error(s.reason);
    const r = setString(s.text, ['spec', 'multicluster', 'clusterRole'], 'member');
    if (!r.ok) throw new Error(r.reason);
    const a = before.split('\n');
    const b = r.text.split('\n');
    expect(b).toHaveLength(a.length);
    const changed = b.map((line, i) => [a[i], line]).filter(([x, y]) => x !== y);
    expect(changed).toEqual([
      [
        '    jwtSecret: ""           # Keep the jwtSecret consistent with the Host Cluster.',
        '    jwtSecret: "FAKEv34hostJwtSecret000000000000"           # Keep the jwtSecret consistent with the Host Cluster.',
      ],
      [
        '    clusterRole: none  # host | member | none  # You can install a solo cluster, or specify it as the Host or Member Cluster.',
        '    clusterRole: member  # host | member | none  # You can install a solo cluster, or specify it as the Host or Member Cluster.',
      ],
    ]);
  });

  it('keeps CRLF line ends, also on inserted lines', () => {
    const before = fixture('v3.0-host.yaml').replace(/\n/g, '\r\n');
    const r = setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s');
    expect(r.ok && r.text).toBe(
      before.replace(
        'Secret000000000000"\r\n',
        'Secret000000000000"\r\n  oauthOptions:\r\n    accessTokenMaxAge: 0s\r\n',
      ),
    );
  });

  it('keeps a missing final line break missing', () => {
    expect(setScalar('a:\n  b: 1', ['a', 'b'], '2')).toEqual({ ok: true, changed: true, text: 'a:\n  b: 2' });
    expect(setScalar('a:\n  b: 1', ['a', 'c'], '2')).toEqual({
      ok: true,
      changed: true,
      text: 'a:\n  b: 1\n  c: 2',
    });
  });

  it("uses the file's indentation step for new blocks", () => {
    const r = setScalar(
      'authentication:\n    jwtSecret: x\n',
      ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
      '0s',
    );
    expect(r.ok && r.text).toBe(
      'authentication:\n    jwtSecret: x\n    oauthOptions:\n        accessTokenMaxAge: 0s\n',
    );
  });

  it.each<[string, string]>([
    [
      'authentication:\n  oauthOptions:\n  jwtSecret: x\n',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n  jwtSecret: x\n',
    ],
    [
      'authentication:\n  oauthOptions: null\n',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n',
    ],
    [
      'authentication:\n  oauthOptions: ~  # none yet\n',
      'authentication:\n  oauthOptions:  # none yet\n    accessTokenMaxAge: 0s\n',
    ],
    [
      'authentication:\n  oauthOptions: {}\n',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n',
    ],
    [
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:\n',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n',
    ],
    [
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:   # set me\n',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s   # set me\n',
    ],
    ['', 'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n'],
    ['# nothing yet\n', '# nothing yet\nauthentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n'],
    [
      '---\nmonitoring:\n  endpoint: x\n',
      '---\nmonitoring:\n  endpoint: x\nauthentication:\n  oauthOptions:\n    accessTokenMaxAge: 0s\n',
    ],
    [
      'authentication:\n  oauthOptions:\n    clients:\n    - name: a\n      note: |\n        line one\n        line two\n',
      'authentication:\n  oauthOptions:\n    clients:\n    - name: a\n      note: |\n        line one\n        line two\n    accessTokenMaxAge: 0s\n',
    ],
  ])('fills in %j', (before, after) => {
    expect(setScalar(before, ['authentication', 'oauthOptions', 'accessTokenMaxAge'], '0s')).toEqual({
      ok: true,
      changed: true,
      text: after,
    });
  });
});

describe('setScalar refuses what it cannot do exactly', () => {
  const P = ['authentication', 'oauthOptions', 'accessTokenMaxAge'];
  it.each<[string, string, string[] | undefined, string]>([
    [
      'flow mapping on the path',
      'authentication: {jwtSecret: x, oauthOptions: {accessTokenMaxAge: 2h}}\n',
      undefined,
      'flow-style',
    ],
    ['flow mapping as parent', 'authentication:\n  oauthOptions: {clients: []}\n', undefined, 'flow-style'],
    [
      'flow value',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: [2h]\n',
      undefined,
      'flow-style',
    ],
    [
      'anchor on the path',
      'authentication: &auth\n  oauthOptions:\n    accessTokenMaxAge: 2h\nother: *auth\n',
      undefined,
      'anchor-or-alias',
    ],
    [
      'anchor on the value',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: &age 2h\nx: *age\n',
      undefined,
      'anchor-or-alias',
    ],
    [
      'alias on the path',
      'base: &b\n  oauthOptions:\n    accessTokenMaxAge: 2h\nauthentication: *b\n',
      undefined,
      'anchor-or-alias',
    ],
    [
      'merge key',
      'base: &b\n  x: 1\nauthentication:\n  <<: *b\n  oauthOptions:\n    accessTokenMaxAge: 2h\n',
      undefined,
      'merge-key',
    ],
    [
      'tag',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: !!str 2h\n',
      undefined,
      'anchor-or-alias',
    ],
    [
      'block scalar',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: |\n      2h\n',
      undefined,
      'block-scalar',
    ],
    [
      'multi-line plain scalar',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: 2\n      h\n',
      undefined,
      'multiline-scalar',
    ],
    [
      'multi-line quoted scalar',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge: "2\n      h"\n',
      undefined,
      'multiline-scalar',
    ],
    [
      'the target is a mapping',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:\n      x: 1\n',
      undefined,
      'not-a-scalar',
    ],
    [
      'the target is a list',
      'authentication:\n  oauthOptions:\n    accessTokenMaxAge:\n    - 1\n',
      undefined,
      'not-a-scalar',
    ],
    [
      'a parent is a list',
      'authentication:\n  oauthOptions:\n  - accessTokenMaxAge: 2h\n',
      undefined,
      'not-a-mapping',
    ],
    ['a parent is a scalar', 'authentication:\n  oauthOptions: none\n', undefined, 'not-a-mapping'],
    ['a parent is a block scalar', 'authentication:\n  oauthOptions: |\n    x\n', undefined, 'block-scalar'],
    ['the document is a list', '- a\n- b\n', undefined, 'not-a-mapping'],
    ['tab indentation', 'authentication:\n\toauthOptions: {}\n', undefined, 'not-scannable'],
    ['two documents', 'a: 1\n---\nb: 2\n', undefined, 'not-scannable'],
    ['a byte order mark', '\uFEFFauthentication:\n  jwtSecret: x\n', undefined, 'not-scannable'],
    ['invalid YAML', 'authentication:\n  oauthOptions:\n    accessTokenMaxAge: "2h\n', undefined, 'not-yaml'],
    ['an empty path', 'a: 1\n', [], 'empty-path'],
  ])('%s', (_name, text, path, code) => {
    const r = setScalar(text, path ?? P, '0s');
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });

  it.each(['', ' 0s', '0s\n1h', '{a: 1}', '[1]', '- a', '"unclosed', 'a: b'])(
    'refuses the value %j',
    (value) => {
      expect(setScalar('a: 1\n', ['a'], value)).toMatchObject({ ok: false, code: 'bad-value' });
    },
  );

  it('refuses an edit whose result would not re-parse as intended (keep-chomped block scalar before it)', () => {
    const text = 'authentication:\n  banner: |+\n    hello\n\n\nnext: 1\n';
    const r = setScalar(text, ['authentication', 'jwtSecret'], 'x');
    expect(r).toMatchObject({ ok: false, code: 'verify-failed' });
  });
});

describe('currentStyle', () => {
  it.each<[string, string[], string | undefined]>([
    ['v3.4-member.yaml', ['authentication', 'jwtSecret'], 'double'],
    ['v3.2-member-hand-edited.yaml', ['authentication', 'jwtSecret'], 'single'],
    ['v3.3-member-go-remarshaled.yaml', ['authentication', 'jwtSecret'], 'plain'],
    ['v3.0-host.yaml', ['authentication', 'oauthOptions', 'accessTokenMaxAge'], undefined],
    ['v3.3-member.yaml', ['authentication', 'oauthOptions'], undefined],
  ])('%s %s → %s', (file, path, style) => {
    expect(currentStyle(fixture(file), path)).toBe(style);
  });
});
