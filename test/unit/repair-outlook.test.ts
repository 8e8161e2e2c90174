import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { Diagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { hostRefusal, repairOutlook, unreachablePlan } from '../../src/kubesphere/repair/outlook.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/**
 * What diagnose says repair would do (its `Repair:` line and `members[].repair` in JSON) comes from repair's own
 * planner: these pin the outlook to what `repair` then does, member by member.
 */
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const IMAGE = 'kubesphere/ks-apiserver:v3.4.1';

const cluster = (context: string, file: string, maxAge?: string): ClusterSnapshot => {
  const yaml = fixture(file);
  return snapshot({
    context,
    yaml: maxAge ? yaml.replace('accessTokenMaxAge: 0', `accessTokenMaxAge: ${maxAge}`) : yaml,
    image: IMAGE,
  });
};

/** A diagnosis as runDiagnosis returns it; `undefined` members were not reached at all. */
function diagnosis(host: ClusterSnapshot, members: Array<ClusterSnapshot | undefined>): Diagnosis {
  const unreached = (m: ClusterSnapshot | undefined, i: number): ClusterSnapshot =>
    m ?? {
      context: `gone-${i}`,
      server: `https://gone-${i}.example:6443`,
      reachability: { ok: false, failure: { kind: 'unreachable', message: 'connection refused' } },
      configMap: undefined,
      clusterConfiguration: undefined,
      kubesphereSecret: undefined,
      apiserverDeployment: undefined,
      installerDeployment: undefined,
      pods: undefined,
      clusters: undefined,
      gatheredAt: '2026-11-25T10:00:00Z',
    };
  const report = assess(
    { snapshot: host, logs: noErrors },
    members.map((m, i) => ({ gathered: { snapshot: unreached(m, i), logs: noErrors } })),
    { since: '1h' },
  );
  return { report, host, members };
}

describe('hostRefusal: repair stops at a --host that is not a host', () => {
  it('a host context whose file says member is refused host-not-host, naming its role', () => {
    const d = diagnosis(cluster('host', 'v3.4-member.yaml'), [cluster('member', 'v3.4-member.yaml', '2h')]);
    expect(hostRefusal(d.report)).toEqual({
      code: 'host-not-host',
      args: { host: 'host', role: 'member', swappedWith: null },
    });
  });

  it('--host and --member swapped: the member whose role is host is named, so the fix can say "swap them"', () => {
    const d = diagnosis(cluster('a', 'v3.4-member.yaml'), [
      cluster('b', 'v3.4-member.yaml'),
      cluster('c', 'v3.4-host.yaml'),
    ]);
    expect(hostRefusal(d.report)).toEqual({
      code: 'host-not-host',
      args: { host: 'a', role: 'member', swappedWith: 'c' },
    });
  });

  it('a host whose role is host, or whose role could not be checked, is not refused', () => {
    const ok = diagnosis(cluster('host', 'v3.4-host.yaml'), [cluster('member', 'v3.4-member.yaml')]);
    expect(ok.report.host.checks.find((c) => c.id === 'cluster-role')?.status).toBe('pass');
    expect(hostRefusal(ok.report)).toBeUndefined();
    const noConfig: ClusterSnapshot = { ...cluster('host', 'v3.4-member.yaml'), configMap: null };
    const skipped = diagnosis(noConfig, [cluster('member', 'v3.4-member.yaml')]);
    expect(skipped.report.host.checks.find((c) => c.id === 'cluster-role')?.status).toBe('skip');
    expect(hostRefusal(skipped.report)).toBeUndefined();
  });

  it('a host whose file states no role ("none") is refused with role none', () => {
    const d = diagnosis(cluster('host', 'v3.4-none.yaml'), [cluster('member', 'v3.4-member.yaml')]);
    const role = d.report.host.checks.find((c) => c.id === 'cluster-role');
    expect(role?.status).toBe('fail');
    expect(hostRefusal(d.report)?.args).toEqual({ host: 'host', role: 'none', swappedWith: null });
  });
});

describe('repairOutlook: the plan repair would make for each member', () => {
  const host = cluster('host', 'v3.4-host.yaml');
  const sick = cluster('sick', 'v3.4-member.yaml', '2h');
  const well = cluster('well', 'v3.4-member.yaml');

  it('each reachable member gets exactly the plan repair makes; a member not reached is not-readable', () => {
    const d = diagnosis(host, [sick, undefined, well]);
    const outlook = repairOutlook(d, { force: false });
    expect(outlook.host).toBeUndefined();
    const expected = (i: number, s: ClusterSnapshot) =>
      planMemberRepair({
        host: { facts: deriveFacts(host), server: host.server },
        member: { snapshot: s, facts: deriveFacts(s), report: d.report.members[i]! },
        force: false,
      });
    expect(outlook.plans).toEqual([
      expected(0, sick),
      unreachablePlan(d.report.members[1]!),
      expected(2, well),
    ]);
    expect(outlook.plans[0]!.writes.map((w) => w.changes.map((c) => [c.path, c.from, c.to]))).toEqual([
      [['kubesphere.yaml: authentication.oauthOptions.accessTokenMaxAge', '2h', '0s']],
    ]);
    expect(outlook.plans[0]!.restart?.name).toBe('ks-apiserver');
    expect(outlook.plans[2]!.writes).toEqual([]);
    expect(outlook.plans[2]!.restart).toBeUndefined();
  });

  it('a --host that is not a host: every member gets that refusal, with nothing planned', () => {
    const notHost = cluster('host', 'v3.4-member.yaml');
    const outlook = repairOutlook(diagnosis(notHost, [sick, well]), { force: false });
    const refusal = { code: 'host-not-host', args: { host: 'host', role: 'member', swappedWith: null } };
    expect(outlook.host).toEqual(refusal);
    expect(outlook.plans.map((p) => [p.context, p.writes, p.restart, p.refusal, p.forced])).toEqual([
      ['sick', [], undefined, refusal, false],
      ['well', [], undefined, refusal, false],
    ]);
  });

  it('with --force the host refusal is lifted and the members are planned as repair --force plans them', () => {
    const notHost = cluster('host', 'v3.4-member.yaml');
    const d = diagnosis(notHost, [sick]);
    const outlook = repairOutlook(d, { force: true });
    expect(outlook.host).toBeUndefined();
    expect(outlook.plans).toEqual([
      planMemberRepair({
        host: { facts: deriveFacts(notHost), server: notHost.server },
        member: { snapshot: sick, facts: deriveFacts(sick), report: d.report.members[0]! },
        force: true,
      }),
    ]);
    expect(outlook.plans[0]!.writes.length).toBe(1);
  });
});

describe('unreachablePlan', () => {
  it('names the member and its server, plans nothing and carries the cause', () => {
    const d = diagnosis(host(), [undefined]);
    const report = d.report.members[0]!;
    expect(unreachablePlan(report)).toEqual({
      context: 'gone-0',
      server: 'https://gone-0.example:6443',
      writes: [],
      restart: undefined,
      refusal: { code: 'not-readable', args: { cause: report.cause } },
      forced: false,
    });
    expect(report.cause).not.toBeNull();
  });

  it('a member without a known server gets an empty one, never undefined', () => {
    const report = { ...diagnosis(host(), [undefined]).report.members[0]!, server: null };
    expect(unreachablePlan(report).server).toBe('');
  });

  function host(): ClusterSnapshot {
    return cluster('host', 'v3.4-host.yaml');
  }
});
