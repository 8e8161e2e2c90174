import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/sandbox/apiserver/duration.js';
import { evalJsonPath } from '../../src/sandbox/apiserver/jsonpath.js';
import { parseRoute } from '../../src/sandbox/apiserver/router.js';
import { toTable } from '../../src/sandbox/apiserver/table.js';
import { BUILTIN_TYPES } from '../../src/sandbox/apiserver/builtins.js';
import { wantsTable } from '../../src/sandbox/apiserver/http-util.js';
import type { ResourceType } from '../../src/sandbox/apiserver/types.js';

describe('parseRoute', () => {
  it.each([
    ['/api', { kind: 'coreVersions' }],
    ['/apis/apps', { kind: 'group', group: 'apps' }],
    ['/apis/apps/v1', { kind: 'resourceList', group: 'apps', version: 'v1' }],
    ['/api/v1/namespaces', { kind: 'resource', group: '', version: 'v1', resource: 'namespaces' }],
    [
      '/api/v1/namespaces/x',
      { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'x' },
    ],
    [
      '/api/v1/namespaces/x/status',
      {
        kind: 'resource',
        group: '',
        version: 'v1',
        resource: 'namespaces',
        name: 'x',
        subresource: 'status',
      },
    ],
    [
      '/api/v1/namespaces/ks/pods/p/log',
      {
        kind: 'resource',
        group: '',
        version: 'v1',
        namespace: 'ks',
        resource: 'pods',
        name: 'p',
        subresource: 'log',
      },
    ],
    [
      '/apis/cluster.kubesphere.io/v1alpha1/clusters/host',
      {
        kind: 'resource',
        group: 'cluster.kubesphere.io',
        version: 'v1alpha1',
        resource: 'clusters',
        name: 'host',
      },
    ],
    ['/healthz', { kind: 'health', check: 'healthz' }],
    ['/version', { kind: 'version' }],
    ['/openapi/v2', { kind: 'openapi', path: 'v2' }],
    ['/api/v1/namespaces/ks/pods/p/log/extra', { kind: 'unknown' }],
    ['/metrics', { kind: 'unknown' }],
  ])('%s', (path, expected) => {
    expect(parseRoute(path)).toEqual(expected);
  });
});

describe('humanDuration (the AGE column)', () => {
  const s = 1000;
  it.each([
    [-5 * s, '<invalid>'],
    [-1 * s, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [150 * s, '2m30s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [(3 * 60 + 5) * 60 * s, '3h5m'],
    [20 * 3600 * s, '20h'],
    [3 * 86400 * s, '3d'],
    [(3 * 24 + 5) * 3600 * s, '3d5h'],
    [30 * 86400 * s, '30d'],
    [(2 * 365 + 10) * 86400 * s, '2y10d'],
  ])('%i ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('evalJsonPath', () => {
  const obj = {
    metadata: { labels: { 'cluster-role.kubesphere.io/host': '' } },
    status: {
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'Other', status: 'False' },
      ],
    },
  };
  it.each([
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.status.conditions[1].type', ['Other']],
    ['.status.conditions[*].type', ['Ready', 'Other']],
    ['.metadata.labels.cluster-role\\.kubesphere\\.io/host', ['']],
    ['.spec.missing', []],
  ])('%s', (path, expected) => {
    expect(evalJsonPath(obj, path)).toEqual(expected);
  });
});

describe('server-side tables', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const type = (kind: string): ResourceType => BUILTIN_TYPES.find((t) => t.kind === kind)!;
  const names = (t: ReturnType<typeof toTable>): string[] =>
    t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());

  it.each([
    ['Pod', ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']],
    ['Deployment', ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']],
    ['ConfigMap', ['NAME', 'DATA', 'AGE']],
    ['Secret', ['NAME', 'TYPE', 'DATA', 'AGE']],
    ['ReplicaSet', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']],
  ])('%s prints the columns kubectl shows', (kind, columns) => {
    expect(names(toTable(type(kind), [], { now }))).toEqual(columns);
  });

  it('computes pod cells like kubectl, Terminating included', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        creationTimestamp: '2026-11-25T12:00:00Z',
        deletionTimestamp: '2026-11-28T12:00:30Z',
      },
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'a',
            ready: true,
            restartCount: 2,
            state: { running: {} },
            lastState: { terminated: { finishedAt: '2026-11-28T11:55:00Z' } },
          },
          { name: 'b', ready: false, restartCount: 0, state: { running: {} } },
        ],
      },
    };
    const row = toTable(type('Pod'), [pod], { now }).rows[0]!;
    expect(row.cells.slice(0, 5)).toEqual(['p', '1/2', 'Terminating', '2 (5m ago)', '3d']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'p' } });
  });

  it('uses CRD printer columns, with ages for date columns and Age by default', () => {
    const crd: ResourceType = {
      group: 'cluster.kubesphere.io',
      version: 'v1alpha1',
      resource: 'clusters',
      kind: 'Cluster',
      singular: 'cluster',
      namespaced: false,
      printerColumns: [
        { name: 'Federated', type: 'boolean', jsonPath: '.spec.joinFederation' },
        { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    };
    const obj = {
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'host', creationTimestamp: '2026-11-28T11:00:00Z' },
      spec: { joinFederation: true },
    };
    expect(toTable(crd, [obj], { now }).rows[0]!.cells).toEqual(['host', true, null, '60m']);
    const plain = toTable({ ...crd, printerColumns: undefined }, [obj], { now });
    expect(plain.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
  });

  it.each([
    [
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      true,
    ],
    ['application/json', false],
    ['application/json, */*', false],
    [undefined, false],
  ])('Accept %j wants a Table: %s', (accept, expected) => {
    expect(wantsTable(accept)).toBe(expected);
  });
});
