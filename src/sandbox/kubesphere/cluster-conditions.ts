import type { KsVersion } from './versions.js';

export interface ConditionInput {
  hostVersion: KsVersion;
  /** When the member last synced fine (join time), and when it stopped. */
  at: string;
  failedAt: string;
  isHost: boolean;
  connection: 'direct' | 'proxy';
  /** The server the controller dials, when it cannot (connection refused). */
  unreachable?: string;
  name: string;
}

type Condition = Record<string, unknown>;

/** client-go's error for a GET whose TCP connect was refused. */
const refused = (server: string, path: string): string =>
  `Get "${server}${path}": dial tcp ${new URL(server).host}: connect: connection refused`;

function condition(type: string, at: string, reason: string, message: string, status = 'True'): Condition {
  return {
    type,
    status,
    lastUpdateTime: at,
    lastTransitionTime: at,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** tower's proxy sets these on a proxy Cluster: Initialized when it allocates the service, AgentAvailable on connect. */
function towerConditions(i: ConditionInput): Condition[] {
  const agent = i.unreachable
    ? condition('AgentAvailable', i.failedAt, '', 'Agent has not connected to proxy.', 'False')
    : condition('AgentAvailable', i.at, '', 'Agent has connected to proxy successfully.');
  return [condition('Initialized', i.at, 'Initialized', 'Cluster has been initialized'), agent];
}

/**
 * A Cluster's status.conditions as the host's controllers leave them. The expiry condition is skipped for the
 * host and for proxy members (tower renews their certificates). A failed sync replaces its conditions in place
 * (updateClusterCondition appends the new one last) and leaves the others as the last good sync set them.
 */
export function clusterConditions(i: ConditionInput): Condition[] {
  const expiry =
    !i.isHost && i.connection === 'direct'
      ? [condition('KubeConfigCertExpiresInSevenDays', i.at, 'KubeConfigCertExpiresInSevenDays', '', 'False')]
      : [];
  const tower = i.connection === 'proxy' ? towerConditions(i) : [];
  if (i.hostVersion === '4.1') {
    // reconcileMemberCluster sets it after installing ks-core; the host's own Cluster is never reconciled as a member.
    const ksCore = i.isHost
      ? []
      : [condition('KSCoreReady', i.at, 'KSCoreReady', 'KS Core is available now')];
    // v4.1 updateClusterReadyCondition: reason stays "Ready", the error becomes the message.
    if (i.unreachable) {
      const err = refused(i.unreachable, '/api/v1/namespaces/kube-system');
      return [
        ...tower,
        ...ksCore,
        ...expiry,
        condition(
          'Ready',
          i.failedAt,
          'Ready',
          `failed to get kube-system namespace for ${i.name}: ${err}`,
          'False',
        ),
      ];
    }
    return [...tower, condition('Ready', i.at, 'Ready', 'Cluster is available now'), ...ksCore, ...expiry];
  }
  const initialized =
    i.hostVersion === '3.0' && i.connection === 'direct'
      ? [condition('Initialized', i.at, 'Initialized', 'Cluster has been initialized')]
      : [];
  const v33 = i.hostVersion === '3.3' || i.hostVersion === '3.4';
  if (i.unreachable) {
    // v3.x syncCluster: joining the federation is the first call to the member; its failure marks both.
    const err = refused(
      i.unreachable,
      `/api/v1/namespaces/kube-federation-system/serviceaccounts/${i.name}-kubesphere`,
    );
    return [
      ...initialized,
      ...tower,
      ...(v33 ? expiry : []),
      condition('Federated', i.failedAt, err, 'Cluster can not join federation control plane', 'False'),
      condition(
        'Ready',
        i.failedAt,
        'Cluster join federation control plane failed',
        'Cluster is Not Ready now',
        'False',
      ),
    ];
  }
  return [
    ...initialized,
    ...tower,
    condition('Federated', i.at, '', 'Cluster has joined federation control plane successfully'),
    condition('Ready', i.at, 'Ready', 'Cluster is available now'),
    ...(v33 ? expiry : []),
  ];
}
