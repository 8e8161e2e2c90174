import type { ClusterFacts } from '../cluster/facts.js';
import type { Finding } from './report.js';

/** `access-token-max-age` on a member: must be zero, or it looks the host's tokens up in its own cache. */
export function checkMemberMaxAge(member: ClusterFacts): Finding {
  const id = 'access-token-max-age';
  if (member.config.state !== 'ok')
    return { id, status: 'skip', code: 'skipped', args: { reason: 'config' } };
  const m = member.config.settings.accessTokenMaxAge;
  const args = { value: m.present ? m.raw : null, path: m.path.join('.'), effective: m.effectiveText };
  if (m.zero) {
    // ks-installer v3.2.1 kubesphere-config.yaml.j2 renders a member's oauthOptions as `accessTokenMaxAge: 0`
    // alone, without `clients` (ks-installer#1932, kubesphere#4771): the host's console works, the member's own
    // login page does not. Worth knowing, not the failure diagnosed here.
    const v = member.version;
    if (
      v?.major === 3 &&
      v.minor === 2 &&
      member.config.settings.layout === 'v3' &&
      !member.config.settings.oauthClients
    )
      return { id, status: 'warn', code: 'max-age-zero-no-clients', args };
    return { id, status: 'pass', code: 'max-age-zero', args };
  }
  if (!m.valid) return { id, status: 'fail', code: 'max-age-invalid', args };
  return { id, status: 'fail', code: m.present ? 'max-age-nonzero' : 'max-age-default', args };
}

/**
 * The host's accessTokenMaxAge at zero means its tokens never expire and logout revokes nothing. On 3.3/3.4 that
 * is usually KubeSphere's own doing, not a user's: the host's cluster controller re-encodes its own
 * kubesphere.yaml to set `multicluster.clusterName` (cluster_controller.go setClusterNameInConfigMap), and
 * `oauth.Options.AccessTokenMaxAge` has no omitempty, so an oauthOptions with only `clients` comes out as `0s`.
 * The finding says so rather than blame the file; it has nothing to do with the console failing.
 */
export function checkHostMaxAge(host: ClusterFacts): Finding | undefined {
  if (host.config.state !== 'ok') return undefined;
  const settings = host.config.settings;
  const m = settings.accessTokenMaxAge;
  if (!m.zero) return undefined;
  const byController = host.family === '3.3-3.4' && settings.clusterName !== undefined && m.raw === '0s';
  return {
    id: 'access-token-max-age',
    status: 'warn',
    code: byController ? 'host-max-age-zero-upstream' : 'host-max-age-zero',
    args: { value: m.raw, path: m.path.join('.') },
  };
}
