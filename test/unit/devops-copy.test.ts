/**
 * ks-devops' copy of the jwtSecret (issue 12, point 8), from hand-built snapshots. Follows ks-installer
 * v3.2.1/v3.3.2/v3.4.1 roles/ks-devops/tasks/main.yaml ("Getting KubeSphere JWT secret" from kubesphere-secret),
 * roles/ks-devops/templates/ks-devops-values.yaml.j2 (authentication.jwtSecret), the ks-devops chart's
 * templates/config.yaml (ConfigMap devops-config, kubesphere.yaml authentication.jwtSecret) and
 * playbooks/devops.yaml (the role runs only while status.devops.status is not "enabled").
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { devopsCopySecret, devopsCopyWanted } from '../../src/kubesphere/cluster/devops.js';
import type { ClusterSnapshot, ObjectJson, Read } from '../../src/kubesphere/cluster/snapshot.js';
import { describeFinding } from '../../src/output/messages.js';
import { devopsConfigMap } from '../../src/sandbox/kubesphere/devops.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const HOST = 'FAKEv34hostJwtSecret000000000000';
const OLD = 'FAKEoldMemberJwtSecret0000000000';
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const fp = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);

const cc = (o: { enabled?: unknown; version?: string; status?: string } = {}): ObjectJson => ({
  metadata: { name: 'ks-installer', labels: o.version ? { version: o.version } : {} },
  spec: { devops: { enabled: o.enabled ?? true } },
  ...(o.status ? { status: { devops: { status: o.status } } } : {}),
});

describe('devopsCopyWanted: one more read, only with DevOps enabled on 3.2+', () => {
  it.each([
    [cc({ version: 'v3.2.1' }), true],
    [cc({ version: 'v3.4.1' }), true],
    [cc({ version: 'v3.1.1' }), false],
    [cc({ version: 'v3.0.0' }), false],
    [cc({ version: 'v3.3.2', enabled: false }), false],
    [cc({ version: 'v3.3.2', enabled: 'true' }), true],
    [cc({}), true], // no version to go by: read it
    [undefined, false],
  ])('%#', (c, want) => expect(devopsCopyWanted(c)).toBe(want));
});

describe("devopsCopySecret reads the chart's devops-config", () => {
  it('the rendered ConfigMap gives back the secret; a ConfigMap without one gives undefined', () => {
    expect(devopsCopySecret(devopsConfigMap(HOST) as unknown as ObjectJson)).toBe(HOST);
    expect(devopsCopySecret({ metadata: {}, data: { 'kubesphere.yaml': 'ldap: {}\n' } })).toBeUndefined();
    expect(devopsCopySecret({ metadata: {} })).toBeUndefined();
  });
});

function member(
  devops: Read<ObjectJson> | 'absent',
  status = 'enabled',
  installerSecret = HOST,
): ClusterSnapshot {
  const snap = snapshot({
    context: 'member',
    yaml: fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${HOST}"`),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: HOST, clusterRole: 'member' },
    installerSecret,
  });
  const ccObj = snap.clusterConfiguration as ObjectJson;
  ccObj.status = { devops: { status } };
  return devops === 'absent' ? snap : { ...snap, devopsConfig: devops };
}

function run(m: ClusterSnapshot) {
  const host = snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${HOST}"`),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: HOST, clusterRole: 'host' },
    installerSecret: HOST,
  });
  const r = assess({ snapshot: host, logs: noErrors }, [{ gathered: { snapshot: m, logs: noErrors } }], {
    since: '1h',
  }).members[0]!;
  return { r, c: r.checks.find((x) => x.id === 'devops-jwt-secret') };
}

const copy = (s: string) => devopsConfigMap(s) as unknown as ObjectJson;

describe('devops-jwt-secret', () => {
  it('not read (DevOps off, 3.0/3.1, 4.x): no check at all', () => {
    expect(run(member('absent')).c).toBeUndefined();
  });

  it("the copy is the host's: pass", () => {
    const { c } = run(member(copy(HOST)));
    expect([c?.status, c?.code, c?.evidence?.devopsConfig]).toEqual([
      'pass',
      'devops-secret-match',
      { present: true, fingerprint: fp(HOST), length: HOST.length },
    ]);
  });

  it('a stale copy: warn with fingerprints, the cause untouched; an installer run will not refresh it', () => {
    const { r, c } = run(member(copy(OLD)));
    expect([c?.status, c?.code, r.cause]).toEqual(['warn', 'devops-secret-stale', 'healthy']);
    expect(c?.args).toMatchObject({
      copyFp: fp(OLD),
      wantFp: fp(HOST),
      against: 'host',
      installerRefreshes: false,
      matchesKubesphereSecret: false,
    });
    const words = describeFinding(c!);
    expect(words.remedy).toContain('/status/devops');
    expect(JSON.stringify([c, words])).not.toContain(OLD);
    expect(JSON.stringify([c, words])).not.toContain(HOST);
  });

  it('status.devops not "enabled": the next installer run refreshes it, and the remedy does not ask to clear it', () => {
    const { c } = run(member(copy(OLD), 'failed'));
    expect(c?.args.installerRefreshes).toBe(true);
    expect(describeFinding(c!).remedy).not.toContain('/status/devops');
  });

  it('the copy still holds what kubesphere-secret holds: said so (repair has not reached kubesphere-secret)', () => {
    const { c } = run(member(copy(OLD), 'enabled', OLD));
    expect([c?.code, c?.args.matchesKubesphereSecret]).toEqual(['devops-secret-stale', true]);
  });

  it.each([
    [
      { failure: { kind: 'forbidden' as const, message: 'forbidden', hint: 'grant get configmaps' } },
      'warn',
      'devops-copy-unreadable',
    ],
    [null, 'skip', 'devops-copy-missing'],
    [{ metadata: {}, data: { 'kubesphere.yaml': 'ldap: {}\n' } }, 'warn', 'devops-copy-unknown'],
  ])('a forbidden, missing or secret-less copy is never a pass (%#)', (read, status, code) => {
    const { r, c } = run(member(read as Read<ObjectJson>));
    expect([c?.status, c?.code]).toEqual([status, code]);
    expect(r.cause).toBe('healthy');
  });
});
