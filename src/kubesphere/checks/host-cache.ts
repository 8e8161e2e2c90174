import type { ClusterFacts } from '../cluster/facts.js';
import type { Finding } from './report.js';
import type { AuthLogSummary } from './logs.js';

/**
 * `host-cache`: several host ks-apiserver replicas without Redis each keep their own token cache, so the host
 * itself answers "token not found in cache" at random (kubesphere#4060). That is the user's symptom, so it
 * fails rather than warns; repairing a member cannot fix it.
 */
export function checkHostCache(host: ClusterFacts, hostLogs: AuthLogSummary | undefined): Finding {
  const id = 'host-cache';
  const unreadable = host.deploymentUnreadable;
  if (host.config.state === 'ok' && unreadable) {
    // The replicas are unknown, not absent: a failed read is an error, never a pass or a skip.
    const args = { message: unreadable.message, hint: unreadable.hint };
    return { id, status: 'error', code: 'deployment-unreadable', args };
  }
  if (host.config.state !== 'ok' || !host.deployment) {
    return { id, status: 'skip', code: 'skipped', args: { reason: 'config' } };
  }
  const cache = host.config.settings.cache;
  const replicas = host.deployment.replicas;
  const args = {
    replicas,
    cache: cache.type,
    hostCacheMisses: hostLogs?.kinds['cache-miss']?.count ?? 0,
  };
  // A host whose accessTokenMaxAge is 0 never looks a token up in its cache, shared or not.
  if (replicas > 1 && cache.type !== 'redis' && host.config.settings.accessTokenMaxAge.zero) {
    return { id, status: 'pass', code: 'host-cache-unused', args };
  }
  if (replicas > 1 && cache.type !== 'redis') {
    return {
      id,
      status: 'fail',
      code: 'host-cache-in-memory',
      args,
      evidence: { ...args, source: cache.source },
    };
  }
  return { id, status: 'pass', code: 'host-cache-ok', args };
}
