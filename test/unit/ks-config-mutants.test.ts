/**
 * The config area's last gaps (issue 13): which secrets ks-restore finds to mask in objects and YAML texts, how
 * a tab after an indicator is reported, which raw records readAuthSettings takes for the data itself, and Go's
 * duration limits. Each expectation is the exact value a user sees.
 */
import { describe, expect, it } from 'vitest';
import { parseKubesphereYaml, readAuthSettings } from '../../src/kubesphere/config/index.js';
import { getPath, hasPath, isMapping } from '../../src/kubesphere/config/paths.js';
import { parseGoDuration } from '../../src/kubesphere/config/duration.js';
import { ksVersionFromImage } from '../../src/kubesphere/config/version.js';
import { jwtSecretsInYaml, secretsInObjects } from '../../src/kubesphere/config/secrets.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('secretsInObjects: what is masked', () => {
  it('a Secret with no data, or an empty value, adds nothing', () => {
    expect(secretsInObjects([{ kind: 'Secret', metadata: { name: 's' }, data: null }])).toEqual([]);
    expect(secretsInObjects([{ kind: 'Secret', metadata: { name: 's' }, data: { secret: '' } }])).toEqual([]);
  });

  it("a Secret's non-string data values are skipped, its string values decoded", () => {
    const secret = { kind: 'Secret', metadata: { name: 's' }, data: { n: 5, secret: b64('FAKEsecretOne') } };
    expect(secretsInObjects([secret])).toEqual(['FAKEsecretOne']);
  });

  it('keys spelled jwt_secret and jwt-secret count as jwtSecret (viper, environment)', () => {
    expect(secretsInObjects([{ a: { jwt_secret: 'FAKEunderscore', 'jwt-secret': 'FAKEdash' } }])).toEqual([
      'FAKEunderscore',
      'FAKEdash',
    ]);
    expect(secretsInObjects([{ jwtXsecret: 'FAKEnotAKey' }])).toEqual([]);
  });

  it('a mapping or null under a jwtSecret key is not a secret itself; strings nested in it are', () => {
    expect(secretsInObjects([{ jwtSecret: { value: 'plain' }, other: { jwtSecret: null } }])).toEqual([]);
    expect(secretsInObjects([{ jwtSecret: { jwtSecret: 'FAKEnested' } }])).toEqual(['FAKEnested']);
  });
});

describe('jwtSecretsInYaml: every occurrence, shadowed ones included', () => {
  it('a shadowed multi-line value is found joined as YAML reads it, and as written on its line', () => {
    const text = 'authentication:\n  jwtSecret: FAKEfirst\n    part\n  jwtSecret: FAKEsecond\n';
    expect(jwtSecretsInYaml(text)).toEqual(['FAKEsecond', 'FAKEfirst part', 'FAKEfirst']);
  });

  it('a shadowed number is found as YAML reads it (0x10 is 16) and as written', () => {
    const text = 'authentication:\n  jwtSecret: 0x10\n  jwtSecret: FAKElast\n';
    expect(jwtSecretsInYaml(text)).toEqual(['FAKElast', '16', '0x10']);
  });

  it('a shadowed null adds only what is written, not "null"', () => {
    const text = 'authentication:\n  jwtSecret: ~\n  jwtSecret: FAKElast\n';
    expect(jwtSecretsInYaml(text)).toEqual(['FAKElast', '~']);
  });

  it('JSON (a last-applied annotation) holding kubesphere.yaml: the nested value, decoded', () => {
    const yaml = 'authentication:\n  jwtSecret: FAKEinJson\n';
    const text = JSON.stringify({ data: { 'kubesphere.yaml': yaml } });
    expect(jwtSecretsInYaml(text)).toEqual(['FAKEinJson', 'FAKEinJson\\n"}}']);
  });

  it('a YAML flow mapping that is not JSON: the value a parser keeps (the last duplicate)', () => {
    expect(jwtSecretsInYaml('{jwtSecret: FAKEa, jwtSecret: FAKEb}')).toEqual([
      'FAKEb',
      'FAKEa, jwtSecret: FAKEb}',
    ]);
  });
});

describe('parseKubesphereYaml: a tab after ":" or "-"', () => {
  it.each<[string, string, number[]]>([
    ['after a colon, before a comment', 'a:\t1 # note\n', [1]],
    ['inside a plain value', 'name: a-\tb\n', []],
    ['in an indented comment', 'a: 1\n  # b:\tc\n', []],
    ['after a list dash', 'a:\n  -\tx\n', [2]],
  ])('%s: lines %j', (_name, text, lines) => {
    const parsed = parseKubesphereYaml(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.notices.filter((n) => n.code === 'tab-after-indicator').map((n) => n.lines)).toEqual(
      lines.length > 0 ? [lines] : [],
    );
  });
});

describe('readAuthSettings on a raw record (the data itself, not a parse result)', () => {
  it('a file with top-level keys named ok, data and duplicateKeys is still read as the data', () => {
    const outer = { authentication: { jwtSecret: 'FAKEouter' } };
    const inner = { authentication: { jwtSecret: 'FAKEinner' } };
    expect(readAuthSettings({ ...outer, ok: true, data: inner }, 'v3').jwtSecret).toBe('FAKEouter');
    expect(readAuthSettings({ ...outer, data: inner, duplicateKeys: [] }, 'v3').jwtSecret).toBe('FAKEouter');
    expect(readAuthSettings({ ...outer, data: 'x', duplicateKeys: [] }, 'v3').jwtSecret).toBe('FAKEouter');
  });

  it('a parse result is read through its data', () => {
    const parsed = parseKubesphereYaml('authentication:\n  jwtSecret: FAKEparsed\n');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(readAuthSettings(parsed, 'v3').jwtSecret).toBe('FAKEparsed');
  });
});

describe('paths', () => {
  it('a null-prototype object is a mapping', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.a = 1;
    expect([isMapping(o), getPath({ x: o }, ['x', 'a'])]).toEqual([true, 1]);
  });

  it('the empty path names no key', () => {
    expect(hasPath({ undefined: 1 }, [])).toBe(false);
  });
});

describe('parseGoDuration at the int64 limits, as Go', () => {
  it('the most negative duration, reached through a fraction, is valid', () => {
    expect(parseGoDuration('-9223372036854775.808us')).toEqual({
      ok: true,
      nanos: -9223372036854775808n,
      zero: false,
      text: '-9223372036854775.808us',
      notes: [],
    });
  });

  it('a negative sum beyond it is invalid', () => {
    expect(parseGoDuration('-9223372036854775807ns2ns')).toEqual({
      ok: false,
      text: '-9223372036854775807ns2ns',
      reason: 'time: invalid duration "-9223372036854775807ns2ns"',
    });
  });

  it('a number beyond 2^63 is invalid before its unit is looked at', () => {
    expect(parseGoDuration('9223372036854775809')).toEqual({
      ok: false,
      text: '9223372036854775809',
      reason: 'time: invalid duration "9223372036854775809"',
    });
  });
});

describe('ksVersionFromImage', () => {
  it('an untagged image named like a version has no version', () => {
    expect(ksVersionFromImage('v3.4.1')).toBe(undefined);
  });
});
