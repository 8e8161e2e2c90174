/* eslint-disable @typescript-eslint/no-explicit-any -- API and YAML documents, read field by field */
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../../src/kube/client.js';
import { describeFailure } from '../../../src/kube/failure.js';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../../src/kubesphere/checks/diagnosis.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { describeReal } from '../../helpers/real-tier.js';

/**
 * Issue 12 points 4 and 8 on a real kube-apiserver: the 4.1 host's cluster controller reinstalls ks-core on a
 * member only when upstream's would (kubesphere v4.1.3 pkg/controller/cluster/cluster_controller.go
 * reconcileMemberCluster, helper.go), and ks-devops' jwtSecret copy lives in kubesphere-devops-system/devops-config,
 * refreshed by ks-installer's ks-devops role only while status.devops.status is not "enabled" (ks-installer
 * v3.4.1 playbooks/devops.yaml, roles/ks-devops). Both through ClusterApi, with a cache that lags the server.
 */
const START = 180_000;
const FAST = {
  podStartMs: 50,
  podStopMs: 20,
  trafficIntervalMs: 0,
  apiserverBootMs: 10,
  installerDelayMs: 100,
};
const CLUSTERS = 'clusters.cluster.kubesphere.io';
const CC = 'clusterconfigurations.installer.kubesphere.io';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => T | undefined | false, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const doc = (cm: any): any => yaml.load(cm.data['kubesphere.yaml']);

async function diagnoseMember(sb: Sandbox) {
  const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
  const d = await runDiagnosis(
    openCluster(kc, 'host', { requestTimeoutMs: 10_000 }),
    [openCluster(kc, 'member', { requestTimeoutMs: 10_000 })],
    { sinceSeconds: 60, since: '1m', describeFailure },
  );
  return d.report.members[0]!;
}

describeReal('real control plane: 4.x re-sync and the DevOps copy', () => {
  describe('4.1 secret-mismatch', () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await startSandbox({
        controlPlane: 'real',
        ksVersion: '4.1',
        scenario: 'secret-mismatch',
        ...FAST,
      });
    }, START);
    afterAll(async () => {
      await sb?.stop();
    }, 60_000);

    it('stays drifted; removing kubesphere.io/config-hash makes the host reinstall ks-core', async () => {
      const host = sb.clusters.find((c) => c.name === 'host')!.api;
      const member = sb.clusters.find((c) => c.name === 'member')!.api;
      const hostSecret = doc(host.get('configmaps', 'kubesphere-system', 'kubesphere-config')).authentication
        .issuer.jwtSecret;
      const memberSecret = () =>
        doc(member.get('configmaps', 'kubesphere-system', 'kubesphere-config')).authentication.issuer
          .jwtSecret;
      await sleep(500);
      expect(memberSecret() === hostSecret).toBe(false);
      const durable = (await diagnoseMember(sb)).checks.find((c) => c.id === 'jwt-secret-durable')!;
      expect([durable.code, durable.args.resync]).toEqual(['ks-core-no-self-heal', 'none']);

      const c = host.get(CLUSTERS, undefined, 'member')!;
      const annotations = { ...c.metadata.annotations };
      delete annotations['kubesphere.io/config-hash'];
      await host.update({ ...c, metadata: { ...c.metadata, annotations } });
      await eventually(() => memberSecret() === hostSecret, "the host's jwtSecret on the member");
      await eventually(
        () =>
          host.get(CLUSTERS, undefined, 'member')!.metadata.annotations?.['kubesphere.io/config-hash'] ===
          'cbf29ce484222325',
        'setConfigHash',
      );
      const agent = member.get('deployments.apps', 'kubesphere-system', 'ks-agent')!;
      expect((agent.spec as any).template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    }, 120_000);
  });

  describe('3.4 secret-mismatch with DevOps', () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await startSandbox({
        controlPlane: 'real',
        ksVersion: '3.4',
        scenario: 'secret-mismatch',
        members: [{ name: 'member', devops: true }],
        ...FAST,
        installerDelayMs: 600_000,
      });
    }, START);
    afterAll(async () => {
      await sb?.stop();
    }, 60_000);

    it('diagnose warns on the stale copy; only a run with status.devops cleared refreshes it', async () => {
      const member = sb.clusters.find((c) => c.name === 'member')!.api;
      const copy = () =>
        doc(member.get('configmaps', 'kubesphere-devops-system', 'devops-config')).authentication.jwtSecret;
      const check = (await diagnoseMember(sb)).checks.find((c) => c.id === 'devops-jwt-secret')!;
      expect([check.status, check.code, check.args.matchesKubesphereSecret]).toEqual([
        'warn',
        'devops-secret-stale',
        true,
      ]);

      const cc = structuredClone(member.get(CC, 'kubesphere-system', 'ks-installer')!) as any;
      cc.spec.authentication.jwtSecret = 'FAKEnewSecretForTheRealTier00000';
      await member.update(cc);
      await eventually(
        () =>
          (member.get(CC, 'kubesphere-system', 'ks-installer')!.spec as any).authentication.jwtSecret ===
          cc.spec.authentication.jwtSecret,
        'the CC edit in the cache',
      );
      await sb.rerunInstaller('member');
      // The run happened (kubesphere-secret holds the new value) and left the copy alone.
      const secret = () => member.get('secrets', 'kubesphere-system', 'kubesphere-secret')?.data as any;
      await eventually(
        () => Buffer.from(secret()?.secret ?? '', 'base64').toString() === cc.spec.authentication.jwtSecret,
        'kubesphere-secret rewritten by the run',
      );
      expect(copy() === cc.spec.authentication.jwtSecret).toBe(false);

      const again = structuredClone(member.get(CC, 'kubesphere-system', 'ks-installer')!) as any;
      delete again.status.devops;
      await member.update(again);
      await eventually(
        () => !(member.get(CC, 'kubesphere-system', 'ks-installer')!.status as any).devops,
        'the status edit in the cache',
      );
      await sb.rerunInstaller('member');
      await eventually(() => copy() === 'FAKEnewSecretForTheRealTier00000', 'the refreshed copy');
    }, 120_000);
  });
});
