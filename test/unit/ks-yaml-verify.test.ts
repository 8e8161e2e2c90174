import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { editConfigText } from '../../src/kubesphere/repair/config-edit.js';
import { getPath } from '../../src/kubesphere/config/index.js';
import { verifyEdit } from '../../src/kubesphere/yaml/verify.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/kubesphere-yaml/${name}.yaml`, import.meta.url), 'utf8');
const MAX_AGE = ['authentication', 'oauthOptions', 'accessTokenMaxAge'];

describe('verifyEdit', () => {
  const before =
    'authentication:\n  jwtSecret: old\n  oauthOptions:\n    accessTokenMaxAge: 0\nmonitoring:\n  endpoint: x\n';

  it('accepts exactly the intended change', () => {
    const after = before.replace('accessTokenMaxAge: 0', 'accessTokenMaxAge: 0s');
    expect(verifyEdit(before, after, [{ path: MAX_AGE, value: '0s' }])).toEqual({ ok: true });
  });

  it('accepts new keys and blocks on the intended path', () => {
    const b = 'authentication:\n  jwtSecret: old\n';
    const a = 'authentication:\n  jwtSecret: old\n  oauthOptions:\n    accessTokenMaxAge: 0s\n';
    expect(verifyEdit(b, a, [{ path: MAX_AGE, value: '0s' }])).toEqual({ ok: true });
  });

  it('catches a change elsewhere and names it', () => {
    const after = before
      .replace('accessTokenMaxAge: 0', 'accessTokenMaxAge: 0s')
      .replace('endpoint: x', 'endpoint: y');
    expect(verifyEdit(before, after, [{ path: MAX_AGE, value: '0s' }])).toMatchObject({
      ok: false,
      code: 'unexpected-change',
      paths: [['monitoring', 'endpoint']],
    });
  });

  it('catches a value that did not land', () => {
    expect(verifyEdit(before, before, [{ path: MAX_AGE, value: '0s' }])).toMatchObject({
      ok: false,
      paths: [MAX_AGE],
    });
  });

  it('tells a string "0" from the number 0', () => {
    const after = before.replace('accessTokenMaxAge: 0', 'accessTokenMaxAge: "0"');
    expect(verifyEdit(before, after, [{ path: MAX_AGE, value: 0 }])).toMatchObject({
      ok: false,
      paths: [MAX_AGE],
    });
  });

  it('catches an added or removed key', () => {
    const added = before.replace('  jwtSecret: old\n', '  jwtSecret: old\n  extra: 1\n');
    expect(verifyEdit(before, added, [])).toMatchObject({ ok: false, paths: [['authentication', 'extra']] });
    const removed = before.replace('monitoring:\n  endpoint: x\n', '');
    expect(verifyEdit(before, removed, [])).toMatchObject({ ok: false, paths: [['monitoring']] });
  });

  it('editing the first of two duplicates does not count: the last one still wins', () => {
    const dup = fixture('v3.4-member-duplicate-keys');
    const wrong = dup.replace('accessTokenMaxAge: 1h', 'accessTokenMaxAge: 2h');
    expect(verifyEdit(dup, wrong, [{ path: MAX_AGE, value: '2h' }])).toMatchObject({
      ok: false,
      paths: [MAX_AGE],
    });
  });

  it.each<[string, string, string]>([
    ['a: "x\n', 'a: 1\n', 'before-unparseable'],
    ['a: 1\n', 'a: "x\n', 'after-unparseable'],
  ])('%j → %j: %s', (b, a, code) => {
    expect(verifyEdit(b, a, [])).toMatchObject({ ok: false, code });
  });

  it('refuses an intended path that runs through a scalar', () => {
    expect(
      verifyEdit('authentication: x\n', 'authentication: x\n', [{ path: MAX_AGE, value: '0s' }]),
    ).toMatchObject({
      ok: false,
      code: 'not-a-mapping',
    });
  });
});

describe("editConfigText: the repair's two edits on every layout", () => {
  const HOST = 'FAKEhostJwtSecretForRepair000000';
  it.each<[string, string[], string[], RegExp, RegExp]>([
    [
      'v3.0-member',
      ['authentication', 'jwtSecret'],
      MAX_AGE,
      /^ {2}jwtSecret: "FAKEhostJwtSecretForRepair000000"$/m,
      /^ {4}accessTokenMaxAge: 0s$/m,
    ],
    [
      'v3.1-host',
      ['authentication', 'jwtSecret'],
      MAX_AGE,
      /^ {2}jwtSecret: "FAKEhostJwtSecretForRepair000000"$/m,
      /^ {2}oauthOptions:\n {4}accessTokenMaxAge: 0s$/m,
    ],
    [
      'v3.2-member-hand-edited',
      ['authentication', 'jwtSecret'],
      MAX_AGE,
      /^ {2}jwtSecret: 'FAKEhostJwtSecretForRepair000000' {3}# same as host$/m,
      /^ {4}accessTokenMaxAge: 0s {4}# TODO/m,
    ],
    [
      'v3.3-member-go-remarshaled-2h',
      ['authentication', 'jwtSecret'],
      MAX_AGE,
      /^ {2}jwtSecret: FAKEhostJwtSecretForRepair000000$/m,
      /^ {4}accessTokenMaxAge: 0s$/m,
    ],
    [
      'v3.4-member-duplicate-keys',
      ['authentication', 'jwtSecret'],
      MAX_AGE,
      /^ {2}jwtSecret: "FAKEhostJwtSecretForRepair000000"$/m,
      /accessTokenMaxAge: 1h\n {4}accessTokenMaxAge: 0s$/m,
    ],
    [
      'v4.1-member-stale-secret',
      ['authentication', 'issuer', 'jwtSecret'],
      ['authentication', 'issuer', 'accessTokenMaxAge'],
      /^ {4}jwtSecret: "FAKEhostJwtSecretForRepair000000"$/m,
      /^ {4}accessTokenMaxAge: 0s$/m,
    ],
  ])('%s', (name, secretPath, maxAgePath, secretLine, maxAgeLine) => {
    const r = editConfigText(fixture(name), [
      { path: secretPath, value: HOST, secret: true },
      { path: maxAgePath, value: '0s', secret: false },
    ]);
    if (!r.ok) throw new Error(r.reason);
    expect(r.changed).toBe(true);
    expect(r.text).toMatch(secretLine);
    expect(r.text).toMatch(maxAgeLine);
    const data = yaml.load(r.text, { json: true });
    expect(getPath(data, secretPath)).toBe(HOST);
    expect(getPath(data, maxAgePath)).toBe('0s');
  });

  it('changes nothing when the file already says so', () => {
    const text = fixture('v4.1-member');
    const r = editConfigText(text, [
      {
        path: ['authentication', 'issuer', 'jwtSecret'],
        value: 'FAKEv41hostJwtSecret000000000000',
        secret: true,
      },
      { path: ['authentication', 'issuer', 'accessTokenMaxAge'], value: '0s' },
    ]);
    expect(r).toEqual({ ok: true, text, changed: false });
  });

  it('never writes a bare 0: a "0" string is quoted', () => {
    const r = editConfigText('authentication:\n  jwtSecret: x\n', [{ path: MAX_AGE, value: '0' }]);
    expect(r.ok && r.text).toContain('accessTokenMaxAge: "0"\n');
  });

  it('quotes a new secret key like the templates do', () => {
    const r = editConfigText('authentication:\n  maximumClockSkew: 10s\n', [
      { path: ['authentication', 'jwtSecret'], value: 'FAKEabc', secret: true },
    ]);
    expect(r.ok && r.text).toBe('authentication:\n  maximumClockSkew: 10s\n  jwtSecret: "FAKEabc"\n');
  });

  it('refuses to write an empty secret', () => {
    const r = editConfigText(fixture('v3.4-member'), [
      { path: ['authentication', 'jwtSecret'], value: '', secret: true },
    ]);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
  });

  it('names the path it could not edit', () => {
    const r = editConfigText('authentication: {jwtSecret: x}\n', [
      { path: ['authentication', 'jwtSecret'], value: 'y', secret: true },
    ]);
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('authentication.jwtSecret') });
  });
});
