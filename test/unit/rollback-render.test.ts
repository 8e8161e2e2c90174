import { describe, expect, it } from 'vitest';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { maskKeyLines, restoreDiff } from '../../src/output/rollback-render.js';
import type { BackupObject } from '../../src/repair/backup.js';
import type { RestoreItem } from '../../src/repair/restore.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const HOST = 'hostSecretValue0123456789';
const MEMBER = 'memberSecretValue987654321';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6ImFkbWluIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

function item(target: BackupObject['target'], current: ObjectJson, original: ObjectJson): RestoreItem {
  const object: BackupObject = {
    target,
    namespace: 'kubesphere-system',
    name: current.metadata.name ?? '',
    file: 'x.json',
    resourceVersionBefore: '1',
    resourceVersionAfter: '2',
  };
  return { object, decision: 'restore', current, original };
}

const cm = (yaml: string): ObjectJson => ({
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config' },
  data: { 'kubesphere.yaml': yaml },
});

describe('restoreDiff never shows a secret of either object', () => {
  it.each([
    [
      '3.x layout',
      cm(`authentication:\n  jwtSecret: "${HOST}"\n  accessTokenMaxAge: 0s\n`),
      cm(`authentication:\n  jwtSecret: "${MEMBER}"\n  accessTokenMaxAge: 2h0m0s\n`),
    ],
    [
      '4.x layout, the secret as a context line',
      cm(`authentication:\n  issuer:\n    jwtSecret: ${HOST}\n    accessTokenMaxAge: 0s\n`),
      cm(`authentication:\n  issuer:\n    jwtSecret: ${HOST}\n    accessTokenMaxAge: 2h\n`),
    ],
    [
      'a file that is not YAML',
      cm(`authentication:\n  jwtSecret: ${HOST}\n  accessTokenMaxAge: 0s\n\t: [`),
      cm(`authentication:\n  jwtSecret: ${MEMBER}\n  accessTokenMaxAge: 2h\n\t: [`),
    ],
  ])('configmap: %s', (_name, current, original) => {
    const diff = restoreDiff(item('configmap', current, original));
    expect(diff).toMatch(/accessTokenMaxAge/);
    expect(diff).not.toContain(HOST);
    expect(diff).not.toContain(MEMBER);
    expect(diff).toMatch(/jwtSecret: "?\*{8}/);
  });

  it('secret: the keys that differ, by fingerprint only', () => {
    const secret = (jwt: string, token: string): ObjectJson => ({
      kind: 'Secret',
      metadata: { name: 'kubesphere-secret' },
      data: { secret: b64(jwt), token: b64(token), same: b64('unchanged-value') },
    });
    const diff = restoreDiff(item('secret', secret(HOST, TOKEN), secret(MEMBER, `${TOKEN}x`)));
    expect(diff.trim().split('\n')).toHaveLength(3);
    expect(diff).toMatch(/data\.secret: \*{8} \(fp [0-9a-f]{8}\) → \*{8} \(fp [0-9a-f]{8}\)/);
    for (const s of [HOST, MEMBER, TOKEN, b64(HOST), b64(MEMBER), 'unchanged-value'])
      expect(diff).not.toContain(s);
  });

  it('clusterconfiguration: spec diff with its jwtSecret and any token masked', () => {
    const cc = (jwt: string, age: string): ObjectJson => ({
      kind: 'ClusterConfiguration',
      metadata: { name: 'ks-installer' },
      spec: { authentication: { jwtSecret: jwt, oauthOptions: { accessTokenMaxAge: age } }, note: TOKEN },
    });
    const diff = restoreDiff(item('clusterconfiguration', cc(HOST, '0s'), cc('', '2h')));
    expect(diff).toMatch(/^-\s+accessTokenMaxAge: 0s$/m);
    expect(diff).not.toContain(HOST);
    expect(diff).not.toContain(TOKEN);
  });

  it('short values under a secret-like key are masked by line, leaving the same word elsewhere alone', () => {
    const current = cm(
      `oauthOptions:\n  clients:\n  - name: kubesphere\n    secret: kubesphere\n  accessTokenMaxAge: 0s\n`,
    );
    const original = cm(
      `oauthOptions:\n  clients:\n  - name: kubesphere\n    secret: kubesphere\n  accessTokenMaxAge: 2h\n`,
    );
    const diff = restoreDiff(item('configmap', current, original));
    expect(diff).toMatch(/name: kubesphere$/m);
    expect(diff).toMatch(/secret: \*{8}$/m);
  });
});

describe('maskKeyLines', () => {
  it.each([
    ['+  password: hunter2', '+  password: ********'],
    ['-    managerPassword: "p@ss"', '-    managerPassword: ********'],
    [' - bearerToken: abc', ' - bearerToken: ********'],
    ['+  accessTokenMaxAge: 2h', '+  accessTokenMaxAge: 2h'],
    ["+  jwtSecret: ''", "+  jwtSecret: ''"],
    ['+  jwtSecret: ******** (fp 1234abcd)', '+  jwtSecret: ******** (fp 1234abcd)'],
    ['+  jwtSecret: "******** (fp 1234abcd)"', '+  jwtSecret: "******** (fp 1234abcd)"'],
  ])('%s', (line, masked) => expect(maskKeyLines(line)).toBe(masked));
});
