import type { ClusterFacts } from '../cluster/facts.js';
import type { Finding } from './report.js';

/** `access-token-max-age` on a member: must be zero, or it looks the host's tokens up in its own cache. */
export function checkMemberMaxAge(member: ClusterFacts): Finding {
  const id = 'access-token-max-age';
  if (member.config.state !== 'ok')
    return { id, status: 'skip', code: 'skipped', args: { reason: 'config' } };
  const m = member.config.settings.accessTokenMaxAge;
  const args = { value: m.present ? m.raw : null, path: m.path.join('.'), effective: m.effectiveText };
  if (m.zero) return { id, status: 'pass', code: 'max-age-zero', args };
  if (!m.valid) return { id, status: 'fail', code: 'max-age-invalid', args };
  return { id, status: 'fail', code: m.present ? 'max-age-nonzero' : 'max-age-default', args };
}

/** The host's accessTokenMaxAge at zero means its tokens never expire and logout revokes nothing. */
export function checkHostMaxAge(host: ClusterFacts): Finding | undefined {
  if (host.config.state !== 'ok') return undefined;
  const m = host.config.settings.accessTokenMaxAge;
  if (!m.zero) return undefined;
  return {
    id: 'access-token-max-age',
    status: 'warn',
    code: 'host-max-age-zero',
    args: { value: m.raw, path: m.path.join('.') },
  };
}
