/**
 * What `diagnose --since/--tail`, the verification after a restart (pods started after) and the progress line
 * change in what is read, over real HTTPS against the sandbox. Written for the mutants StrykerJS found surviving
 * in diagnosis.ts (issue 13).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis, type DiagnosisOptions } from '../../src/kubesphere/checks/diagnosis.js';
import type { MemberTarget } from '../../src/kubesphere/cluster/discovery.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { klogLine } from '../../src/sandbox/kubesphere/klog.js';

const NS = 'kubesphere-system';
const MINUTE = 60_000;

describe('runDiagnosis options (over real HTTPS)', () => {
  let sb: Sandbox;
  let pod: string;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'healthy',
      backfill: false,
      podStartMs: 20,
      podStopMs: 10,
      trafficIntervalMs: 0,
      apiserverBootMs: 10,
    });
    const member = sb.clusters.find((c) => c.name === 'member')!;
    pod = member.store.list('pods', NS).find((p) => p.metadata.labels?.app === 'ks-apiserver')!.metadata
      .name!;
    // Three rejected tokens half an hour ago, a minute apart: three requests.
    for (const ago of [32, 31, 30]) {
      const time = new Date(Date.now() - ago * MINUTE);
      member.logs.append(NS, pod, 'ks-apiserver', {
        time,
        text: klogLine({ sev: 'W', at: 'issuer.go:182', msg: 'jwt: signature is invalid' }, time),
      });
    }
  });
  afterAll(async () => {
    await sb?.stop();
  });

  async function diagnose(opts: Partial<DiagnosisOptions>) {
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const d = await runDiagnosis(
      openCluster(kc, 'host', { requestTimeoutMs: 5000 }),
      [openCluster(kc, 'member', { requestTimeoutMs: 5000 })],
      { sinceSeconds: 3600, since: '1h', describeFailure, ...opts },
    );
    const m = d.report.members[0]!;
    return { d, m, logs: m.checks.find((c) => c.id === 'apiserver-auth-errors')! };
  }

  it('--since 1h counts the rejected tokens of half an hour ago', async () => {
    const { m, logs } = await diagnose({});
    expect([logs.status, logs.code, logs.args.signature, logs.args.since]).toEqual([
      'fail',
      'log-signature-invalid',
      3,
      '1h',
    ]);
    expect(m.cause).toBe('stale-errors');
  });

  it('--since 10m does not: the log is clean', async () => {
    const { m, logs } = await diagnose({ sinceSeconds: 600, since: '10m' });
    expect([logs.status, logs.code, logs.args.signature, logs.args.since]).toEqual([
      'pass',
      'log-clean',
      0,
      '10m',
    ]);
    expect(m.cause).toBe('healthy');
  });

  it('--tail 1 reads only the last line of each container', async () => {
    const all = await diagnose({});
    const { logs } = await diagnose({ tailLines: 1 });
    expect(Number(all.logs.args.lines)).toBeGreaterThan(1);
    expect(logs.args.lines).toBe(logs.args.containers);
    expect(logs.args.signature).toBe(1);
  });

  it('verification after a restart reads only the pods started after it: none here, so no log is verified', async () => {
    const { logs } = await diagnose({ podsStartedAfter: new Date(Date.now() + 60 * MINUTE) });
    expect([logs.status, logs.code]).toEqual(['skip', 'no-pods']);
    const { logs: before } = await diagnose({ podsStartedAfter: new Date(0) });
    expect(before).toMatchObject({ code: 'log-signature-invalid', args: { signature: 3 } });
  });

  it('reports each cluster as it is read, host and member by context, once each', async () => {
    const seen: string[] = [];
    await diagnose({ onGathered: (ctx) => seen.push(ctx) });
    expect(seen.sort()).toEqual(['host', 'member']);
  });

  it('fleet mode: a member found through discovery carries what the host knows; one with no way in is no-route', async () => {
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const found: MemberTarget = {
      cluster: 'member',
      context: 'member',
      method: 'server-url',
      connection: 'direct',
      joined: undefined,
    };
    const lost: MemberTarget = {
      cluster: 'far-away',
      context: null,
      method: null,
      connection: 'proxy',
      joined: undefined,
      problem: 'proxy',
    };
    const d = await runDiagnosis(
      openCluster(kc, 'host', { requestTimeoutMs: 5000 }),
      [
        { reader: openCluster(kc, 'member', { requestTimeoutMs: 5000 }), target: found },
        { reader: undefined, target: lost },
      ],
      { sinceSeconds: 3600, since: '1h', describeFailure },
    );
    const [m, far] = d.report.members;
    expect(m!.discovery).toEqual({ cluster: 'member', method: 'server-url', connection: 'direct' });
    expect(m!.checks.find((c) => c.id === 'host-cluster-status')).toMatchObject({ code: 'not-joined' });
    expect(m!.cause).toBe('stale-errors');
    expect(far).toMatchObject({ name: 'far-away', status: 'error', cause: 'no-route' });
    expect(far!.checks[0]).toMatchObject({ id: 'reachable', code: 'no-route-proxy' });
    // The snapshots: the member read, the unreachable one not at all; only the host's Cluster objects are listed.
    expect(d.members.map((s) => s?.context)).toEqual(['member', undefined]);
    expect(Array.isArray(d.host.clusters)).toBe(true);
    expect(d.members[0]!.clusters).toBe(undefined);
  });
});
