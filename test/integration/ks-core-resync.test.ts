/**
 * 4.x has no self-heal of a jwtSecret drift (issue 12, point 4), over real HTTPS against the embedded sandbox.
 * The sandbox's host cluster controller follows kubesphere v4.1.3 pkg/controller/cluster/cluster_controller.go
 * (reconcileMemberCluster) and helper.go (configChanged, setConfigHash, installKSCoreInMemberCluster); the
 * member's file and ks-agent's checksum/config follow config/ks-core/templates/{kubesphere-config,ks-agent}.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { KS_CLUSTER } from '../../src/kubesphere/cluster/gateway.js';
import { joinedMembers, planTargets } from '../../src/kubesphere/cluster/discovery.js';
import { isResourceTypeMissing } from '../../src/kube/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { KubeObject } from '../../src/sandbox/cluster-api.js';

const NS = 'kubesphere-system';
const CLUSTERS = 'clusters.cluster.kubesphere.io';
const NIL_HASH = 'cbf29ce484222325';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 5000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

type Doc = { authentication?: { issuer?: { jwtSecret?: string; accessTokenMaxAge?: unknown } } };
const issuerOf = (cm: KubeObject | undefined): NonNullable<Doc['authentication']>['issuer'] =>
  (yaml.load((cm?.data as Record<string, string>)['kubesphere.yaml']) as Doc).authentication?.issuer;

describe('4.x: the host reinstalls ks-core only when KSCoreReady is not True or spec.config changed', () => {
  let sb: Sandbox;
  const host = () => sb.clusters.find((c) => c.name === 'host')!;
  const member = () => sb.clusters.find((c) => c.name === 'member')!;
  const memberConfig = () => member().api.get('configmaps', NS, 'kubesphere-config');
  const hostSecret = () => issuerOf(host().api.get('configmaps', NS, 'kubesphere-config'))!.jwtSecret!;

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '4.1',
      scenario: 'secret-mismatch',
      backfill: false,
      podStartMs: 20,
      podStopMs: 10,
      trafficIntervalMs: 15,
      apiserverBootMs: 10,
      installerDelayMs: 40,
    });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  async function diagnose() {
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const open = (ctx: string) => openCluster(kc, ctx, { requestTimeoutMs: 5000 });
    const h = open('host');
    const clusters = await h.listCustom(KS_CLUSTER);
    if (isResourceTypeMissing(clusters)) throw new Error('no Cluster CRD on the host');
    const targets = planTargets(joinedMembers(clusters), kc.contexts, {
      members: [],
      clusters: [],
      all: true,
      useHostCredentials: false,
      hostContext: 'host',
    });
    const d = await runDiagnosis(
      h,
      targets.map((t) => ({ reader: open(t.context!), target: t })),
      { sinceSeconds: 60, since: '1m', describeFailure },
    );
    const m = d.report.members[0]!;
    return { m, durable: m.checks.find((c) => c.id === 'jwt-secret-durable')! };
  }

  it('the host Cluster carries the config hash and KSCoreReady as the controller leaves them', () => {
    const c = host().api.get(CLUSTERS, undefined, 'member')!;
    expect(c.metadata.annotations?.['kubesphere.io/config-hash']).toBe(NIL_HASH);
    const conds = (c.status as { conditions: Array<{ type: string; status: string }> }).conditions;
    expect(conds.find((x) => x.type === 'KSCoreReady')?.status).toBe('True');
  });

  it('a drifted member stays drifted, and diagnose says 4.x does not self-heal', async () => {
    await sleep(200); // five times the controller's delay: it had its chance
    expect(issuerOf(memberConfig())!.jwtSecret === hostSecret()).toBe(false);
    const { m, durable } = await diagnose();
    expect(m.cause).toBe('secret-mismatch');
    expect([durable.status, durable.code, durable.args.resync, durable.args.cluster]).toEqual([
      'warn',
      'ks-core-no-self-heal',
      'none',
      'member',
    ]);
  });

  it('removing kubesphere.io/config-hash makes the host reinstall ks-core: host secret, 0s, ks-agent rolled', async () => {
    const before = member().api.get('deployments.apps', NS, 'ks-agent')!;
    const c = host().api.get(CLUSTERS, undefined, 'member')!;
    const annotations = { ...c.metadata.annotations };
    delete annotations['kubesphere.io/config-hash'];
    await host().api.update({ ...c, metadata: { ...c.metadata, annotations } });
    await eventually(() => issuerOf(memberConfig())!.jwtSecret === hostSecret(), "the host's jwtSecret");
    expect(String(issuerOf(memberConfig())!.accessTokenMaxAge)).toBe('0s');
    const after = await eventually(() => {
      const d = member().api.get('deployments.apps', NS, 'ks-agent')!;
      const a = (d.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template
        .metadata.annotations;
      return a?.['checksum/config'] ? d : undefined;
    }, 'the ks-agent rollout');
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation ?? 0);
    await eventually(
      () =>
        host().api.get(CLUSTERS, undefined, 'member')!.metadata.annotations?.['kubesphere.io/config-hash'] ===
        NIL_HASH,
      'setConfigHash',
    );
    const { m, durable } = await eventually(async () => {
      const r = await diagnose();
      return r.m.checks.find((x) => x.id === 'jwt-secret-match')?.status === 'pass' ? r : undefined;
    }, 'a diagnose that sees the same secret');
    expect([durable.status, durable.code]).toEqual(['skip', 'durable-not-applicable']);
    expect(m.checks.find((x) => x.id === 'access-token-max-age')?.status).toBe('pass');
  });

  it('a changed spec.config triggers a reinstall; the annotation then holds its FNV hash', async () => {
    // Hand-edit the member back to 2h: nothing on the host changed, so nothing happens...
    const cm = memberConfig()!;
    const edited = (cm.data as Record<string, string>)['kubesphere.yaml']!.replace(
      /accessTokenMaxAge: 0s/,
      'accessTokenMaxAge: 2h',
    );
    await member().api.update({ ...cm, data: { 'kubesphere.yaml': edited } });
    await sleep(200);
    expect(String(issuerOf(memberConfig())!.accessTokenMaxAge)).toBe('2h');
    // ...until the Cluster's spec.config changes (values for the chart; FNV-1a 64 of these bytes: 7670a6721e458049).
    const c = host().api.get(CLUSTERS, undefined, 'member')!;
    const spec = { ...(c.spec as object), config: Buffer.from('role: member\n').toString('base64') };
    await host().api.update({ ...c, spec });
    await eventually(
      () =>
        host().api.get(CLUSTERS, undefined, 'member')!.metadata.annotations?.['kubesphere.io/config-hash'] ===
        '7670a6721e458049',
      'setConfigHash of the new spec.config',
    );
    expect(String(issuerOf(memberConfig())!.accessTokenMaxAge)).toBe('0s');
  });

  it('KSCoreReady False also triggers a reinstall; an unchanged file does not roll ks-agent again', async () => {
    const gen = member().api.get('deployments.apps', NS, 'ks-agent')!.metadata.generation;
    const c = host().api.get(CLUSTERS, undefined, 'member')!;
    const status = c.status as { conditions: Array<Record<string, unknown>> };
    const conditions = status.conditions.map((x) =>
      x.type === 'KSCoreReady' ? { ...x, status: 'False' } : x,
    );
    await host().api.update({ ...c, status: { ...status, conditions } });
    await eventually(() => {
      const now = host().api.get(CLUSTERS, undefined, 'member')!.status as typeof status;
      return now.conditions.find((x) => x.type === 'KSCoreReady')?.status === 'True';
    }, 'KSCoreReady True again');
    expect(member().api.get('deployments.apps', NS, 'ks-agent')!.metadata.generation).toBe(gen);
  });
});
