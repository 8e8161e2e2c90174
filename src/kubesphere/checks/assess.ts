import { checkClockSkew } from './clock-skew.js';
import { checkConfig, checkReachable, checkRole, skipped } from './cluster.js';
import { checkDevopsSecret } from './devops.js';
import { checkHostCache } from './host-cache.js';
import { checkAuthErrors, withHostRejections, type AuthLogSummary } from './logs.js';
import { checkHostMaxAge, checkMemberMaxAge } from './max-age.js';
import { checkRestartPending } from './restart.js';
import { checkSecretDurable, checkSecretMatch, secretFingerprint } from './secret.js';
import { verdict } from './verdict.js';
import { deriveFacts, type ClusterFacts } from '../cluster/facts.js';
import { checkHostClusterStatus } from './host-status.js';
import { hostProxyAddress, joinedFor, type MemberTarget } from '../cluster/discovery.js';
import type {
  CheckId,
  ClusterIdentity,
  Discovery,
  DiagnoseReport,
  Finding,
  HostReport,
  MemberReport,
} from './report.js';
import { present, type ClusterSnapshot } from '../cluster/snapshot.js';

export interface Gathered {
  snapshot: ClusterSnapshot;
  logs?: AuthLogSummary;
}

/** A member to assess: gathered through a context, or only known from the host (no way in). */
export interface MemberInput {
  gathered: Gathered | undefined;
  target?: MemberTarget;
}

/** Pure: snapshots in, findings out. */
export function assess(host: Gathered, members: MemberInput[], opts: { since: string }): DiagnoseReport {
  const hostFacts = deriveFacts(host.snapshot);
  const hostReport = assessHost(host, hostFacts);
  return {
    host: hostReport,
    members: members.map((m) => {
      const report = m.gathered
        ? assessMember(m.gathered, hostFacts, hostReport, opts, m.target, host)
        : unresolvedMember(m.target!, hostReport);
      return report;
    }),
  };
}

function discoveryOf(target: MemberTarget | undefined): Discovery {
  return {
    cluster: target?.cluster ?? null,
    method: target ? target.method : 'flag',
    connection: target?.connection ?? null,
  };
}

/** A joined member that no context reaches: one error row that says how to reach it. */
function unresolvedMember(target: MemberTarget, host: HostReport): MemberReport {
  const reach: Finding = {
    id: 'reachable',
    status: 'error',
    code: `no-route-${target.problem ?? 'no-context'}`,
    args: { cluster: target.cluster, context: target.context },
  };
  const checks = [reach, ...MEMBER_CHECKS.map(skipUnreachable), checkHostClusterStatus(target.joined)];
  return {
    name: target.context ?? target.cluster ?? '?',
    context: target.context,
    server: target.joined?.apiEndpoint ?? null,
    kubesphereVersion: target.joined?.kubesphereVersion ?? null,
    clusterRole: null,
    discovery: discoveryOf(target),
    jwtSecret: secretFingerprint(undefined),
    ...verdict(checks, host.checks),
    cause: 'no-route',
    checks,
  };
}

function identity(snap: ClusterSnapshot, facts: ClusterFacts | undefined): ClusterIdentity {
  return {
    context: snap.context,
    server: snap.server,
    kubesphereVersion: facts?.version?.text ?? null,
    clusterRole: facts?.role.value ?? null,
  };
}

function settingsSecret(facts: ClusterFacts): string | undefined {
  return facts.config.state === 'ok' ? facts.config.settings.jwtSecret : undefined;
}

function assessHost(host: Gathered, facts: ClusterFacts): HostReport {
  const snap = host.snapshot;
  const reach = checkReachable(snap);
  if (reach.status !== 'pass') {
    return {
      ...identity(snap, undefined),
      jwtSecret: secretFingerprint(undefined),
      checks: [reach, ...(['kubesphere-config', 'cluster-role', 'host-cache'] as const).map(skipUnreachable)],
    };
  }
  const config = checkConfig(snap, facts);
  const configOk = facts.config.state === 'ok';
  const checks: Finding[] = [reach, config];
  checks.push(configOk ? checkRole(facts, 'host') : skipped('cluster-role', 'config'));
  const maxAge = checkHostMaxAge(facts);
  if (maxAge) checks.push(maxAge);
  checks.push(checkHostCache(facts, host.logs));
  return { ...identity(snap, facts), jwtSecret: secretFingerprint(settingsSecret(facts)), checks };
}

const MEMBER_CHECKS: CheckId[] = [
  'kubesphere-config',
  'cluster-role',
  'jwt-secret-match',
  'jwt-secret-durable',
  'access-token-max-age',
  'apiserver-auth-errors',
  'apiserver-restart-pending',
];

function skipUnreachable(id: CheckId): Finding {
  return skipped(id, 'unreachable');
}

function assessMember(
  member: Gathered,
  hostFacts: ClusterFacts,
  host: HostReport,
  opts: { since: string },
  target: MemberTarget | undefined,
  hostGathered: Gathered,
): MemberReport {
  const hostSnap = hostGathered.snapshot;
  const snap = member.snapshot;
  const reach = checkReachable(snap);
  const named = { name: snap.context, discovery: discoveryOf(target) };
  const hostStatus = target?.joined || target?.cluster ? [checkHostClusterStatus(target.joined)] : [];
  if (reach.status !== 'pass') {
    const checks = [reach, ...MEMBER_CHECKS.map(skipUnreachable), ...hostStatus];
    return {
      ...named,
      ...identity(snap, undefined),
      kubesphereVersion: target?.joined?.kubesphereVersion ?? null,
      jwtSecret: secretFingerprint(undefined),
      ...verdict(checks, host.checks),
      checks,
    };
  }
  const facts = deriveFacts(snap);
  const joined = target?.joined ?? joinedFor(present(hostSnap.clusters), snap.server, snap.context);
  const checks: Finding[] = [reach, checkConfig(snap, facts)];
  const configOk = facts.config.state === 'ok';
  const hostOk = host.checks.find((c) => c.id === 'kubesphere-config')?.status === 'pass';
  if (configOk) {
    checks.push(checkRole(facts, 'member'));
    checks.push(hostOk ? checkSecretMatch(hostFacts, facts) : skipped('jwt-secret-match', 'host'));
    checks.push(
      hostOk ? checkSecretDurable(hostFacts, facts, joined) : skipped('jwt-secret-durable', 'host'),
    );
    checks.push(checkMemberMaxAge(facts));
  } else {
    for (const id of [
      'cluster-role',
      'jwt-secret-match',
      'jwt-secret-durable',
      'access-token-max-age',
    ] as const) {
      checks.push(skipped(id, 'config'));
    }
  }
  checks.push(
    withHostRejections(
      checkAuthErrors(snap, member.logs, opts.since),
      hostGathered.logs,
      hostProxyAddress(joined),
    ),
  );
  checks.push(checkRestartPending(facts));
  const devops = checkDevopsSecret(snap, facts, hostOk ? hostFacts : undefined);
  if (devops) checks.push(devops);
  const clock = hostSnap.reachability.ok ? checkClockSkew(hostSnap, hostFacts, snap, facts) : undefined;
  if (clock) checks.push(clock);
  checks.push(...hostStatus);
  return {
    ...named,
    ...identity(snap, facts),
    jwtSecret: secretFingerprint(settingsSecret(facts)),
    ...verdict(checks, host.checks),
    checks,
  };
}
