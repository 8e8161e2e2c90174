/**
 * The cluster area's gaps (issue 13), stated as what a user gets: which member each --member / discovery rule
 * picks, what the facts say about objects missing their optional fields, which objects one cluster's gather
 * reads (and with which log options), the devops copy's version rule, and label selectors.
 */
import { describe, expect, it } from 'vitest';
import {
  joinedFor,
  joinedMembers,
  normalizeServer,
  planTargets,
  type ContextRef,
  type JoinedCluster,
  type TargetRequest,
} from '../../src/kubesphere/cluster/discovery.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { apiserverContainer, gatherCluster } from '../../src/kubesphere/cluster/gather.js';
import { devopsCopySecret, devopsCopyWanted, devopsStatus } from '../../src/kubesphere/cluster/devops.js';
import { present, type ClusterSnapshot, type ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { selectorMatches, selectorRequires, selectorString } from '../../src/kubesphere/cluster/selector.js';
import { clusterConfigHash } from '../../src/kubesphere/cluster/config-hash.js';
import type { ClusterReader } from '../../src/kubesphere/cluster/gateway.js';
import type { LogOptions, LogResult } from '../../src/kube/types.js';
import type { ReadFailure } from '../../src/kubesphere/cluster/snapshot.js';

const NS = 'kubesphere-system';
const HOST = 'https://host.example:6443';

function joined(name: string, extra: Partial<JoinedCluster> = {}): JoinedCluster {
  return {
    name,
    connection: 'direct',
    apiEndpoint: undefined,
    storedServer: undefined,
    kubesphereVersion: undefined,
    conditions: [],
    ...extra,
  };
}

function request(extra: Partial<TargetRequest> = {}): TargetRequest {
  return { members: [], clusters: [], all: true, useHostCredentials: false, hostContext: 'host', ...extra };
}

const hostCtx: ContextRef = { name: 'host', server: HOST };

describe('planTargets: explicit --member', () => {
  it('a context with no Cluster of its name or URL: the context alone', () => {
    expect(
      planTargets([joined('m1')], [hostCtx, { name: 'ctx' }], request({ members: ['ctx'], all: false })),
    ).toEqual([{ cluster: null, context: 'ctx', method: 'flag', connection: null, joined: undefined }]);
  });

  it("a context whose server is a Cluster's API endpoint: that Cluster, whatever its name", () => {
    const m = joined('m1', { apiEndpoint: 'https://m1.example:6443', connection: 'proxy' });
    const ctxs = [
      hostCtx,
      { name: 'other', server: 'https://m2.example:6443' },
      { name: 'ctx', server: 'https://M1.example:6443/' },
    ];
    expect(planTargets([m, joined('ctx')], ctxs, request({ members: ['ctx'], all: false }))).toEqual([
      { cluster: 'm1', context: 'ctx', method: 'flag', connection: 'proxy', joined: m },
    ]);
  });

  it('name=ctx names the Cluster; an unknown name is reported', () => {
    const m = joined('m1');
    expect(planTargets([m], [hostCtx], request({ members: ['m1=ctx', 'nope=ctx2'], all: false }))).toEqual([
      { cluster: 'm1', context: 'ctx', method: 'flag', connection: 'direct', joined: m },
      {
        cluster: 'nope',
        context: 'ctx2',
        method: 'flag',
        connection: null,
        joined: undefined,
        problem: 'unknown-cluster',
      },
    ]);
  });

  it('a context missing from the kubeconfig: no Cluster is found by its URL', () => {
    expect(
      planTargets(
        [joined('m1', { apiEndpoint: 'https://m1.example:6443' })],
        [hostCtx],
        request({ members: ['missing'], all: false }),
      ),
    ).toEqual([{ cluster: null, context: 'missing', method: 'flag', connection: null, joined: undefined }]);
  });

  it('a leading "=" is part of the context name, not an empty Cluster name', () => {
    expect(planTargets([], [hostCtx], request({ members: ['=ctx'], all: false }))).toEqual([
      { cluster: null, context: '=ctx', method: 'flag', connection: null, joined: undefined },
    ]);
  });

  it('a member given explicitly is not discovered a second time; others are', () => {
    const m1 = joined('m1');
    const m2 = joined('m2');
    const ctxs = [hostCtx, { name: 'm1' }, { name: 'm2' }];
    expect(planTargets([m1, m2], ctxs, request({ members: ['m1=c1'] }))).toEqual([
      { cluster: 'm1', context: 'c1', method: 'flag', connection: 'direct', joined: m1 },
      { cluster: 'm2', context: 'm2', method: 'context-name', connection: 'direct', joined: m2 },
    ]);
  });

  it('without discovery only the explicit members are looked at', () => {
    expect(planTargets([joined('m1')], [hostCtx, { name: 'm1' }], request({ all: false }))).toEqual([]);
  });
});

describe('planTargets: discovery', () => {
  it("a Cluster whose API endpoint is the host context's server is the host under another name", () => {
    const ctxs = [{ name: 'first', server: 'https://first.example:6443' }, hostCtx];
    expect(planTargets([joined('alias', { apiEndpoint: HOST })], ctxs, request())).toEqual([]);
  });

  it('the host context missing from the kubeconfig: no Cluster is taken for the host', () => {
    const m = joined('m1');
    expect(planTargets([m], [{ name: 'm1' }], request())).toEqual([
      { cluster: 'm1', context: 'm1', method: 'context-name', connection: 'direct', joined: m },
    ]);
  });

  it('a Cluster with no endpoint at all and no host server: still a target, without a context', () => {
    const m = joined('m1', { connection: 'unknown' });
    expect(planTargets([m], [{ name: 'host' }], request())).toEqual([
      { cluster: 'm1', context: null, method: null, connection: 'unknown', joined: m, problem: 'no-context' },
    ]);
  });

  it('the host context is never used for a member, by URL or by name', () => {
    const byStored = joined('m1', { apiEndpoint: 'https://m1.example:6443', storedServer: HOST });
    const named = joined('host');
    expect(planTargets([byStored, named], [hostCtx], request())).toEqual([
      {
        cluster: 'm1',
        context: null,
        method: null,
        connection: 'direct',
        joined: byStored,
        problem: 'no-context',
      },
      {
        cluster: 'host',
        context: null,
        method: null,
        connection: 'direct',
        joined: named,
        problem: 'no-context',
      },
    ]);
  });
});

describe('joinedMembers / joinedFor / normalizeServer', () => {
  it('a Cluster without a connection block is read as unknown, without endpoints', () => {
    expect(joinedMembers([{ metadata: { name: 'm1' }, spec: {} } as ObjectJson])).toEqual([
      {
        name: 'm1',
        connection: 'unknown',
        apiEndpoint: undefined,
        kubesphereEndpoint: undefined,
        storedServer: undefined,
        kubesphereVersion: undefined,
        conditions: [],
        configHash: 'absent',
      },
    ]);
  });

  it('joinedFor finds the Cluster by URL before the context name', () => {
    const clusters = [
      {
        metadata: { name: 'ctx' },
        spec: { connection: { type: 'direct', kubernetesAPIEndpoint: 'https://a:6443' } },
      },
      {
        metadata: { name: 'b' },
        spec: { connection: { type: 'direct', kubernetesAPIEndpoint: 'https://b:6443' } },
      },
    ] as ObjectJson[];
    expect(joinedFor(clusters, 'https://b:6443', 'ctx')?.name).toBe('b');
  });

  it('a server that is not a URL loses only its trailing slashes', () => {
    expect(normalizeServer('not-a-url/a//b//')).toBe('not-a-url/a//b');
  });

  it('the config hash keeps its leading zero (16 hex digits)', () => {
    expect(clusterConfigHash('YzA=')).toBe('08a27e07b54a66a6');
  });
});

function snapshot(extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    context: 'm',
    server: 'https://m:6443',
    reachability: { ok: true, kubernetesVersion: 'v1.27.0' },
    configMap: null,
    clusterConfiguration: null,
    kubesphereSecret: null,
    apiserverDeployment: null,
    installerDeployment: null,
    pods: [],
    clusters: undefined,
    gatheredAt: '2026-12-01T00:00:00Z',
    ...extra,
  };
}

function apiserverDeployment(containers: unknown, extra: Record<string, unknown> = {}): ObjectJson {
  return {
    metadata: { name: 'ks-apiserver' },
    spec: { template: { spec: { containers } }, ...extra },
  } as ObjectJson;
}

describe('deriveFacts on objects missing optional fields', () => {
  it('the ks-apiserver container is found among sidecars; only KUBESPHERE_AUTHENTICATION_* variables count', () => {
    const f = deriveFacts(
      snapshot({
        apiserverDeployment: apiserverDeployment([
          { name: 'istio-proxy', image: 'istio/proxyv2:1.20.0' },
          {
            name: 'ks-apiserver',
            image: 'kubesphere/ks-apiserver:v3.4.1',
            env: [{ name: 'KUBESPHERE_AUTHENTICATION_JWTSECRET' }, { name: 'X_KUBESPHERE_AUTHENTICATION_A' }],
          },
        ]),
      }),
    );
    expect([f.version?.text, f.envOverrides]).toEqual(['v3.4.1', ['KUBESPHERE_AUTHENTICATION_JWTSECRET']]);
  });

  it('a Deployment without containers, name or numeric replicas: no version, name "", 1 replica', () => {
    const dep = { metadata: {}, spec: { replicas: '2' } } as ObjectJson;
    const f = deriveFacts(snapshot({ apiserverDeployment: dep }));
    expect([f.version, f.deployment]).toEqual([undefined, { name: '', replicas: 1, paused: false }]);
  });

  it('a ConfigMap and a Secret without data', () => {
    const f = deriveFacts(
      snapshot({
        configMap: { metadata: { name: 'kubesphere-config' } },
        kubesphereSecret: { metadata: { name: 's' } },
      }),
    );
    expect([f.config, f.installerSecret]).toEqual([{ state: 'missing-key' }, undefined]);
  });

  it("3.0-3.2: the ClusterConfiguration's role wins over the file's", () => {
    const f = deriveFacts(
      snapshot({
        apiserverDeployment: apiserverDeployment([
          { name: 'ks-apiserver', image: 'kubesphere/ks-apiserver:v3.1.1' },
        ]),
        configMap: {
          metadata: { name: 'kubesphere-config' },
          data: {
            'kubesphere.yaml': 'authentication:\n  jwtSecret: FAKEx\nmulticluster:\n  clusterRole: host\n',
          },
        },
        clusterConfiguration: {
          metadata: { name: 'ks-installer' },
          spec: { multicluster: { clusterRole: 'member' } },
        },
      }),
    );
    expect(f.role).toEqual({ value: 'member', source: 'ClusterConfiguration' });
  });

  it('ClusterConfiguration values of the wrong type or null are not taken', () => {
    const f = deriveFacts(
      snapshot({
        clusterConfiguration: {
          metadata: { name: 'ks-installer' },
          spec: { authentication: { jwtSecret: 12345, oauthOptions: null } },
        },
      }),
    );
    expect(f.clusterConfiguration).toEqual({
      jwtSecret: undefined,
      clusterRole: undefined,
      accessTokenMaxAge: undefined,
      hasOAuthOptions: false,
    });
    const g = deriveFacts(
      snapshot({
        clusterConfiguration: {
          metadata: { name: 'ks-installer' },
          spec: { authentication: { oauthOptions: { accessTokenMaxAge: null } } },
        },
      }),
    );
    expect(g.clusterConfiguration?.accessTokenMaxAge).toBe(undefined);
  });

  it('pods: without status they are not running; without container states the start time and a Ready condition count', () => {
    const pods = [
      { metadata: { name: 'gone' } },
      {
        metadata: {},
        status: {
          phase: 'Running',
          startTime: '2026-12-01T01:00:00Z',
          containerStatuses: [{ name: 'ks-apiserver' }],
          conditions: [{ type: 'PodScheduled', status: 'True' }],
        },
      },
      { metadata: { name: 'bare' }, status: { phase: 'Running' } },
    ] as ObjectJson[];
    expect(deriveFacts(snapshot({ pods })).runningPods).toEqual([
      { name: '', startedAt: new Date('2026-12-01T01:00:00Z'), ready: false },
      { name: 'bare', startedAt: undefined, ready: false },
    ]);
  });

  it('the ConfigMap was last written by its latest write to the object, not to a subresource', () => {
    const configMap = {
      metadata: {
        name: 'kubesphere-config',
        managedFields: [
          { manager: 'kubectl', time: '2026-12-01T02:00:00Z' },
          { manager: 'x', time: '2026-12-01T05:00:00Z', subresource: 'status' },
        ],
      },
    } as ObjectJson;
    expect(deriveFacts(snapshot({ configMap })).configWrittenAt).toEqual(new Date('2026-12-01T02:00:00Z'));
  });
});

describe('present', () => {
  it('null (read, does not exist) and undefined (not read) are both absent', () => {
    expect([
      present(null),
      present(undefined),
      present({ failure: { kind: 'other', message: 'x' } }),
    ]).toEqual([undefined, undefined, undefined]);
  });
});

/** A cluster that answers everything gather reads and records each request. */
class Recorder {
  readonly context = 'm';
  readonly server = 'https://m:6443';
  readonly calls: string[] = [];
  readonly logOptions: LogOptions[] = [];
  objects = new Map<string, ObjectJson>();
  pods: ObjectJson[] = [];
  failGet = new Set<string>();
  logResult: LogResult = { outcome: 'read', lines: 2, bytes: 20 };

  version() {
    return Promise.resolve({ gitVersion: 'v1.27.0', major: '1', minor: '27' });
  }
  get(resource: string, namespace: string | undefined, name: string) {
    this.calls.push(`get ${resource} ${namespace} ${name}`);
    if (this.failGet.has(name)) return Promise.reject(new Error(`forbidden ${name}`));
    return Promise.resolve(this.objects.get(`${resource}/${name}`));
  }
  list(resource: string, namespace: string | undefined, opts: { labelSelector?: string } = {}) {
    this.calls.push(`list ${resource} ${namespace} ${opts.labelSelector}`);
    return Promise.resolve(this.pods);
  }
  getCustom(
    type: { group: string; version: string; plural: string },
    namespace: string | undefined,
    name: string,
  ) {
    this.calls.push(`getCustom ${type.group}/${type.version}/${type.plural} ${namespace} ${name}`);
    return Promise.resolve(undefined);
  }
  listCustom(type: { group: string; version: string; plural: string }) {
    this.calls.push(`listCustom ${type.group}/${type.version}/${type.plural}`);
    return Promise.resolve([]);
  }
  streamPodLog(_ns: string, pod: string, container: string, opts: LogOptions, onLine: (l: string) => void) {
    this.calls.push(`log ${pod} ${container}${opts.previous ? ' previous' : ''}`);
    this.logOptions.push(opts);
    onLine('a line');
    return Promise.resolve(this.logResult);
  }
}

const describeFailure = (err: unknown): ReadFailure => ({ kind: 'other', message: String(err) });

function selecting(name: string): ObjectJson {
  return {
    metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: { app: name } } },
  } as ObjectJson;
}

function apiserverPod(extra: Record<string, unknown> = {}): ObjectJson {
  return {
    metadata: { name: 'p1', namespace: NS, labels: { app: 'ks-apiserver' } },
    spec: { containers: [{ name: 'ks-apiserver' }] },
    ...extra,
  } as ObjectJson;
}

const gather = (r: Recorder, opts: Partial<Parameters<typeof gatherCluster>[1]> = {}) =>
  gatherCluster(r as unknown as ClusterReader, { role: 'host', describeFailure, ...opts });

describe('gatherCluster: what one cluster is asked', () => {
  it("the reads: the ConfigMap, ks-installer's ClusterConfiguration, the Secret, the three Deployments, the Clusters", async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-installer', {
      metadata: { name: 'ks-installer', namespace: NS },
    } as ObjectJson);
    const s = await gather(r);
    expect(r.calls.sort()).toEqual(
      [
        `get configmaps ${NS} kubesphere-config`,
        `getCustom installer.kubesphere.io/v1alpha1/clusterconfigurations ${NS} ks-installer`,
        `get secrets ${NS} kubesphere-secret`,
        `get deployments ${NS} ks-agent`,
        `get deployments ${NS} ks-apiserver`,
        `get deployments ${NS} ks-installer`,
        'listCustom cluster.kubesphere.io/v1alpha1/clusters',
        `list pods ${NS} app in (ks-apiserver,ks-agent)`,
      ].sort(),
    );
    expect(present(s.installerDeployment)?.metadata.name).toBe('ks-installer');
  });

  it('ks-agent unreadable but ks-apiserver found: ks-apiserver serves', async () => {
    const r = new Recorder();
    r.failGet.add('ks-agent');
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    const s = await gather(r);
    expect(present(s.apiserverDeployment)?.metadata.name).toBe('ks-apiserver');
  });

  it('logs are read with timestamps, without an onLogLine callback, and a pod without containers is skipped', async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    r.pods = [
      apiserverPod(),
      { metadata: { name: 'empty', namespace: NS, labels: { app: 'ks-apiserver' } } } as ObjectJson,
    ];
    const s = await gather(r, { logs: { tailLines: 10 } });
    expect(s.logs?.scans).toEqual([{ pod: 'p1', container: 'ks-apiserver', previous: false, lines: 2 }]);
    expect(r.logOptions).toEqual([{ tailLines: 10, previous: false, timestamps: true }]);
  });

  it('a log read that did not happen counts no lines', async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    r.pods = [apiserverPod()];
    r.logResult = { outcome: 'container-not-started' };
    const s = await gather(r, { logs: {} });
    expect(s.logs?.scans).toEqual([{ pod: 'p1', container: 'ks-apiserver', previous: false, lines: 0 }]);
  });

  it("the previous run is read by the ks-apiserver container's own status, not a sidecar's", async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    r.pods = [
      apiserverPod({
        spec: { containers: [{ name: 'istio-proxy' }, { name: 'ks-apiserver' }] },
        status: {
          containerStatuses: [
            { name: 'istio-proxy', restartCount: 0, state: { waiting: {} } },
            { name: 'ks-apiserver', restartCount: 1 },
          ],
        },
      }),
    ];
    await gather(r, { logs: {} });
    expect(r.calls.filter((c) => c.startsWith('log'))).toEqual([
      'log p1 ks-apiserver',
      'log p1 ks-apiserver previous',
    ]);
  });

  it('a pod without status: its current run only, and none when only pods started after a time are wanted', async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    r.pods = [apiserverPod()];
    await gather(r, { logs: {} });
    await gather(r, { logs: { podsStartedAfter: new Date('2026-12-01T00:00:00Z') } });
    expect(r.calls.filter((c) => c.startsWith('log'))).toEqual(['log p1 ks-apiserver']);
  });

  it('a pod without a name is read as ""', async () => {
    const r = new Recorder();
    r.objects.set('deployments/ks-apiserver', selecting('ks-apiserver'));
    r.pods = [apiserverPod({ metadata: { namespace: NS, labels: { app: 'ks-apiserver' } } })];
    const s = await gather(r, { logs: {} });
    expect(s.logs?.scans).toEqual([{ pod: '', container: 'ks-apiserver', previous: false, lines: 2 }]);
  });

  it('apiserverContainer: a pod without spec has none', () => {
    expect(apiserverContainer({ metadata: { name: 'p' } })).toBe(undefined);
  });
});

describe('devops copy', () => {
  const cc = (labels: Record<string, string> | undefined, status: unknown = undefined): ObjectJson =>
    ({
      metadata: { name: 'ks-installer', ...(labels ? { labels } : {}) },
      spec: { devops: { enabled: true } },
      ...(status === undefined ? {} : { status }),
    }) as ObjectJson;

  it.each<[string, ObjectJson | undefined, boolean]>([
    ['no ClusterConfiguration', undefined, false],
    ['3.1 by status.core.version, no labels', cc(undefined, { core: { version: 'v3.1.1' } }), false],
    ['a number in status.core.version is no version', cc(undefined, { core: { version: 3.1 } }), true],
    ['3.1.0 without "v"', cc({ version: '3.1.0' }), false],
    ['a label not starting with the version', cc({ version: 'release-3.1' }), true],
    ['v3.10', cc({ version: 'v3.10.0' }), true],
    ['v4.1', cc({ version: 'v4.1.0' }), true],
    ['v2.3', cc({ version: 'v2.3.0' }), false],
  ])('%s: %j', (_name, obj, wanted) => {
    expect(devopsCopyWanted(obj)).toBe(wanted);
  });

  it('devopsStatus is a string or nothing', () => {
    expect(devopsStatus(cc(undefined, { devops: { status: 5 } }))).toBe(undefined);
  });

  it('an empty jwtSecret in the copy is no secret', () => {
    const cm = {
      metadata: { name: 'devops-config' },
      data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: ""\n' },
    };
    expect(devopsCopySecret(cm)).toBe(undefined);
  });
});

describe('label selectors', () => {
  const dep = (selector: unknown): ObjectJson =>
    ({ metadata: { name: 'd' }, spec: { selector } }) as ObjectJson;
  const exprs = [{ key: 'app', operator: 'In', values: ['ks-apiserver'] }];

  it('a Deployment without spec selects nothing', () => {
    const none = { metadata: { name: 'd' } } as ObjectJson;
    expect([selectorString(none), selectorRequires(none, 'app', ['ks-apiserver'])]).toEqual([
      undefined,
      false,
    ]);
  });

  it('matchLabels alone', () => {
    const byLabel = dep({ matchLabels: { app: 'ks-apiserver' } });
    expect(selectorString(byLabel)).toBe('app=ks-apiserver');
    expect(selectorMatches(byLabel, { app: 'ks-apiserver', extra: 'x' })).toBe(true);
  });

  it('matchExpressions alone', () => {
    expect(selectorString(dep({ matchExpressions: exprs }))).toBe('app in (ks-apiserver)');
    expect(selectorMatches(dep({ matchExpressions: exprs }), { app: 'ks-apiserver' })).toBe(true);
  });

  it('an operator Kubernetes does not know matches nothing', () => {
    expect(
      selectorMatches(dep({ matchExpressions: [{ key: 'x', operator: 'Gt', values: ['1'] }] }), {}),
    ).toBe(false);
  });

  it('selectorRequires: only an In expression on the key itself', () => {
    expect(
      selectorRequires(
        dep({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['ks-apiserver'] }] }),
        'app',
        ['ks-apiserver'],
      ),
    ).toBe(false);
    expect(
      selectorRequires(dep({ matchExpressions: [{ key: 'app', operator: 'In' }] }), 'app', ['ks-apiserver']),
    ).toBe(true);
  });
});
