import { randomBytes, randomUUID } from 'node:crypto';
import type { KubeObject } from '../apiserver/store.js';
import { kubeTime } from '../apiserver/types.js';
import type { SimClock } from './clock.js';
import { clusterConditions } from './cluster-conditions.js';
import { CONFIG_HASH, configHash } from './ks-core-controller.js';
import { memberKubeconfig } from './kubeconfig.js';
import { towerConnection } from './tower.js';
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
  connection: 'direct' | 'proxy';
  /** The controller's last sync could not connect: Ready False. */
  unreachable: boolean;
}

const DAY = 86_400_000;
const MIN = 60_000;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * `put` creates an object as the host's controllers did at `at` (the embedded store backdates it; a real API
 * server stamps it now). Returns the Kubernetes API address the host dials for each member. The host's Cluster objects: itself (created by its cluster controller, label cluster-role.kubesphere.io/host)
 * and each member: direct ones with spec.connection.kubeconfig holding the member's real kubeconfig (admin
 * credentials) for its sandbox API server; proxy ones as tower left them (an in-cluster service address).
 */
export function seedClusterObjects(
  put: (obj: KubeObject, at: Date) => void,
  clock: SimClock,
  hostVersion: KsVersion,
  host: JoinedCluster,
  members: JoinedCluster[],
): Map<string, string> {
  const endpoints = new Map<string, string>();
  const installed = clock.ago(30 * DAY);
  const v3 = hostVersion !== '4.1';
  const status = (c: JoinedCluster, at: string, isHost: boolean, server: string) => ({
    conditions: clusterConditions({
      hostVersion,
      at,
      failedAt: kubeTime(clock.ago(10 * MIN)),
      isHost,
      connection: c.connection,
      name: c.name,
      ...(c.unreachable ? { unreachable: server } : {}),
    }),
    ...(v3
      ? { configz: { multicluster: isHost, monitoring: true, ...(isHost ? {} : { alerting: false }) } }
      : {}),
    kubeSphereVersion: versionInfo(c.version).release,
    kubernetesVersion: versionInfo(c.version).kubernetesVersion,
    nodeCount: c.nodeCount,
    uid: c.kubeSystemUid,
  });
  const spec = (connection: Record<string, unknown>) => ({
    connection,
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
      spec: spec(direct(inCluster, 'https://10.233.0.1:443')),
      status: status(host, kubeTime(installed), true, 'https://10.233.0.1:443'),
    },
    installed,
  );
  members.forEach((m, i) => {
    const joined = clock.ago((20 - Math.min(i, 10)) * DAY);
    const proxy = m.connection === 'proxy' ? towerConnection(m.name) : undefined;
    if (proxy) put(proxy.service, joined);
    endpoints.set(m.name, proxy?.server ?? m.url);
    put(
      {
        apiVersion: 'cluster.kubesphere.io/v1alpha1',
        kind: 'Cluster',
        metadata: {
          name: m.name,
          labels: { 'cluster.kubesphere.io/group': 'production', 'kubesphere.io/managed': 'true' },
          // 4.1: setConfigHash after ks-core was installed on the member (no spec.config: the hash of nil).
          annotations: {
            'kubesphere.io/creator': 'admin',
            ...(v3 ? {} : { [CONFIG_HASH]: configHash(undefined) }),
          },
          finalizers: ['finalizer.cluster.kubesphere.io'],
        },
        spec: spec(proxy?.connection ?? direct(memberKubeconfig(m.url, m.caCertPem, m.adminToken), m.url)),
        status: status(m, kubeTime(joined), false, proxy?.server ?? m.url),
      },
      joined,
    );
  });
  return endpoints;
}

function direct(kubeconfig: string, endpoint: string): Record<string, unknown> {
  return { type: 'direct', kubeconfig: b64(kubeconfig), kubernetesAPIEndpoint: endpoint };
}

export const newUid = (): string => randomUUID();
