import type { JoinedCluster } from '../cluster/discovery.js';
import { ccMaxAgeNeedsZero, type ClusterFacts } from '../cluster/facts.js';
import { fingerprintSecret } from '../config/fingerprint.js';
import { emptySecretCrashes } from '../config/version.js';
import type { Finding, SecretFingerprint } from './report.js';

export function secretFingerprint(secret: string | undefined): SecretFingerprint {
  const fp = fingerprintSecret(secret ?? '');
  return { present: fp.present, fingerprint: fp.fingerprint ?? null, length: fp.length };
}

function effectiveSecret(facts: ClusterFacts): string | undefined {
  return facts.config.state === 'ok' ? facts.config.settings.jwtSecret : undefined;
}

/** `jwt-secret-match`: the member verifies with the secret the host signs with. Compared, never shown. */
export function checkSecretMatch(host: ClusterFacts, member: ClusterFacts): Finding {
  const id = 'jwt-secret-match';
  const h = effectiveSecret(host);
  const m = effectiveSecret(member);
  const evidence = {
    host: secretFingerprint(h),
    member: secretFingerprint(m),
    ...(member.envOverrides.length > 0 ? { memberEnvOverrides: member.envOverrides } : {}),
  };
  const args = {
    hostFp: evidence.host.fingerprint,
    memberFp: evidence.member.fingerprint,
    hostLength: evidence.host.length,
    memberLength: evidence.member.length,
    env: member.envOverrides.join(', '),
    // 3.0 starts with an empty jwtSecret (and rejects every token); 3.1+ and 4.x refuse to start.
    emptyCrashes: emptySecretCrashes(member.version),
  };
  if (!h) return { id, status: 'skip', code: 'host-secret-unknown', args, evidence };
  if (!m) return { id, status: 'fail', code: 'member-secret-empty', args, evidence };
  if (h !== m) return { id, status: 'fail', code: 'secret-mismatch', args, evidence };
  if (member.envOverrides.length > 0)
    return { id, status: 'warn', code: 'secret-env-override', args, evidence };
  return { id, status: 'pass', code: 'secret-match', args, evidence };
}

/**
 * `jwt-secret-durable` (3.x): ks-installer re-renders kubesphere-config from the ClusterConfiguration and
 * kubesphere-secret on every run, so the ConfigMap alone is not the truth.
 */
export function checkSecretDurable(
  host: ClusterFacts,
  member: ClusterFacts,
  joined?: JoinedCluster,
): Finding {
  const id = 'jwt-secret-durable';
  if (member.family === '4.x' || (member.layout === 'v4' && !member.clusterConfiguration)) {
    return checkResync4x(effectiveSecret(host), effectiveSecret(member), joined);
  }
  const cc = member.clusterConfiguration;
  // Not readable is not absent: durability is unknown (a warning, as for kubesphere-secret), with the check to run.
  if (!cc && member.clusterConfigurationUnreadable)
    return {
      id,
      status: 'warn',
      code: 'durable-cc-unreadable',
      args: { ...member.clusterConfigurationUnreadable },
    };
  if (!cc) return { id, status: 'warn', code: 'durable-no-cc', args: {} };
  const hostSecret = effectiveSecret(host);
  const problems: string[] = [];
  // The installer takes the CC's jwtSecret when it has one, else kubesphere-secret's.
  const rendered = cc.jwtSecret ?? member.installerSecret;
  if (rendered !== undefined && hostSecret !== undefined && rendered !== hostSecret) {
    problems.push(cc.jwtSecret ? 'cc-secret' : 'kubesphere-secret');
  } else if (
    cc.jwtSecret &&
    member.installerSecret !== undefined &&
    member.installerSecret !== cc.jwtSecret &&
    hostSecret === cc.jwtSecret
  ) {
    // Harmless today (the installer rewrites the Secret from the CC), but a CC without jwtSecret would revert.
    problems.push('kubesphere-secret-stale');
  }
  if (cc.clusterRole !== 'member') problems.push('cc-role');
  // 3.1 renders the CC's oauthOptions and no 0 for members; elsewhere the member's 0 wins (ccMaxAgeRule).
  if (ccMaxAgeNeedsZero(member)) problems.push('cc-max-age');
  const evidence = {
    clusterConfiguration: {
      jwtSecret: secretFingerprint(cc.jwtSecret),
      clusterRole: cc.clusterRole ?? null,
      accessTokenMaxAge: cc.accessTokenMaxAge?.raw ?? null,
    },
    kubesphereSecret: secretFingerprint(member.installerSecret),
  };
  if (problems.length === 0 && member.installerSecretUnreadable && !cc.jwtSecret) {
    // Without the CC's own jwtSecret, the installer renders kubesphere-secret's, which we could not read.
    const args = member.installerSecretHint ? { hint: member.installerSecretHint } : {};
    return { id, status: 'warn', code: 'durable-secret-unreadable', args, evidence };
  }
  if (problems.length === 0) return { id, status: 'pass', code: 'durable-ok', args: {}, evidence };
  const onlyStale = problems.length === 1 && problems[0] === 'kubesphere-secret-stale';
  return {
    id,
    status: onlyStale ? 'warn' : 'fail',
    code: 'durable-drift',
    args: {
      problems: problems.join(','),
      ccRole: cc.clusterRole ?? null,
      ccMaxAge: cc.accessTokenMaxAge?.raw ?? null,
    },
    evidence,
  };
}

/**
 * 4.x: no installer re-renders the file, and the host injects its jwtSecret only when its cluster controller
 * (re)installs ks-core on the member: when KSCoreReady is not True or the hash of the Cluster's spec.config differs
 * from annotation kubesphere.io/config-hash (kubesphere v4.1.3 pkg/controller/cluster/cluster_controller.go
 * reconcileMemberCluster, helper.go installKSCoreInMemberCluster). A member that drifted later stays drifted.
 */
function checkResync4x(
  hostSecret: string | undefined,
  memberSecret: string | undefined,
  joined: JoinedCluster | undefined,
): Finding {
  const id = 'jwt-secret-durable';
  if (hostSecret === undefined || memberSecret === hostSecret) {
    return { id, status: 'skip', code: 'durable-not-applicable', args: {} };
  }
  const ksCoreReady = joined?.conditions.find((c) => c.type === 'KSCoreReady')?.status ?? null;
  const configHash = joined?.configHash ?? null;
  const pending = joined
    ? ksCoreReady !== 'True'
      ? 'ks-core-not-ready'
      : configHash !== 'match'
        ? 'config-changed'
        : null
    : null;
  const args = {
    cluster: joined?.name ?? null,
    selfHeal: false,
    resync: pending ? 'pending' : joined ? 'none' : 'unknown',
    trigger: pending,
    ksCoreReady,
    configHash,
  };
  // JSON shows the evidence; the upstream re-sync is a reinstall of ks-core on the member (a Helm upgrade).
  const evidence = { ...args, upstreamResync: 'reinstall-ks-core' };
  if (pending) return { id, status: 'warn', code: 'ks-core-resync-pending', args, evidence };
  return { id, status: 'warn', code: 'ks-core-no-self-heal', args, evidence };
}
