import { randomBytes, randomInt } from 'node:crypto';
import type { KubeObject } from '../apiserver/store.js';
import { createClientPki } from '../pki.js';
import { towerKubeconfig } from './kubeconfig.js';

export interface TowerConnection {
  /** The `mc-<cluster>` Service tower creates in kubesphere-system on the host. */
  service: KubeObject;
  /** spec.connection of the proxy Cluster. */
  connection: Record<string, unknown>;
  /** The Kubernetes API address the host's controllers dial: only routable inside the host's network. */
  server: string;
}

// tower's proxy.go: per-cluster ports from [6000, 7000], KubeSphere's 10000 above; the Service exposes 6443/80.
const KUBERNETES_PORT = 6443;
const KUBESPHERE_PORT = 80;

/**
 * What tower's proxy writes for a member joined through it (kubesphere/tower pkg/proxy/proxy.go addCluster and
 * Update): a ClusterIP Service `mc-<name>`, the endpoints on its ClusterIP, a token for the agent, and a
 * kubeconfig it issued for that address.
 */
export function towerConnection(name: string): TowerConnection {
  // KubeKey's default service CIDR is 10.233.0.0/18.
  const clusterIP = `10.233.${randomInt(1, 64)}.${randomInt(1, 255)}`;
  const port = randomInt(6000, 7001);
  const server = `https://${clusterIP}:${KUBERNETES_PORT}`;
  const serviceName = `mc-${name}`;
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName,
      namespace: 'kubesphere-system',
      labels: { 'app.kubernetes.io/name': serviceName, app: serviceName },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      selector: { 'app.kubernetes.io/name': 'tower', app: 'tower' },
      ports: [
        { name: 'kubernetes', protocol: 'TCP', port: KUBERNETES_PORT, targetPort: port },
        { name: 'kubesphere', protocol: 'TCP', port: KUBESPHERE_PORT, targetPort: port + 10000 },
      ],
    },
  };
  const pki = createClientPki('tower', { commonName: 'kubernetes-admin', organization: 'system:masters' });
  const connection = {
    type: 'proxy',
    kubernetesAPIEndpoint: server,
    kubesphereAPIEndpoint: `http://${clusterIP}:${KUBESPHERE_PORT}`,
    kubeconfig: Buffer.from(towerKubeconfig(name, server, pki)).toString('base64'),
    token: randomBytes(32).toString('hex'),
    kubernetesAPIServerPort: port,
    kubesphereAPIServerPort: port + 10000,
  };
  return { service, connection, server };
}
