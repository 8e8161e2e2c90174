import { retryOnConflict } from '../cluster-api.js';
import type { ClusterApi, KubeObject } from '../cluster-api.js';
import { kubeTime } from '../apiserver/types.js';
import type { KsVersion } from './versions.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const CC = 'clusterconfigurations.installer.kubesphere.io';
export const DEVOPS_NS = 'kubesphere-devops-system';
export const DEVOPS_CONFIG = 'devops-config';

/** ks-installer 3.2+ installs ks-devops with a copy of kubesphere-secret (3.0/3.1 have no such copy). */
export const devopsCopies = (v: KsVersion): boolean => v === '3.2' || v === '3.3' || v === '3.4';

/**
 * ConfigMap kubesphere-devops-system/devops-config as the ks-devops chart renders it (templates/config.yaml of
 * ks-devops-0.1.9/0.1.19/0.2.2 in ks-installer v3.2.1/v3.3.2/v3.4.1 roles/ks-devops/files), with
 * `authentication.jwtSecret` from the values ks-installer passes (templates/ks-devops-values.yaml.j2).
 */
export function devopsConfigMap(jwtSecret: string): KubeObject {
  const text = [
    'authentication:',
    '  authenticateRateLimiterMaxTries: 10',
    '  authenticateRateLimiterDuration: 10m0s',
    '  loginHistoryRetentionPeriod: 168h',
    '  maximumClockSkew: 10s',
    `  jwtSecret: ${JSON.stringify(jwtSecret)}`,
    '',
    'ldap:',
    '  host: openldap.kubesphere-system.svc:389',
    '  managerDN: cn=admin,dc=kubesphere,dc=io',
    '  managerPassword: admin',
    '  userSearchBase: ou=Users,dc=kubesphere,dc=io',
    '  groupSearchBase: ou=Groups,dc=kubesphere,dc=io',
    '',
    'devops:',
    '  host: http://devops-jenkins.kubesphere-devops-system',
    '  username: admin',
    '  maxConnections: 100',
    '  namespace: kubesphere-devops-system',
    '  workerNamespace: kubesphere-devops-worker',
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: DEVOPS_CONFIG,
      namespace: DEVOPS_NS,
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'devops', 'meta.helm.sh/release-namespace': DEVOPS_NS },
    },
    data: { 'kubesphere.yaml': text },
  };
}

/** The ClusterConfiguration of a cluster with DevOps installed: spec.devops.enabled and the role's status patch. */
export function withDevops(cc: KubeObject, enabledTime: string): KubeObject {
  const spec = obj(cc.spec);
  return {
    ...cc,
    spec: { ...spec, devops: { ...obj(spec.devops), enabled: true } },
    status: {
      ...obj(cc.status),
      devops: { status: 'enabled', enabledTime: enabledTime.replace('T', ' ').replace('Z', '') },
    },
  };
}

export const devopsNamespace = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: DEVOPS_NS },
});

/**
 * ks-installer's playbooks/devops.yaml: roles/ks-devops runs only when DevOps is enabled and the CC's
 * status.devops.status is not "enabled"; it Helm-upgrades release `devops` with kubesphere-secret's value (the
 * `jwtSecret` of this installer run) and patches status.devops. Any other run leaves the copy as it is.
 */
export async function runDevopsRole(
  api: ClusterApi,
  version: KsVersion,
  jwtSecret: string,
  now: () => Date,
): Promise<void> {
  const cc = api.get(CC, 'kubesphere-system', 'ks-installer');
  if (!cc || !devopsCopies(version) || obj(obj(cc.spec).devops).enabled !== true) return;
  if (obj(obj(cc.status).devops).status === 'enabled') return;
  if (!api.get('namespaces', undefined, DEVOPS_NS))
    await api.create(devopsNamespace(), { fieldManager: 'helm' });
  const desired = devopsConfigMap(jwtSecret);
  await retryOnConflict(async () => {
    const current = api.get('configmaps', DEVOPS_NS, DEVOPS_CONFIG);
    if (!current) await api.create(desired, { fieldManager: 'helm' });
    else await api.update({ ...current, data: desired.data }, { fieldManager: 'helm' });
  });
  await retryOnConflict(async () => {
    const latest = api.get(CC, 'kubesphere-system', 'ks-installer') ?? cc;
    await api.update(withDevops(latest, kubeTime(now())), { fieldManager: 'kubectl-patch' });
  });
}
