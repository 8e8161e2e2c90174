/**
 * 4.x does not self-heal a jwtSecret drift (issue 12, point 4). Follows kubesphere v4.1.3
 * pkg/controller/cluster/cluster_controller.go (reconcileMemberCluster: reinstall when KSCoreReady is not True or
 * configChanged), pkg/controller/cluster/helper.go (configChanged, setConfigHash, installKSCoreInMemberCluster)
 * and pkg/utils/hashutil/hashutil.go (FNVString: FNV-1a 64, hex).
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { clusterConfigHash, fnv64aHex } from '../../src/kubesphere/cluster/config-hash.js';
import { joinedMembers, type MemberTarget } from '../../src/kubesphere/cluster/discovery.js';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { describeFinding } from '../../src/output/messages.js';
import { configHash as simConfigHash } from '../../src/sandbox/kubesphere/ks-core-controller.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const HOST_SECRET = 'FAKEv41hostJwtSecret000000000000';

describe('FNV-1a 64 as Go hash/fnv computes it', () => {
  // Values from Go 1.22: hex.EncodeToString(fnv.New64a() after Write(b)).Sum(nil))
  it.each([
    ['', 'cbf29ce484222325'],
    ['role: member\n', '7670a6721e458049'],
    ['authentication:\n  issuer:\n    accessTokenMaxAge: 2h\n', 'fe475a31848833de'],
  ])('%j → %s (tool and sandbox agree)', (text, hex) => {
    expect(fnv64aHex(Buffer.from(text))).toBe(hex);
    const b64 = text ? Buffer.from(text).toString('base64') : undefined;
    expect(clusterConfigHash(b64)).toBe(hex);
    expect(simConfigHash(b64)).toBe(hex);
  });
});

function clusterObject(o: { annotation?: string; config?: string; ksCoreReady?: string }): ObjectJson {
  return {
    apiVersion: 'cluster.kubesphere.io/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name: 'member',
      ...(o.annotation !== undefined ? { annotations: { 'kubesphere.io/config-hash': o.annotation } } : {}),
    },
    spec: {
      connection: { type: 'direct', kubernetesAPIEndpoint: 'https://member.example:6443' },
      ...(o.config !== undefined ? { config: Buffer.from(o.config).toString('base64') } : {}),
    },
    status: {
      kubeSphereVersion: 'v4.1.3',
      conditions: [
        { type: 'Ready', status: 'True' },
        ...(o.ksCoreReady ? [{ type: 'KSCoreReady', status: o.ksCoreReady }] : []),
      ],
    },
  };
}

describe('joinedMembers: kubesphere.io/config-hash against spec.config', () => {
  it.each([
    [{ annotation: 'cbf29ce484222325' }, 'match'],
    [{ annotation: '7670a6721e458049', config: 'role: member\n' }, 'match'],
    [{ annotation: 'cbf29ce484222325', config: 'role: member\n' }, 'differs'],
    [{}, 'absent'],
  ])('%j → %s', (o, state) => {
    expect(joinedMembers([clusterObject(o)])[0]!.configHash).toBe(state);
  });
});

function run(memberSecret: string, cluster?: ObjectJson, hostClusters?: ObjectJson[]) {
  const host = {
    ...snapshot({
      context: 'host',
      yaml: fixture('v4.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
    }),
    ...(hostClusters ? { clusters: hostClusters } : {}),
  };
  const member = snapshot({
    context: 'member',
    yaml: fixture('v4.1-member.yaml').replace(HOST_SECRET, memberSecret),
    image: 'kubesphere/ks-apiserver:v4.1.3',
    agent: true,
  });
  const joined = cluster ? joinedMembers([cluster])[0] : undefined;
  const target: MemberTarget | undefined = joined
    ? { cluster: 'member', context: 'member', method: 'server-url', connection: 'direct', joined }
    : undefined;
  const r = assess(
    { snapshot: host, logs: noErrors },
    [{ gathered: { snapshot: member, logs: noErrors }, ...(target ? { target } : {}) }],
    { since: '1h' },
  ).members[0]!;
  return { r, durable: r.checks.find((c) => c.id === 'jwt-secret-durable')! };
}

const STALE = 'FAKEv41staleMemberSecret00000000';

describe('jwt-secret-durable on a 4.x member', () => {
  it('same secret as the host: not applicable, as before', () => {
    const { durable } = run(
      HOST_SECRET,
      clusterObject({ annotation: 'cbf29ce484222325', ksCoreReady: 'True' }),
    );
    expect([durable.status, durable.code, durable.args]).toEqual(['skip', 'durable-not-applicable', {}]);
  });

  it('drifted, KSCoreReady True and the hash matches: warn no self-heal, the cause stays secret-mismatch', () => {
    const { r, durable } = run(STALE, clusterObject({ annotation: 'cbf29ce484222325', ksCoreReady: 'True' }));
    expect([durable.status, durable.code]).toEqual(['warn', 'ks-core-no-self-heal']);
    expect(durable.args).toEqual({
      cluster: 'member',
      selfHeal: false,
      resync: 'none',
      trigger: null,
      ksCoreReady: 'True',
      configHash: 'match',
    });
    expect(r.cause).toBe('secret-mismatch');
    const words = describeFinding(durable);
    expect(words.remedy).toContain('kubesphere.io/config-hash-');
    expect(JSON.stringify([durable, words])).not.toContain(STALE);
    expect(JSON.stringify([durable, words])).not.toContain(HOST_SECRET);
  });

  it.each([
    [{ annotation: 'cbf29ce484222325', ksCoreReady: 'False' }, 'ks-core-not-ready'],
    [{ annotation: 'cbf29ce484222325' }, 'ks-core-not-ready'],
    [{ annotation: 'cbf29ce484222325', ksCoreReady: 'True', config: 'role: member\n' }, 'config-changed'],
    [{ ksCoreReady: 'True' }, 'config-changed'],
  ])('drifted, the host will reinstall (%j): warn resync pending (%s)', (o, trigger) => {
    const { r, durable } = run(STALE, clusterObject(o));
    expect([durable.status, durable.code, durable.args.resync, durable.args.trigger]).toEqual([
      'warn',
      'ks-core-resync-pending',
      'pending',
      trigger,
    ]);
    expect(r.cause).toBe('secret-mismatch');
  });

  it("--member without discovery: the host's Cluster is found by the member's API server URL, else by name", () => {
    const byUrl = clusterObject({ annotation: 'cbf29ce484222325', ksCoreReady: 'True' });
    const { durable } = run(STALE, undefined, [byUrl]);
    expect([durable.code, durable.args.resync, durable.args.cluster]).toEqual([
      'ks-core-no-self-heal',
      'none',
      'member',
    ]);
    const byName = clusterObject({ annotation: 'cbf29ce484222325', ksCoreReady: 'False' });
    (byName.spec as { connection: Record<string, string> }).connection.kubernetesAPIEndpoint =
      'https://elsewhere:6443';
    const named = run(STALE, undefined, [byName]).durable;
    expect([named.code, named.args.trigger, named.args.cluster]).toEqual([
      'ks-core-resync-pending',
      'ks-core-not-ready',
      'member',
    ]);
  });

  it("drifted, the host's Cluster object unknown (--member): no self-heal, resync unknown", () => {
    const { durable } = run(STALE);
    expect([durable.status, durable.code, durable.args.resync, durable.args.cluster]).toEqual([
      'warn',
      'ks-core-no-self-heal',
      'unknown',
      null,
    ]);
  });
});
