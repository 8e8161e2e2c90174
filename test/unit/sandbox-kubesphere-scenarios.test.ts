import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadKsConfig } from '../../src/sandbox/kubesphere/config-load.js';
import { planSandbox } from '../../src/sandbox/kubesphere/plan.js';
import { SCENARIOS } from '../../src/sandbox/kubesphere/scenarios.js';
import { KS_VERSIONS } from '../../src/sandbox/kubesphere/versions.js';
import type { KsVersion } from '../../src/sandbox/kubesphere/versions.js';

/** What the member's ks-apiserver will run with, against the host's: the facts each scenario promises. */
function effective(v: KsVersion, scenario: string) {
  const [host, member] = planSandbox({ ksVersion: v, scenario });
  const h = loadKsConfig(v, host!.state.configText);
  const m = loadKsConfig(v, member!.state.configText);
  return {
    sameSecret: h.jwtSecret === m.jwtSecret,
    memberZero: m.accessTokenMaxAgeNs === 0,
    host: host!,
    member: member!,
    h,
    m,
  };
}

describe('scenarios deliver the fault they name, on every version', () => {
  it.each(KS_VERSIONS)('%s', (v) => {
    expect(effective(v, 'healthy')).toMatchObject({ sameSecret: true, memberZero: true });
    expect(effective(v, 'token-cache')).toMatchObject({ sameSecret: true, memberZero: false });
    expect(effective(v, 'secret-mismatch')).toMatchObject({ sameSecret: false, memberZero: true });
    expect(effective(v, 'both')).toMatchObject({ sameSecret: false, memberZero: false });
  });

  it.each(['3.0', '3.1', '3.2', '3.3', '3.4'] as const)(
    '%s installer-revert: fixed in the file, not in the CC',
    (v) => {
      const { sameSecret, memberZero, member } = effective(v, 'installer-revert');
      expect({ sameSecret, memberZero }).toEqual({ sameSecret: true, memberZero: true });
      expect(member.state.cc).toMatchObject({ jwtSecret: '', clusterRole: 'none' });
      expect(member.state.configManager).toBe('kubectl-edit');
      expect(member.state.podsStartedAgoMs).toBeLessThan(member.state.configWrittenAgoMs);
      // What the installer applied before the edit still has the member's own secret.
      expect(loadKsConfig(v, member.state.installedConfigText).jwtSecret).toBe(member.state.kubesphereSecret);
    },
  );

  it('3.3/3.4 members carry the host controller’s rewrite by default', () => {
    const { member } = effective('3.4', 'token-cache');
    expect(member.state.configManager).toBe('controller-manager');
    expect(member.state.configText).toContain('  clusterName: member\n');
    expect(member.state.configText).toContain('accessTokenMaxAge: 2h0m0s');
    expect(effective('3.2', 'token-cache').member.state.configManager).toBe('kubectl-client-side-apply');
    const [, templ] = planSandbox({ ksVersion: '3.4', members: [{ configStyle: 'template' }] });
    expect(templ!.state.configText).not.toContain('clusterName');
  });

  it('host-replicas-no-redis: three host replicas without Redis, healthy members', () => {
    const { host, h, memberZero, sameSecret } = effective('3.4', 'host-replicas-no-redis');
    expect(host.state.replicas).toBe(3);
    expect(h.cache).toBe('in-memory');
    expect({ memberZero, sameSecret }).toEqual({ memberZero: true, sameSecret: true });
  });

  it('every scenario has a one-line description', () => {
    for (const s of SCENARIOS) expect(s.description).toMatch(/^[^\n]{20,200}$/);
  });
});

describe('planSandbox input checks', () => {
  it.each([
    [{ scenario: 'nope' }, /unknown scenario/],
    [{ ksVersion: '4.1', scenario: 'installer-revert' }, /cannot run on KubeSphere 4\.1/],
    [{ ksVersion: '3.0', scenario: 'host-replicas-no-redis' }, /cannot run on KubeSphere 3\.0/],
    [{ members: 0 }, /between 1 and 100/],
    [{ members: 101 }, /between 1 and 100/],
    [{ members: [{ name: 'host' }] }, /invalid or duplicate member name/],
    [{ members: [{ name: 'a' }, { name: 'a' }] }, /invalid or duplicate member name/],
    [{ members: [{ ksVersion: '4.1', scenario: 'installer-revert' }] }, /member/],
  ] as const)('%j is refused', (opts, message) => {
    expect(() => planSandbox(opts as Parameters<typeof planSandbox>[0])).toThrow(UsageError);
    expect(() => planSandbox(opts as Parameters<typeof planSandbox>[0])).toThrow(message);
  });

  it('names members member, or member-1…N', () => {
    expect(planSandbox({}).map((c) => c.name)).toEqual(['host', 'member']);
    expect(planSandbox({ members: 3 }).map((c) => c.name)).toEqual([
      'host',
      'member-1',
      'member-2',
      'member-3',
    ]);
  });
});
