import type { KubeObject, PrinterColumn, ResourceType } from '../apiserver/store.js';
import type { KsVersion } from './versions.js';

/**
 * Cluster (cluster.kubesphere.io/v1alpha1): cluster-scoped, no subresources (`subresources: {}`). Printer
 * columns from the CRD each release ships: ks-installer roles/common/files/ks-crds (v3.0.0, v3.1.1),
 * roles/ks-core/ks-core/files/ks-core/crds (v3.2.1–v3.4.1); kubesphere config/ks-core/charts/ks-crds (v4.1.3).
 */
export function clusterType(v: KsVersion): ResourceType {
  const columns: PrinterColumn[] =
    v === '4.1'
      ? [
          { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
          { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
        ]
      : [
          { name: 'Federated', type: 'boolean', jsonPath: '.spec.joinFederation' },
          { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
          { name: 'Active', type: 'boolean', jsonPath: '.spec.enable' },
          { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
        ];
  return {
    group: 'cluster.kubesphere.io',
    version: 'v1alpha1',
    resource: 'clusters',
    kind: 'Cluster',
    singular: 'cluster',
    namespaced: false,
    subresources: [],
    printerColumns: columns,
  };
}

/** ClusterConfiguration (installer.kubesphere.io/v1alpha1), ks-installer deploy/kubesphere-installer.yaml. */
export const CLUSTER_CONFIGURATION_TYPE: ResourceType = {
  group: 'installer.kubesphere.io',
  version: 'v1alpha1',
  resource: 'clusterconfigurations',
  kind: 'ClusterConfiguration',
  singular: 'clusterconfiguration',
  namespaced: true,
  shortNames: ['cc'],
  subresources: [],
  printerColumns: [],
};

const preserve = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** The CustomResourceDefinition object `kubectl get crd` lists for a type (schemas kept minimal). */
export function crdObject(t: ResourceType, created: string): KubeObject {
  const columns = (t.printerColumns ?? []).map((c) => ({ jsonPath: c.jsonPath, name: c.name, type: c.type }));
  const names = {
    kind: t.kind,
    listKind: `${t.kind}List`,
    plural: t.resource,
    singular: t.singular,
    ...(t.shortNames ? { shortNames: t.shortNames } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${t.resource}.${t.group}`, creationTimestamp: created },
    spec: {
      group: t.group,
      names,
      scope: t.namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: t.version,
          served: true,
          storage: true,
          ...(columns.length > 0 ? { additionalPrinterColumns: columns } : {}),
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: preserve, status: preserve } } },
          ...(t.kind === 'Cluster' ? { subresources: {} } : {}),
        },
      ],
      conversion: { strategy: 'None' },
    },
    status: {
      acceptedNames: names,
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: created,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: created,
        },
      ],
      storedVersions: [t.version],
    },
  };
}
