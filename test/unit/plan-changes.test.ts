import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { fingerprintSecret } from '../../src/kubesphere/config/fingerprint.js';
import { planIsEmpty } from '../../src/kubesphere/repair/plan.js';
import { planSnapshots } from '../helpers/plan.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/** Every change repair plans is shown to the user before consent: each one exactly, and nothing more. */
const fp = (s: string) => fingerprintSecret(s).fingerprint;
const plan = (host: ClusterSnapshot, member: ClusterSnapshot) => planSnapshots(host, member).plan;
const changesOf = (p: ReturnType<typeof plan>) =>
  p.writes.map((w) => [w.target, w.namespace, w.name, w.changes] as const);

const HOST33 = 'FAKEv33hostJwtSecret000000000000';
const OTHER33 = 'FAKEv33otherJwtSecret00000000000';
const host33 = () =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.3-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.3.2',
    cc: { jwtSecret: HOST33, clusterRole: 'host' },
    installerSecret: HOST33,
  });

describe('the changes of a plan', () => {
  it('3.3 member with its own secret, 2h and role none: every object, every change, secrets as fingerprints', () => {
    const p = plan(
      host33(),
      snapshot({
        context: 'member',
        yaml: fixture('v3.3-member-go-remarshaled-2h.yaml'),
        image: 'kubesphere/ks-apiserver:v3.3.2',
        cc: { jwtSecret: OTHER33, clusterRole: 'none', accessTokenMaxAge: '2h' },
        installerSecret: OTHER33,
      }),
    );
    const sync = (path: string, why?: string) => ({
      action: 'sync-jwt-secret',
      path,
      secret: true,
      from: fp(OTHER33),
      to: fp(HOST33),
      ...(why ? { why } : {}),
    });
    const setting = (path: string, from: string, to: string, why?: string) => ({
      action: 'set-access-token-max-age',
      path,
      secret: false,
      from,
      to,
      ...(why ? { why } : {}),
    });
    // 3.3: the CC's accessTokenMaxAge (2h) is rendered before the member's 0, which wins: it is left alone.
    expect(changesOf(p)).toEqual([
      ['secret', 'kubesphere-system', 'kubesphere-secret', [sync('data.secret', 'installer-renders-secret')]],
      [
        'configmap',
        'kubesphere-system',
        'kubesphere-config',
        [
          sync('kubesphere.yaml: authentication.jwtSecret'),
          setting('kubesphere.yaml: authentication.oauthOptions.accessTokenMaxAge', '2h0m0s', '0s'),
          setting('kubesphere.yaml: multicluster.clusterRole', 'none', 'member'),
        ],
      ],
      [
        'clusterconfiguration',
        'kubesphere-system',
        'ks-installer',
        [
          sync('spec.authentication.jwtSecret', 'installer-renders-cc-secret'),
          setting('spec.multicluster.clusterRole', 'none', 'member', 'installer-zero-for-member-role'),
        ],
      ],
    ]);
    expect(p.writes.map((w) => w.edits.length)).toEqual([1, 3, 2]);
    const [secret, configMap] = p.writes as [(typeof p.writes)[0], (typeof p.writes)[0]];
    const data = (secret.after as unknown as { data: Record<string, string> }).data;
    expect(Buffer.from(data.secret!, 'base64').toString('utf8')).toBe(HOST33);
    const text = (configMap.after as unknown as { data: Record<string, string> }).data['kubesphere.yaml']!;
    expect(text.match(/^\s*(jwtSecret|accessTokenMaxAge|clusterRole):.*$/gm)).toEqual([
      `  jwtSecret: ${HOST33}`,
      '    accessTokenMaxAge: 0s',
      '  clusterRole: member',
    ]);
    expect(p.restart).toEqual({
      namespace: 'kubesphere-system',
      name: 'ks-apiserver',
      reason: 'config-changed',
    });
    expect(planIsEmpty(p)).toBe(false);
  });

  it('the ClusterConfiguration pins the secret when kubesphere-secret would render another', () => {
    // The CC has no jwtSecret: the installer renders kubesphere-secret's, which is the old one.
    const p = plan(
      host33(),
      snapshot({
        context: 'member',
        yaml: fixture('v3.3-member.yaml').replace('FAKEv33memberJwtSecret0000000000', HOST33),
        image: 'kubesphere/ks-apiserver:v3.3.2',
        cc: { clusterRole: 'member' },
        installerSecret: OTHER33,
      }),
    );
    const cc = p.writes.find((w) => w.target === 'clusterconfiguration');
    expect(cc?.changes).toEqual([
      {
        action: 'sync-jwt-secret',
        path: 'spec.authentication.jwtSecret',
        secret: true,
        from: null,
        to: fp(HOST33),
        why: 'installer-renders-cc-secret',
      },
    ]);
  });

  it('a 4.x member: only kubesphere-config is written, whatever a leftover kubesphere-secret holds', () => {
    const host = snapshot({
      context: 'host',
      yaml: fixture('v4.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
    });
    const p = plan(
      host,
      snapshot({
        context: 'member',
        yaml: fixture('v4.1-member-stale-secret.yaml'),
        image: 'kubesphere/ks-apiserver:v4.1.3',
        agent: true,
        installerSecret: 'FAKEleftoverSecret00000000000000',
      }),
    );
    expect(p.writes.map((w) => [w.target, w.changes.map((c) => c.path)])).toEqual([
      ['configmap', ['kubesphere.yaml: authentication.issuer.jwtSecret']],
    ]);
    expect(p.restart).toEqual({ namespace: 'kubesphere-system', name: 'ks-agent', reason: 'config-changed' });
  });

  it('nothing to change: an empty plan', () => {
    const p = plan(
      host33(),
      snapshot({
        context: 'member',
        yaml: fixture('v3.3-member.yaml').replace('FAKEv33memberJwtSecret0000000000', HOST33),
        image: 'kubesphere/ks-apiserver:v3.3.2',
        cc: { jwtSecret: HOST33, clusterRole: 'member' },
        installerSecret: HOST33,
      }),
    );
    expect(p.writes).toEqual([]);
    expect(p.restart).toBeUndefined();
    expect(p.refusal).toBeUndefined();
    expect(planIsEmpty(p)).toBe(true);
  });

  it('planIsEmpty: a restart alone, or a write alone, is something to do', () => {
    const base = { context: 'm', server: 's', refusal: undefined, forced: false };
    const restart = {
      namespace: 'kubesphere-system',
      name: 'ks-apiserver',
      reason: 'restart-pending' as const,
    };
    expect(planIsEmpty({ ...base, writes: [], restart })).toBe(false);
    expect(planIsEmpty({ ...base, writes: [{} as never], restart: undefined })).toBe(false);
    expect(planIsEmpty({ ...base, writes: [], restart: undefined })).toBe(true);
  });
});

/**
 * Which ClusterConfiguration edits make the fix last depends on the version's template (ks-installer
 * roles/ks-core/config/templates/kubesphere-config.yaml.j2 at v3.0.0 … v3.4.1): only those are planned.
 */
describe('the ClusterConfiguration edits a durable fix needs, per version', () => {
  const HOST31 = 'FAKEv31hostJwtSecret000000000000';
  const member = (version: string, cc: Parameters<typeof snapshot>[0]['cc']) =>
    snapshot({
      context: 'member',
      yaml: fixture('v3.1-member.yaml').replace('FAKEv31memberJwtSecret0000000000', HOST31),
      image: `kubesphere/ks-apiserver:v${version}`,
      cc,
      installerSecret: HOST31,
    });
  const host = () =>
    snapshot({
      context: 'host',
      yaml: fixture('v3.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.1.1',
      cc: { jwtSecret: HOST31, clusterRole: 'host' },
      installerSecret: HOST31,
    });
  const ccChanges = (p: ReturnType<typeof plan>) =>
    p.writes.filter((w) => w.target === 'clusterconfiguration').flatMap((w) => w.changes);

  it('3.1: the CC has oauthOptions without accessTokenMaxAge, so 3.1 renders no 0: it is set, and why', () => {
    const p = plan(
      host(),
      member('3.1.1', { jwtSecret: HOST31, clusterRole: 'member', oauthOptions: { clients: [] } }),
    );
    expect(ccChanges(p)).toEqual([
      {
        action: 'set-access-token-max-age',
        path: 'spec.authentication.oauthOptions.accessTokenMaxAge',
        secret: false,
        from: null,
        to: '0s',
        why: 'installer-3.1-renders-cc-oauth',
      },
    ]);
    // The live file already says 0: only the CC changes, so nothing restarts.
    expect(p.writes.map((w) => w.target)).toEqual(['clusterconfiguration']);
    expect(p.restart).toBeUndefined();
  });

  it('3.1 without CC oauthOptions: the member role renders the 0, nothing to change', () => {
    const p = plan(host(), member('3.1.1', { jwtSecret: HOST31, clusterRole: 'member' }));
    expect(planIsEmpty(p)).toBe(true);
  });

  it.each(['3.0.0', '3.2.1', '3.3.2', '3.4.1'])(
    '%s: a CC accessTokenMaxAge of 2h does not decide the rendered value: left alone',
    (version) => {
      const p = plan(
        host(),
        member(version, { jwtSecret: HOST31, clusterRole: 'member', accessTokenMaxAge: '2h' }),
      );
      expect(ccChanges(p)).toEqual([]);
    },
  );

  it('3.2 with CC role none: only the role is changed, and why', () => {
    const p = plan(
      host(),
      member('3.2.1', { jwtSecret: HOST31, clusterRole: 'none', accessTokenMaxAge: '2h' }),
    );
    expect(ccChanges(p).map((c) => [c.path, c.to, c.why])).toEqual([
      ['spec.multicluster.clusterRole', 'member', 'installer-zero-for-member-role'],
    ]);
  });
});
