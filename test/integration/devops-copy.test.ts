/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { repairCommand } from '../../src/commands/repair.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { assertSchema } from '../helpers/schema.js';
import { captureJson } from '../helpers/capture.js';

/**
 * ks-devops' copy of the jwtSecret (issue 12, point 8), over the embedded sandbox. Follows ks-installer
 * v3.2.1/v3.3.2/v3.4.1 roles/ks-devops/tasks/main.yaml (reads kubesphere-secret), templates/ks-devops-values.yaml.j2
 * (authentication.jwtSecret), the ks-devops chart's templates/config.yaml (ConfigMap devops-config) and
 * playbooks/devops.yaml (the role runs only while the CC's status.devops.status is not "enabled").
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10, hotReloadMs: 50 };
const CC = 'clusterconfigurations.installer.kubesphere.io';

const json = captureJson;

const copyOf = (sb: Sandbox): string => {
  const cm = sb.clusters
    .find((c) => c.name === 'member')!
    .api.get('configmaps', 'kubesphere-devops-system', 'devops-config')!;
  return (yaml.load((cm.data as any)['kubesphere.yaml']) as any).authentication.jwtSecret;
};
const hostSecret = (sb: Sandbox): string => {
  const cm = sb.clusters
    .find((c) => c.name === 'host')!
    .api.get('configmaps', 'kubesphere-system', 'kubesphere-config')!;
  return (yaml.load((cm.data as any)['kubesphere.yaml']) as any).authentication.jwtSecret;
};
const devopsCheck = (doc: any) => doc.members[0].checks.find((c: any) => c.id === 'devops-jwt-secret');

describe('ks-devops keeps the jwtSecret it copied at install', () => {
  let sb: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const env = (s: Sandbox, d: string) => ({ KUBECONFIG: s.kubeconfigPath, XDG_STATE_HOME: d, HOME: d });
  const common = { host: 'host', member: ['member'], output: 'json' };

  it('devops-stale (3.3): a warning with fingerprints only; the member itself is healthy', async () => {
    sb = await startSandbox({
      ksVersion: '3.3',
      scenario: 'devops-stale',
      installerDelayMs: 600_000,
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-devops-'));
    const d = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    assertSchema('diagnose', d.doc);
    expect(d.doc.members[0].cause).toBe('healthy');
    const c = devopsCheck(d.doc);
    expect([
      c.status,
      c.code,
      c.evidence.against,
      c.evidence.installerRefreshes,
      c.evidence.matchesKubesphereSecret,
    ]).toEqual(['warn', 'devops-secret-stale', 'host', false, false]);
    expect(c.evidence.devopsConfig.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(c.evidence.devopsConfig.fingerprint).not.toBe(c.evidence.host.fingerprint);
    expect(d.out.includes(copyOf(sb))).toBe(false);
    expect(d.out.includes(hostSecret(sb))).toBe(false);
    // One extra read for the member, none for the host.
    const reads = sb.faults.seen.filter((r: any) => String(r.path).includes('kubesphere-devops-system'));
    expect(reads.map((r: any) => [r.cluster, r.method, r.path])).toEqual([
      ['member', 'GET', '/api/v1/namespaces/kubesphere-devops-system/configmaps/devops-config'],
    ]);
  });

  it('DevOps disabled (the default): no extra read, no check', async () => {
    sb = await startSandbox({ ksVersion: '3.4', scenario: 'healthy', installerDelayMs: 600_000, ...FAST });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-devops-'));
    const d = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect(devopsCheck(d.doc)).toBeUndefined();
    const reads = sb.faults.seen.filter((r: any) => String(r.path).includes('kubesphere-devops-system'));
    expect(reads).toEqual([]);
  });

  it("3.4 secret-mismatch with DevOps: repair's installer run leaves the copy stale; clearing status.devops refreshes it", async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'secret-mismatch',
      members: [{ name: 'member', devops: true }],
      installerDelayMs: 600_000,
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-devops-'));
    const before = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect(before.doc.members[0].cause).toBe('secret-mismatch');
    expect([devopsCheck(before.doc).code, devopsCheck(before.doc).evidence.matchesKubesphereSecret]).toEqual([
      'devops-secret-stale',
      true,
    ]);

    const repair = await json(() =>
      repairCommand({ ...common, yes: true, timeout: '60s', backupDir: dir }, env(sb!, dir!)),
    );
    expect({ code: repair.code, status: repair.doc.status }).toEqual({ code: 0, status: 'repaired' });
    await sb.rerunInstaller('member'); // the run repair's ClusterConfiguration edit starts
    expect(copyOf(sb) === hostSecret(sb)).toBe(false);
    const after = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect(after.doc.members[0].cause).toBe('healthy');
    expect([devopsCheck(after.doc).code, devopsCheck(after.doc).evidence.matchesKubesphereSecret]).toEqual([
      'devops-secret-stale',
      false,
    ]);

    // The remedy: remove status.devops, run ks-installer again.
    const member = sb.clusters.find((c) => c.name === 'member')!;
    const cc = structuredClone(member.api.get(CC, 'kubesphere-system', 'ks-installer')!) as any;
    delete cc.status.devops;
    await member.api.update(cc);
    await sb.rerunInstaller('member');
    expect(copyOf(sb) === hostSecret(sb)).toBe(true);
    const fixed = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect([devopsCheck(fixed.doc).status, devopsCheck(fixed.doc).code]).toEqual([
      'pass',
      'devops-secret-match',
    ]);
    const status = (member.api.get(CC, 'kubesphere-system', 'ks-installer')!.status as any).devops.status;
    expect(status).toBe('enabled');
  });

  it('a forbidden read of the copy is a warning with the RBAC hint, never a pass', async () => {
    sb = await startSandbox({
      ksVersion: '3.2',
      scenario: 'devops-stale',
      installerDelayMs: 600_000,
      faults: [
        { cluster: 'member', path: '/kubesphere-devops-system/', kind: 'status', status: 403, times: 0 },
      ],
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-devops-'));
    const d = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    assertSchema('diagnose', d.doc);
    const c = devopsCheck(d.doc);
    expect([c.status, c.code, d.doc.members[0].cause]).toEqual(['warn', 'devops-copy-unreadable', 'healthy']);
    expect(c.remedy).toMatch(/configmaps.*kubesphere-devops-system/);
  });

  it('a member on 3.1 cannot have the copy', async () => {
    await expect(
      startSandbox({ ksVersion: '3.1', scenario: 'healthy', members: [{ devops: true }], ...FAST }),
    ).rejects.toThrow(/3\.2\+/);
  });
});
