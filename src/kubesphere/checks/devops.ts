import type { ClusterFacts } from '../cluster/facts.js';
import { devopsCopySecret, devopsStatus } from '../cluster/devops.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { isFailure, present } from '../cluster/snapshot.js';
import type { Finding } from './report.js';
import { secretFingerprint } from './secret.js';

/**
 * `devops-jwt-secret` (3.2+ members with DevOps enabled): ks-devops verifies the console's tokens with its own copy
 * of the jwtSecret (ConfigMap kubesphere-devops-system/devops-config), which ks-installer writes only when its
 * ks-devops role runs — and playbooks/devops.yaml runs it only while the ClusterConfiguration's status.devops.status
 * is not "enabled" (ks-installer v3.2.1–v3.4.1). A fixed jwtSecret leaves the copy stale. Compared, never shown.
 * Undefined when the copy was not read (DevOps disabled, 3.0/3.1, 4.x).
 */
export function checkDevopsSecret(
  snap: ClusterSnapshot,
  member: ClusterFacts,
  host: ClusterFacts | undefined,
): Finding | undefined {
  const id = 'devops-jwt-secret';
  const read = snap.devopsConfig;
  if (read === undefined) return undefined;
  const cc = present(snap.clusterConfiguration);
  const status = devopsStatus(cc) ?? null;
  // While status.devops.status is "enabled", an installer run (the one repair's ClusterConfiguration edit starts
  // included) skips roles/ks-devops and leaves the copy as it is.
  const installerRefreshes = status !== 'enabled';
  if (isFailure(read)) {
    return {
      id,
      status: 'warn',
      code: 'devops-copy-unreadable',
      args: { message: read.failure.message, hint: read.failure.hint ?? null },
    };
  }
  if (read === null)
    return { id, status: 'skip', code: 'devops-copy-missing', args: { devopsStatus: status } };
  const copy = devopsCopySecret(read);
  const hostSecret = settings(host);
  const memberSecret = settings(member);
  const fps = {
    devopsConfig: secretFingerprint(copy),
    host: secretFingerprint(hostSecret),
    member: secretFingerprint(memberSecret),
    kubesphereSecret: secretFingerprint(member.installerSecret),
  };
  // The tokens that reach ks-devops from the host console are signed with the host's secret.
  const want = hostSecret ?? memberSecret;
  const args = {
    copyFp: fps.devopsConfig.fingerprint,
    wantFp: secretFingerprint(want).fingerprint,
    against: hostSecret !== undefined ? 'host' : 'member',
    matchesKubesphereSecret: copy !== undefined && copy === member.installerSecret,
    installerRefreshes,
    devopsStatus: status,
  };
  // JSON shows the evidence: the comparison is in it too.
  const evidence = {
    ...fps,
    against: args.against,
    matchesKubesphereSecret: args.matchesKubesphereSecret,
    installerRefreshes,
    devopsStatus: status,
  };
  if (copy === undefined) return { id, status: 'warn', code: 'devops-copy-unknown', args, evidence };
  if (want === undefined) return { id, status: 'skip', code: 'devops-nothing-to-compare', args, evidence };
  if (copy === want) return { id, status: 'pass', code: 'devops-secret-match', args, evidence };
  return { id, status: 'warn', code: 'devops-secret-stale', args, evidence };
}

function settings(facts: ClusterFacts | undefined): string | undefined {
  const s = facts?.config.state === 'ok' ? facts.config.settings.jwtSecret : undefined;
  return s === '' ? undefined : s;
}
