import type { JoinedCluster } from '../cluster/discovery.js';
import type { Finding } from './report.js';

/** `host-cluster-status`: the member as the host sees it, from its Cluster object's conditions. */
export function checkHostClusterStatus(joined: JoinedCluster | undefined): Finding {
  const id = 'host-cluster-status';
  if (!joined) return { id, status: 'skip', code: 'not-joined', args: {} };
  const cond = (type: string) => joined.conditions.find((c) => c.type === type);
  const evidence = {
    cluster: joined.name,
    connection: joined.connection,
    kubesphereVersion: joined.kubesphereVersion ?? null,
    conditions: joined.conditions.map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
    })),
  };
  const args = {
    cluster: joined.name,
    version: joined.kubesphereVersion ?? null,
    connection: joined.connection,
  };
  const notTrue = ['Ready', 'AgentAvailable', 'KSCoreReady'].filter(
    (t) => cond(t) && cond(t)!.status !== 'True',
  );
  if (notTrue.length > 0) {
    return {
      id,
      status: 'fail',
      code: 'host-sees-not-ready',
      args: { ...args, conditions: notTrue.join(', '), message: cond(notTrue[0]!)?.message ?? null },
      evidence,
    };
  }
  if (cond('KubeConfigCertExpiresInSevenDays')?.status === 'True') {
    return { id, status: 'warn', code: 'host-sees-cert-expiring', args, evidence };
  }
  return { id, status: 'pass', code: 'host-sees-ready', args, evidence };
}
