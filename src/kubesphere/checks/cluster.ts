import type { ClusterFacts } from '../cluster/facts.js';
import type { Finding } from './report.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { isFailure } from '../cluster/snapshot.js';

/** `reachable`: the API answered with our credentials. */
export function checkReachable(snap: ClusterSnapshot): Finding {
  if (snap.reachability.ok) {
    return {
      id: 'reachable',
      status: 'pass',
      code: 'reachable',
      args: { kubernetesVersion: snap.reachability.kubernetesVersion },
    };
  }
  const { failure } = snap.reachability;
  return {
    id: 'reachable',
    status: 'error',
    code: `unreachable-${failure.kind}`,
    args: { message: failure.message, hint: failure.hint },
  };
}

/** `kubesphere-config`: the ConfigMap exists and parses; reports version and layout. */
export function checkConfig(snap: ClusterSnapshot, facts: ClusterFacts): Finding {
  const id = 'kubesphere-config';
  const version = facts.version?.text ?? null;
  switch (facts.config.state) {
    case 'ok':
      return {
        id,
        status: 'pass',
        code: facts.config.duplicateKeys.length > 0 ? 'config-ok-duplicates' : 'config-ok',
        args: { version, layout: facts.layout, duplicates: facts.config.duplicateKeys.join(', ') },
        evidence: {
          kubesphereVersion: version,
          layout: facts.layout,
          ...(facts.config.duplicateKeys.length > 0 ? { duplicateKeys: facts.config.duplicateKeys } : {}),
        },
      };
    case 'missing-configmap':
      return { id, status: 'error', code: 'config-missing', args: {} };
    case 'missing-key':
      return { id, status: 'error', code: 'config-key-missing', args: {} };
    case 'unparseable':
      return { id, status: 'fail', code: 'config-unparseable', args: { reason: facts.config.reason } };
    case 'unreadable': {
      const f = isFailure(snap.configMap) ? snap.configMap.failure : undefined;
      return { id, status: 'error', code: 'config-unreadable', args: { message: f?.message, hint: f?.hint } };
    }
  }
}

/** `cluster-role`: the host says host, the member says member. */
export function checkRole(facts: ClusterFacts, expected: 'host' | 'member'): Finding {
  const id = 'cluster-role';
  const { value, source } = facts.role;
  const args = { role: value ?? null, source, expected };
  if (value === expected) return { id, status: 'pass', code: 'role-ok', args };
  // A 3.0–3.2 host without a ClusterConfiguration role still marks itself with multicluster.enable.
  if (value === undefined) return { id, status: 'warn', code: 'role-unknown', args };
  return { id, status: 'fail', code: expected === 'member' ? 'member-not-member' : 'host-not-host', args };
}

export function skipped(id: Finding['id'], reason: string): Finding {
  return { id, status: 'skip', code: 'skipped', args: { reason } };
}
