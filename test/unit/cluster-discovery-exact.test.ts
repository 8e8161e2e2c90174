/**
 * How members are found from the host's Cluster objects and reached (issue 13, the cluster area): server URLs
 * compared as one address, the host's own Cluster skipped, the stored kubeconfig read for its URL only, the
 * config-hash comparison, --member's Cluster found by URL then by name, and a Deployment's selector as a query.
 */
import { describe, expect, it } from 'vitest';
import { joinedFor, joinedMembers, normalizeServer } from '../../src/kubesphere/cluster/discovery.js';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { selectorString } from '../../src/kubesphere/cluster/selector.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('normalizeServer', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['https://A.Example', 'https://a.example:443'],
    ['http://a.example', 'http://a.example:80'],
    ['https://a.example:6443/', 'https://a.example:6443'],
    ['https://a.example:6443/k8s///', 'https://a.example:6443/k8s'],
    ['not a url/', 'not a url'],
    ['https://[::1]:6443', 'https://[::1]:6443'],
    ['http://a:80/', 'http://a:80'],
  ])('%j → %j', (url, normalized) => {
    expect(normalizeServer(url)).toBe(normalized);
  });
});

describe('joinedMembers', () => {
  it('reads each Cluster: connection, endpoints, stored URL, version, conditions, config hash; the host skipped', () => {
    const clusters = [
      {
        metadata: { name: 'a', annotations: { 'kubesphere.io/config-hash': 'cbf29ce484222325' } },
        spec: {
          connection: {
            type: 'direct',
            kubernetesAPIEndpoint: '',
            kubesphereAPIEndpoint: 'http://ks:30880',
            kubeconfig: b64('not: [yaml'),
          },
        },
      },
      {
        metadata: { name: 'b', annotations: { 'kubesphere.io/config-hash': 'x' } },
        spec: { connection: { type: 'other', kubeconfig: b64('clusters:\n- cluster:\n    server: 5\n') } },
        status: {
          kubeSphereVersion: 'v4.1.3',
          conditions: [{ type: 'Ready', status: 'False', reason: 'r', message: 'm' }],
        },
      },
      { metadata: { labels: { 'cluster-role.kubesphere.io/host': '' }, name: 'host' } },
      { metadata: { labels: { other: '' } } },
      {
        metadata: { name: 'p' },
        spec: {
          connection: {
            type: 'proxy',
            kubernetesAPIEndpoint: 'https://p:6443',
            kubeconfig: b64('clusters:\n- cluster:\n    server: https://p-stored:6443\n'),
          },
        },
      },
    ] as ObjectJson[];
    expect(joinedMembers(clusters)).toEqual([
      {
        name: 'a',
        connection: 'direct',
        apiEndpoint: undefined,
        kubesphereEndpoint: 'http://ks:30880',
        storedServer: undefined,
        kubesphereVersion: undefined,
        conditions: [],
        configHash: 'match',
      },
      {
        name: 'b',
        connection: 'unknown',
        apiEndpoint: undefined,
        kubesphereEndpoint: undefined,
        storedServer: undefined,
        kubesphereVersion: 'v4.1.3',
        conditions: [{ type: 'Ready', status: 'False', reason: 'r', message: 'm' }],
        configHash: 'differs',
      },
      {
        name: '',
        connection: 'unknown',
        apiEndpoint: undefined,
        kubesphereEndpoint: undefined,
        storedServer: undefined,
        kubesphereVersion: undefined,
        conditions: [],
        configHash: 'absent',
      },
      {
        name: 'p',
        connection: 'proxy',
        apiEndpoint: 'https://p:6443',
        kubesphereEndpoint: undefined,
        storedServer: 'https://p-stored:6443',
        kubesphereVersion: undefined,
        conditions: [],
        configHash: 'absent',
      },
    ]);
  });
});

describe('joinedFor: the Cluster of a member reached with --member', () => {
  const cl = (name: string, endpoint?: string, server?: string) => ({
    metadata: { name },
    spec: {
      connection: {
        type: 'direct',
        ...(endpoint ? { kubernetesAPIEndpoint: endpoint } : {}),
        ...(server ? { kubeconfig: b64(`clusters:\n- cluster:\n    server: ${server}\n`) } : {}),
      },
    },
  });
  const clusters = [
    cl('m1', 'https://m1:6443'),
    cl('m2', undefined, 'https://M2:6443/'),
    cl('ctx'),
  ] as ObjectJson[];

  it.each<[string, string, string | undefined]>([
    ['https://m1:6443/', 'ctx', 'm1'],
    ['https://m2:6443', 'ctx', 'm2'],
    ['https://zz:6443', 'ctx', 'ctx'],
    ['', 'ctx', 'ctx'],
    ['https://zz', 'none', undefined],
  ])('server %j, context %j → %s', (server, context, name) => {
    expect(joinedFor(clusters, server, context)?.name).toBe(name);
  });

  it('the host Clusters not read: unknown', () => {
    expect(joinedFor(undefined, 'https://m1:6443', 'm1')).toBeUndefined();
  });
});

describe('selectorString: the label query that lists exactly the pods a Deployment selects', () => {
  const dep = (selector?: object): ObjectJson =>
    ({ metadata: {}, spec: selector === undefined ? {} : { selector } }) as ObjectJson;
  it.each<[object | undefined, string | undefined]>([
    [undefined, undefined],
    [{}, undefined],
    [{ matchLabels: { app: 'a', tier: 'b' } }, 'app=a,tier=b'],
    [
      {
        matchExpressions: [
          { key: 'k', operator: 'In', values: ['x', 'y'] },
          { key: 'n', operator: 'NotIn', values: ['z'] },
          { key: 'e', operator: 'Exists' },
          { key: 'd', operator: 'DoesNotExist' },
        ],
      },
      'k in (x,y),n notin (z),e,!d',
    ],
    [
      { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'k', operator: 'Gt', values: ['1'] }] },
      undefined,
    ],
  ])('%j → %j', (selector, query) => {
    expect(selectorString(dep(selector))).toBe(query);
  });
});
