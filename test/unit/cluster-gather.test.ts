/**
 * gatherCluster on an in-memory cluster (issue 13, the cluster area): what one cluster's snapshot holds and which
 * reads it takes — the pods by the label every version uses, a second list only for another selector, ks-agent
 * before ks-apiserver, failures as data, logs of the current and the previous run, only pods started after a
 * repair, the devops copy only where it exists.
 */
import { describe, expect, it } from 'vitest';
import { gatherCluster, apiserverContainer } from '../../src/kubesphere/cluster/gather.js';
import type {
  ClusterClient,
  KubeObject,
  LogOptions,
  LogResult,
  ServerVersion,
} from '../../src/kube/types.js';
import type { ObjectJson, ReadFailure } from '../../src/kubesphere/cluster/snapshot.js';
import { FakeCluster, deployment, faults } from '../helpers/fake-cluster.js';

const NS = 'kubesphere-system';
const NOW = new Date('2026-11-28T12:00:00Z');

/** FakeCluster refuses these three; the subclass below answers them. */
const Base = FakeCluster as unknown as new () => Omit<FakeCluster, 'version' | 'listCustom' | 'streamPodLog'>;

/** The in-memory cluster, answering /version, the host's Cluster list and pod logs as well. */
class Cluster extends Base implements ClusterClient {
  unreachable = false;
  clusterList: KubeObject[] = [];
  readonly logReads: string[] = [];
  version(): Promise<ServerVersion> {
    if (this.unreachable) return Promise.reject(new Error('connect ECONNREFUSED'));
    return Promise.resolve({ gitVersion: 'v1.27.10' } as ServerVersion);
  }
  listCustom(): Promise<KubeObject[]> {
    return Promise.resolve(this.clusterList);
  }
  streamPodLog(
    _ns: string,
    pod: string,
    container: string,
    opts: LogOptions,
    onLine: (line: string) => void,
  ): Promise<LogResult> {
    this.logReads.push(`${pod}/${container}${opts.previous ? ' previous' : ''}`);
    if (pod === 'broken') return Promise.reject(new Error('log stream cut'));
    onLine(`${pod} line`);
    return Promise.resolve({ outcome: 'read', lines: 3, bytes: 30 });
  }
}

const describeFailure = (err: unknown): ReadFailure => ({ kind: 'other', message: String(err) });

function pod(
  name: string,
  app: string,
  extra: { status?: object; metadata?: object; containers?: string[] } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app }, ...extra.metadata },
    spec: { containers: (extra.containers ?? ['ks-apiserver']).map((n) => ({ name: n })) },
    status: { phase: 'Running', startTime: '2026-11-28T11:00:00Z', ...extra.status },
  } as ObjectJson;
}

function member(): Cluster {
  const c = new Cluster();
  c.put('configmaps', {
    metadata: { name: 'kubesphere-config', namespace: NS },
    data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: x\n' },
  });
  c.put('secrets', { metadata: { name: 'kubesphere-secret', namespace: NS }, data: { secret: 'eA==' } });
  c.put('deployments', deployment(NS, 'ks-apiserver'));
  c.put('pods', pod('ks-apiserver-1', 'ks-apiserver'));
  c.put('pods', pod('ks-agent-1', 'ks-agent'));
  return c;
}

const names = (r: unknown) => (Array.isArray(r) ? r.map((p: ObjectJson) => p.metadata.name) : r);

describe('gatherCluster', () => {
  it('an unreachable cluster: the failure, nothing else read into the snapshot', async () => {
    const c = member();
    c.unreachable = true;
    const s = await gatherCluster(c, { role: 'member', describeFailure, now: () => NOW });
    expect(s).toEqual({
      context: 'member',
      server: 'https://192.0.2.21:6443',
      reachability: { ok: false, failure: { kind: 'other', message: 'Error: connect ECONNREFUSED' } },
      configMap: undefined,
      clusterConfiguration: undefined,
      kubesphereSecret: undefined,
      apiserverDeployment: undefined,
      installerDeployment: undefined,
      pods: undefined,
      clusters: undefined,
      gatheredAt: '2026-11-28T12:00:00.000Z',
    });
  });

  it('an unreachable cluster: returns only once its other reads have settled, none left in flight', async () => {
    /** Object reads that fail a little after /version does, as a refused connection fails each of them. */
    class Slow extends Cluster {
      inFlight = 0;
      settled = 0;
      override get = (): ReturnType<Cluster['get']> => {
        this.inFlight++;
        return new Promise<never>((_resolve, reject) =>
          setTimeout(() => reject(new Error('connect ECONNREFUSED')), 20),
        ).finally(() => {
          this.inFlight--;
          this.settled++;
        });
      };
    }
    const c = Object.assign(new Slow(), { unreachable: true });
    const s = await gatherCluster(c, { role: 'member', describeFailure, now: () => NOW });
    expect(s.reachability.ok).toBe(false);
    // The ConfigMap, ClusterConfiguration, kubesphere-secret and the three Deployments.
    expect({ inFlight: c.inFlight, settled: c.settled }).toEqual({ inFlight: 0, settled: 6 });
  });

  it('a member: its objects, its pods picked from one list by the Deployment selector, no Cluster list', async () => {
    const c = member();
    const s = await gatherCluster(c, { role: 'member', describeFailure, now: () => NOW });
    expect(s.reachability).toEqual({ ok: true, kubernetesVersion: 'v1.27.10' });
    expect([s.clusterConfiguration, s.installerDeployment, s.clusters]).toEqual([null, null, undefined]);
    expect((s.configMap as ObjectJson).metadata.name).toBe('kubesphere-config');
    expect((s.kubesphereSecret as ObjectJson).metadata.name).toBe('kubesphere-secret');
    expect((s.apiserverDeployment as ObjectJson).metadata.name).toBe('ks-apiserver');
    expect(names(s.pods)).toEqual(['ks-apiserver-1']);
    expect(s.gatheredAt).toBe('2026-11-28T12:00:00.000Z');
    expect('logs' in s || 'devopsConfig' in s || 'clock' in s).toBe(false);
    expect(c.calls.filter((x) => x.startsWith('list'))).toEqual([
      'list pods/kubesphere-system?app in (ks-apiserver,ks-agent)',
    ]);
  });

  it('a host also lists its Cluster objects', async () => {
    const c = member();
    c.clusterList = [{ metadata: { name: 'm1' } } as KubeObject];
    const s = await gatherCluster(c, { role: 'host', describeFailure });
    expect(s.clusters).toEqual([{ metadata: { name: 'm1' } }]);
  });

  it('a Deployment selecting on another label: its pods listed again with its own selector', async () => {
    const c = member();
    c.edit('deployments', NS, 'ks-apiserver', (d) => {
      (d.spec as { selector: unknown }).selector = { matchLabels: { component: 'api' } };
    });
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(c.calls.filter((x) => x.startsWith('list'))).toEqual([
      'list pods/kubesphere-system?app in (ks-apiserver,ks-agent)',
      'list pods/kubesphere-system?component=api',
    ]);
    // The fake lists every pod whatever the selector: this is the second list's answer as given.
    expect(names(s.pods)).toEqual(['ks-apiserver-1', 'ks-agent-1']);
  });

  it('a Deployment without a selector: its pods are unknown, said why', async () => {
    const c = member();
    c.edit('deployments', NS, 'ks-apiserver', (d) => {
      delete (d.spec as { selector?: unknown }).selector;
    });
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(s.pods).toEqual({ failure: { kind: 'other', message: 'the Deployment has no label selector' } });
  });

  it('ks-agent (a 4.x member) wins over ks-apiserver; its pods are the ks-agent ones', async () => {
    const c = member();
    c.put('deployments', deployment(NS, 'ks-agent'));
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect((s.apiserverDeployment as ObjectJson).metadata.name).toBe('ks-agent');
    expect(names(s.pods)).toEqual(['ks-agent-1']);
  });

  it('neither Deployment found and ks-agent unreadable: which one exists is unknown', async () => {
    const c = member();
    c.objects.delete(FakeCluster.key('deployments', NS, 'ks-apiserver'));
    c.faults.push({ op: 'get', key: `deployments/${NS}/ks-agent`, error: faults.forbidden() });
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(s.apiserverDeployment).toEqual({ failure: describeFailure(faults.forbidden()) });
    expect(s.pods).toBeUndefined();
  });

  it('the ks-apiserver Deployment unreadable, ks-agent absent: the failure', async () => {
    const c = member();
    c.faults.push({ op: 'get', key: `deployments/${NS}/ks-apiserver`, error: faults.forbidden() });
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(s.apiserverDeployment).toEqual({ failure: describeFailure(faults.forbidden()) });
  });

  it('a 4.x cluster without the ClusterConfiguration CRD reads it as absent', async () => {
    const c = member();
    c.missingTypes.add('clusterconfigurations');
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(s.clusterConfiguration).toBeNull();
  });

  it('logs: the current run of each pod, the previous one after a restart unless the container waits', async () => {
    const c = member();
    c.put(
      'pods',
      pod('ks-apiserver-2', 'ks-apiserver', {
        containers: ['istio', 'ks-apiserver'],
        status: { containerStatuses: [{ name: 'ks-apiserver', restartCount: 2, state: { running: {} } }] },
      }),
    );
    c.put(
      'pods',
      pod('ks-apiserver-3', 'ks-apiserver', {
        status: { containerStatuses: [{ name: 'ks-apiserver', restartCount: 1, state: { waiting: {} } }] },
      }),
    );
    c.put('pods', pod('broken', 'ks-apiserver'));
    const lines: string[] = [];
    const s = await gatherCluster(c, {
      role: 'member',
      describeFailure,
      logs: { sinceSeconds: 3600 },
      onLogLine: (line, src) => lines.push(`${line} (${src.pod}${src.previous ? ', previous' : ''})`),
    });
    expect(c.logReads).toEqual([
      'ks-apiserver-1/ks-apiserver',
      'ks-apiserver-2/ks-apiserver',
      'ks-apiserver-2/ks-apiserver previous',
      'ks-apiserver-3/ks-apiserver',
      'broken/ks-apiserver',
    ]);
    expect(s.logs).toEqual({
      scans: [
        { pod: 'ks-apiserver-1', container: 'ks-apiserver', previous: false, lines: 3 },
        { pod: 'ks-apiserver-2', container: 'ks-apiserver', previous: false, lines: 3 },
        { pod: 'ks-apiserver-2', container: 'ks-apiserver', previous: true, lines: 3 },
        { pod: 'ks-apiserver-3', container: 'ks-apiserver', previous: false, lines: 3 },
        {
          pod: 'broken',
          container: 'ks-apiserver',
          previous: false,
          lines: 0,
          failure: { kind: 'other', message: 'Error: log stream cut' },
        },
      ],
      tally: undefined,
    });
    expect(lines).toEqual([
      'ks-apiserver-1 line (ks-apiserver-1)',
      'ks-apiserver-2 line (ks-apiserver-2)',
      'ks-apiserver-2 line (ks-apiserver-2, previous)',
      'ks-apiserver-3 line (ks-apiserver-3)',
    ]);
  });

  it('after a repair: only pods started since, not being deleted, with a known start', async () => {
    const c = member();
    c.put('pods', pod('old', 'ks-apiserver', { status: { startTime: '2026-11-28T09:00:00Z' } }));
    c.put('pods', pod('exactly', 'ks-apiserver', { status: { startTime: '2026-11-28T10:00:00Z' } }));
    c.put(
      'pods',
      pod('leaving', 'ks-apiserver', { metadata: { deletionTimestamp: '2026-11-28T11:30:00Z' } }),
    );
    c.put('pods', pod('unknown-start', 'ks-apiserver', { status: { startTime: undefined } }));
    await gatherCluster(c, {
      role: 'member',
      describeFailure,
      logs: { podsStartedAfter: new Date('2026-11-28T10:00:00Z') },
    });
    expect(c.logReads).toEqual(['ks-apiserver-1/ks-apiserver', 'exactly/ks-apiserver']);
  });

  it('devops-config is read on a 3.2+ member with DevOps enabled, never on a host', async () => {
    const c = member();
    c.put('clusterconfigurations', {
      metadata: { name: 'ks-installer', namespace: NS, labels: { version: 'v3.4.1' } },
      spec: { devops: { enabled: true } },
    });
    c.put('configmaps', {
      metadata: { name: 'devops-config', namespace: 'kubesphere-devops-system' },
      data: {},
    });
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect((s.devopsConfig as ObjectJson).metadata.name).toBe('devops-config');
    const h = await gatherCluster(c, { role: 'host', describeFailure });
    expect('devopsConfig' in h).toBe(false);
  });

  it('the clock reading of the responses, when the reader has one', async () => {
    const c = member();
    const clock = { offsetMs: 1500, samples: 3 };
    (c as { clock?: () => unknown }).clock = () => clock;
    const s = await gatherCluster(c, { role: 'member', describeFailure });
    expect(s.clock).toBe(clock);
  });
});

describe('apiserverContainer', () => {
  it.each<[string[], string | undefined]>([
    [['istio', 'ks-apiserver'], 'ks-apiserver'],
    [['agent', 'sidecar'], 'agent'],
    [[], undefined],
  ])('%j → %s', (containers, name) => {
    expect(apiserverContainer(pod('p', 'x', { containers }))).toBe(name);
  });
});
