/**
 * The narrow view of a cluster that diagnose and repair use: src/kube/ implements it over HTTPS, the domain
 * only imports its types. Reads return `undefined` for a missing object.
 */
export type { ClusterClient as ClusterReader } from '../../kube/types.js';

export interface CustomRef {
  group: string;
  version: string;
  plural: string;
}

export const CLUSTER_CONFIGURATION: CustomRef = {
  group: 'installer.kubesphere.io',
  version: 'v1alpha1',
  plural: 'clusterconfigurations',
};

export const KS_CLUSTER: CustomRef = {
  group: 'cluster.kubesphere.io',
  version: 'v1alpha1',
  plural: 'clusters',
};

export const KS_NAMESPACE = 'kubesphere-system';
export const KS_CONFIGMAP = 'kubesphere-config';
export const KS_CONFIG_KEY = 'kubesphere.yaml';
export const KS_SECRET = 'kubesphere-secret';
export const KS_INSTALLER = 'ks-installer';
/** ks-devops' Helm values copy kubesphere-secret into this ConfigMap (ks-installer roles/ks-devops, 3.2+). */
export const DEVOPS_NAMESPACE = 'kubesphere-devops-system';
export const DEVOPS_CONFIGMAP = 'devops-config';
