import yaml from 'js-yaml';

export interface KubeconfigEntry {
  /** Context, cluster and user name. */
  name: string;
  server: string;
  caCertPem: string;
  token: string;
}

/** A kubeconfig with one context per entry, each with its own cluster and user of the same name. */
export function buildKubeconfig(entries: KubeconfigEntry[], currentContext: string): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: {
        server: e.server,
        'certificate-authority-data': Buffer.from(e.caCertPem).toString('base64'),
      },
    })),
    users: entries.map((e) => ({ name: e.name, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: e.name } })),
    'current-context': currentContext,
  };
  return yaml.dump(doc, { noArrayIndent: true, lineWidth: -1 });
}

/** The kubeconfig a user pastes into "Add Cluster" (direct connection): the member's admin credentials. */
export function memberKubeconfig(server: string, caCertPem: string, token: string): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cluster.local',
        cluster: { server, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') },
      },
    ],
    contexts: [
      {
        name: 'kubernetes-admin@cluster.local',
        context: { cluster: 'cluster.local', user: 'kubernetes-admin' },
      },
    ],
    'current-context': 'kubernetes-admin@cluster.local',
    users: [{ name: 'kubernetes-admin', user: { token } }],
  };
  return yaml.dump(doc, { noArrayIndent: true, lineWidth: -1 });
}

/**
 * The kubeconfig tower issues for a proxy member (certs.IssueKubeConfig): the in-cluster proxy service address,
 * tower's CA, and a `kubernetes-admin` client certificate in system:masters.
 */
export function towerKubeconfig(
  clusterName: string,
  server: string,
  pki: { caCertPem: string; clientCertPem: string; clientKeyPem: string },
): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const context = `kubernetes-admin@${clusterName}`;
  const doc = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(pki.caCertPem), server }, name: clusterName }],
    contexts: [{ context: { cluster: clusterName, user: 'kubernetes-admin' }, name: context }],
    'current-context': context,
    kind: 'Config',
    preferences: {},
    users: [
      {
        name: 'kubernetes-admin',
        user: {
          'client-certificate-data': b64(pki.clientCertPem),
          'client-key-data': b64(pki.clientKeyPem),
        },
      },
    ],
  };
  return yaml.dump(doc, { noArrayIndent: true, lineWidth: -1 });
}
