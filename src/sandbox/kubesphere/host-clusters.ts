import { randomBytes, randomUUID } from 'node:crypto';
import type { ClusterStore, KubeObject } from '../apiserver/store.js';
import { kubeTime } from '../apiserver/types.js';
import type { SimClock } from './clock.js';
import { memberKubeconfig } from './kubeconfig.js';
import { versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

export interface JoinedCluster {
  name: string;
  version: KsVersion;
  url: string;
  caCertPem: string;
  adminToken: string;
  kubeSystemUid: string;
  nodeCount: number;
}

const DAY = 86_400_000;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function conditions(hostVersion: KsVersion, at: string, host: boolean): Record<string, unknown>[] {
  const c = (type: string, reason: string, message: string, status = 'True') => ({
    type,
    status,
    lastUpdateTime: at,
    lastTransitionTime: at,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  });
  if (hostVersion === '4.1') {
    return [
      c('Ready', 'Ready', 'Cluster is available now'),
      c('KSCoreReady', 'KSCoreReady', 'KS Core is available now'),
      ...(host
        ? []
        : [c('KubeConfigCertExpiresInSevenDays', 'KubeConfigCertExpiresInSevenDays', '', 'False')]),
    ];
  }
  const out = [
    ...(hostVersion === '3.0' ? [c('Initialized', 'Initialized', 'Cluster has been initialized')] : []),
    c('Federated', '', 'Cluster has joined federation control plane successfully'),
    c('Ready', 'Ready', 'Cluster is available now'),
  ];
  // The expiry condition is skipped for the host cluster (updateKubeConfigExpirationDateCondition).
  if (!host && (hostVersion === '3.3' || hostVersion === '3.4')) {
    out.push(c('KubeConfigCertExpiresInSevenDays', 'KubeConfigCertExpiresInSevenDays', '', 'False'));
  }
  return out;
}

/**
 * The host's Cluster objects: itself (created by its cluster controller, label cluster-role.kubesphere.io/host)
 * and each member joined with a direct connection, spec.connection.kubeconfig holding the member's real
 * kubeconfig (admin credentials) for its sandbox API server.
 */
export function seedClusterObjects(
  store: ClusterStore,
  clock: SimClock,
  hostVersion: KsVersion,
  host: JoinedCluster,
  members: JoinedCluster[],
): void {
  const installed = clock.ago(30 * DAY);
  const put = (obj: KubeObject, at: Date): void => {
    clock.at(at, () =>
      store.create(
        { ...obj, metadata: { ...obj.metadata, creationTimestamp: kubeTime(at) } },
        { fieldManager: 'controller-manager' },
      ),
    );
  };
  const v3 = hostVersion !== '4.1';
  const status = (c: JoinedCluster, at: string, isHost: boolean) => ({
    conditions: conditions(hostVersion, at, isHost),
    ...(v3
      ? { configz: { multicluster: isHost, monitoring: true, ...(isHost ? {} : { alerting: false }) } }
      : {}),
    kubeSphereVersion: versionInfo(c.version).release,
    kubernetesVersion: versionInfo(c.version).kubernetesVersion,
    nodeCount: c.nodeCount,
    uid: c.kubeSystemUid,
  });
  const spec = (kubeconfig: string, endpoint?: string) => ({
    connection: {
      type: 'direct',
      kubeconfig: b64(kubeconfig),
      ...(endpoint ? { kubernetesAPIEndpoint: endpoint } : {}),
    },
    ...(v3 ? { enable: true, joinFederation: true } : {}),
    provider: 'kubesphere',
  });
  const inCluster = memberKubeconfig(
    'https://10.233.0.1:443',
    host.caCertPem,
    `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}`,
  );
  put(
    {
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: {
        name: 'host',
        labels: { 'cluster-role.kubesphere.io/host': '', 'kubesphere.io/managed': 'true' },
        annotations: {
          'kubesphere.io/description':
            'The description was created by KubeSphere automatically. It is recommended that you use the Host Cluster to manage clusters only and deploy workloads on Member Clusters.',
          ...(v3 ? {} : { 'kubesphere.io/creator': 'admin' }),
        },
        finalizers: ['finalizer.cluster.kubesphere.io'],
      },
      spec: spec(inCluster, 'https://10.233.0.1:443'),
      status: status(host, kubeTime(installed), true),
    },
    installed,
  );
  members.forEach((m, i) => {
    const joined = clock.ago((20 - Math.min(i, 10)) * DAY);
    put(
      {
        apiVersion: 'cluster.kubesphere.io/v1alpha1',
        kind: 'Cluster',
        metadata: {
          name: m.name,
          labels: { 'cluster.kubesphere.io/group': 'production', 'kubesphere.io/managed': 'true' },
          annotations: { 'kubesphere.io/creator': 'admin' },
          finalizers: ['finalizer.cluster.kubesphere.io'],
        },
        spec: spec(memberKubeconfig(m.url, m.caCertPem, m.adminToken), m.url),
        status: status(m, kubeTime(joined), false),
      },
      joined,
    );
  });
}

export const newUid = (): string => randomUUID();
