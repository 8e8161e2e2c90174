/**
 * The facts the checks speak, derived from one cluster's snapshot: version and family, the file's state, the
 * role and where it came from, the ClusterConfiguration, the installer's secret, the Deployment and its live
 * pods, when the file was last written and the env overrides the version reads (issue 13, the cluster area).
 */
import { describe, expect, it } from 'vitest';
import { ccMaxAgeNeedsZero, deriveFacts, familyOf } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot, ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const base = { context: 'm', yaml: fixture('v3.2-member.yaml'), image: 'kubesphere/ks-apiserver:v3.2.1' };
const forbidden = { failure: { kind: 'forbidden' } } as unknown as { failure: never };

describe('deriveFacts', () => {
  it('a 3.2 member: the role from the ClusterConfiguration, two live pods, env overrides of any case', () => {
    const f = deriveFacts(
      snapshot({
        ...base,
        cc: { clusterRole: 'member', jwtSecret: 'cc', accessTokenMaxAge: '0' },
        installerSecret: 'inst',
        replicas: 2,
        env: ['KUBESPHERE_AUTHENTICATION_JWTSECRET', 'OTHER', 'kubesphere_authentication_x'],
      }),
    );
    const { config, ...rest } = f;
    expect(config).toMatchObject({ state: 'ok', duplicateKeys: [] });
    expect(rest).toEqual({
      version: { major: 3, minor: 2, patch: 1, text: 'v3.2.1' },
      family: '3.0-3.2',
      layout: 'v3',
      role: { value: 'member', source: 'ClusterConfiguration' },
      clusterConfiguration: {
        jwtSecret: 'cc',
        clusterRole: 'member',
        accessTokenMaxAge: { raw: '0', zero: true },
        hasOAuthOptions: true,
      },
      installerSecret: 'inst',
      installerSecretUnreadable: false,
      deployment: { name: 'ks-apiserver', replicas: 2, paused: false },
      deploymentUnreadable: undefined,
      runningPods: [
        { name: 'ks-apiserver-abc-0', startedAt: new Date('2026-11-25T10:00:00Z'), ready: true },
        { name: 'ks-apiserver-abc-1', startedAt: new Date('2026-11-25T10:00:00Z'), ready: true },
      ],
      configWrittenAt: new Date('2026-11-20T10:00:00Z'),
      envOverrides: ['KUBESPHERE_AUTHENTICATION_JWTSECRET', 'kubesphere_authentication_x'],
    });
  });

  it('3.1 reads no env overrides: none are listed', () => {
    const f = deriveFacts(
      snapshot({ ...base, image: 'ks:v3.1.1', env: ['KUBESPHERE_AUTHENTICATION_JWTSECRET'] }),
    );
    expect([f.envOverrides, f.family]).toEqual([[], '3.0-3.2']);
  });

  it('an untagged image: the family from a 4.x file, the role from the file', () => {
    const f = deriveFacts(snapshot({ ...base, image: 'ks:latest', yaml: fixture('v4.1-member.yaml') }));
    expect([f.version, f.family, f.layout, f.role]).toEqual([
      undefined,
      '4.x',
      'v4',
      { value: 'member', source: 'kubesphere.yaml' },
    ]);
  });

  it('a 3.3 file with a role wins over the ClusterConfiguration; without either the role is unknown', () => {
    const withRole = deriveFacts(
      snapshot({
        ...base,
        image: 'ks:v3.3.2',
        yaml: fixture('v3.3-member.yaml'),
        cc: { clusterRole: 'host' },
      }),
    );
    expect(withRole.role).toEqual({ value: 'member', source: 'kubesphere.yaml' });
    const ccOnly = deriveFacts(snapshot({ ...base, image: 'ks:v3.3.2', cc: { clusterRole: 'member' } }));
    expect(ccOnly.role).toEqual({ value: 'member', source: 'ClusterConfiguration' });
    expect(deriveFacts(snapshot({ ...base, image: 'ks:v3.3.2' })).role).toEqual({
      value: undefined,
      source: 'none',
    });
  });

  it.each<[string, unknown, object]>([
    ['no ConfigMap', null, { state: 'missing-configmap' }],
    ['an unreadable ConfigMap', forbidden, { state: 'unreadable' }],
    ['no kubesphere.yaml key', { metadata: {}, data: {} }, { state: 'missing-key' }],
    [
      'a file that is a list',
      { metadata: {}, data: { 'kubesphere.yaml': '- a' } },
      { state: 'unparseable', reason: 'kubesphere.yaml is not a mapping of settings' },
    ],
  ])('%s', (_name, configMap, config) => {
    const s = { ...snapshot(base), configMap } as ClusterSnapshot;
    const f = deriveFacts(s);
    expect(f.config).toEqual(config);
    expect(f.layout).toBeUndefined();
  });

  it('an unreadable Deployment, pod list and Secret are unknown, never empty', () => {
    const s = {
      ...snapshot(base),
      apiserverDeployment: forbidden,
      pods: { failure: { kind: 'x' } },
      kubesphereSecret: forbidden,
    } as unknown as ClusterSnapshot;
    const f = deriveFacts(s);
    expect([f.deployment, f.deploymentUnreadable, f.runningPods, f.installerSecretUnreadable]).toEqual([
      undefined,
      { kind: 'forbidden' },
      { failure: { kind: 'x' } },
      true,
    ]);
    expect([f.installerSecret, f.version, f.family]).toEqual([undefined, undefined, undefined]);
  });

  it('pods: only running ones not being deleted; start from the ks-apiserver container, else the pod; Ready by condition', () => {
    const pod = (name: string, status: object, metadata: object = {}): ObjectJson =>
      ({ metadata: { name, ...metadata }, status }) as ObjectJson;
    const s = snapshot(base);
    s.pods = [
      pod('pending', { phase: 'Pending' }),
      pod('deleting', { phase: 'Running' }, { deletionTimestamp: '2026-11-25T10:00:00Z' }),
      pod('sidecar-first', {
        phase: 'Running',
        containerStatuses: [
          { name: 'istio', state: { running: { startedAt: '2026-11-25T09:00:00Z' } } },
          { name: 'ks-apiserver', state: { running: { startedAt: '2026-11-25T11:00:00Z' } } },
        ],
        conditions: [{ type: 'Ready', status: 'False' }],
      }),
      pod('other-name', {
        phase: 'Running',
        containerStatuses: [{ name: 'apiserver', state: { running: { startedAt: '2026-11-25T12:00:00Z' } } }],
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
      }),
      pod('waiting', {
        phase: 'Running',
        startTime: '2026-11-25T08:00:00Z',
        containerStatuses: [{ name: 'ks-apiserver', state: { waiting: {} } }],
      }),
      pod('nothing', { phase: 'Running' }),
    ];
    expect(deriveFacts(s).runningPods).toEqual([
      { name: 'sidecar-first', startedAt: new Date('2026-11-25T11:00:00Z'), ready: false },
      { name: 'other-name', startedAt: new Date('2026-11-25T12:00:00Z'), ready: true },
      { name: 'waiting', startedAt: new Date('2026-11-25T08:00:00Z'), ready: false },
      { name: 'nothing', startedAt: undefined, ready: false },
    ]);
  });

  it('the Deployment: replicas default to 1, paused read, the first container when none is ks-apiserver', () => {
    const s = snapshot({ ...base, env: ['KUBESPHERE_AUTHENTICATION_A'] });
    s.apiserverDeployment = {
      metadata: { name: 'ks-agent' },
      spec: {
        paused: true,
        template: {
          spec: {
            containers: [
              { name: 'agent', image: 'ks:v4.1.3', env: [{ name: 'KUBESPHERE_AUTHENTICATION_B' }] },
              { name: 'sidecar', image: 'x:v1.0.0' },
            ],
          },
        },
      },
    };
    const f = deriveFacts(s);
    expect([f.deployment, f.version?.text, f.family, f.envOverrides]).toEqual([
      { name: 'ks-agent', replicas: 1, paused: true },
      'v4.1.3',
      '4.x',
      ['KUBESPHERE_AUTHENTICATION_B'],
    ]);
  });

  it('the file was last written at the latest managed-fields time, status writes and bad times aside', () => {
    const s = snapshot(base);
    const cm = s.configMap as ObjectJson;
    cm.metadata.creationTimestamp = '2026-11-01T00:00:00Z';
    cm.metadata.managedFields = [
      { manager: 'a', time: '2026-11-10T00:00:00Z' },
      { manager: 'b', time: '2026-11-30T00:00:00Z', subresource: 'status' },
      { manager: 'c', time: 'not a time' },
      { manager: 'd' },
      { manager: 'e', time: '2026-11-12T00:00:00Z' },
    ];
    expect(deriveFacts(s).configWrittenAt).toEqual(new Date('2026-11-12T00:00:00Z'));
    cm.metadata.managedFields = [];
    expect(deriveFacts(s).configWrittenAt).toEqual(new Date('2026-11-01T00:00:00Z'));
    delete cm.metadata.creationTimestamp;
    expect(deriveFacts(s).configWrittenAt).toBeUndefined();
  });

  it('the ClusterConfiguration: an empty secret is none, no oauthOptions, a non-string role is none', () => {
    const s = snapshot(base);
    s.clusterConfiguration = {
      metadata: { name: 'ks-installer' },
      spec: { authentication: { jwtSecret: '' }, multicluster: { clusterRole: 5 } },
    };
    expect(deriveFacts(s).clusterConfiguration).toEqual({
      jwtSecret: undefined,
      clusterRole: undefined,
      accessTokenMaxAge: undefined,
      hasOAuthOptions: false,
    });
    s.clusterConfiguration = {
      metadata: { name: 'ks-installer' },
      spec: { authentication: { oauthOptions: { accessTokenMaxAge: '2 hours' } } },
    };
    expect(deriveFacts(s).clusterConfiguration).toEqual({
      jwtSecret: undefined,
      clusterRole: undefined,
      accessTokenMaxAge: { raw: '2 hours', zero: false },
      hasOAuthOptions: true,
    });
  });
});

describe('familyOf and ccMaxAgeNeedsZero', () => {
  it.each<[[number, number] | undefined, string | undefined]>([
    [undefined, undefined],
    [[2, 9], undefined],
    [[3, 2], '3.0-3.2'],
    [[3, 3], '3.3-3.4'],
    [[4, 0], '4.x'],
    [[5, 0], '4.x'],
  ])('%j → %s', (v, family) => {
    expect(familyOf(v ? { major: v[0], minor: v[1], patch: 0, text: '' } : undefined)).toBe(family);
  });

  const cc = (hasOAuthOptions: boolean, zero?: boolean) => ({
    jwtSecret: undefined,
    clusterRole: undefined,
    accessTokenMaxAge: zero === undefined ? undefined : { raw: zero ? '0' : '2h', zero },
    hasOAuthOptions,
  });
  const v = (minor: number) => ({ major: 3, minor, patch: 0, text: '' });
  it.each<[string, Parameters<typeof ccMaxAgeNeedsZero>[0], boolean]>([
    ['3.1 with oauthOptions and 2h', { version: v(1), clusterConfiguration: cc(true, false) }, true],
    ['3.1 with oauthOptions and no value', { version: v(1), clusterConfiguration: cc(true) }, true],
    ['3.1 with a zero already', { version: v(1), clusterConfiguration: cc(true, true) }, false],
    ['3.1 without oauthOptions', { version: v(1), clusterConfiguration: cc(false) }, false],
    ['an unknown version', { version: undefined, clusterConfiguration: cc(true, false) }, true],
    ['3.4 (the member zero comes last)', { version: v(4), clusterConfiguration: cc(true, false) }, false],
    ['3.2 (never rendered)', { version: v(2), clusterConfiguration: cc(true, false) }, false],
    ['no ClusterConfiguration', { version: v(1), clusterConfiguration: undefined }, false],
  ])('%s: %s', (_name, facts, needs) => {
    expect(ccMaxAgeNeedsZero(facts)).toBe(needs);
  });
});
