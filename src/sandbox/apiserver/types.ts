/** The shapes shared by the simulated API server, its store and the KubeSphere simulation built on top. */

/** A server-side Table column after NAME (`additionalPrinterColumns` for CRs, kubectl's own for built-ins). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceType {
  /** '' for the core group */
  group: string;
  version: string;
  /** plural, lower case: 'configmaps' */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** e.g. ['status', 'scale'] for deployments, ['log', 'status'] for pods */
  subresources?: string[];
  printerColumns?: PrinterColumn[];
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1?: unknown;
  subresource?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  resource: ResourceType;
}

/** `configmaps` for the core group, `<plural>.<group>` otherwise: the key ClusterStore methods take. */
export function resourceKey(t: Pick<ResourceType, 'group' | 'resource'>): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

/** `v1` for the core group, `<group>/<version>` otherwise. */
export function groupVersion(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** Kubernetes timestamps are RFC 3339 with whole seconds. */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
