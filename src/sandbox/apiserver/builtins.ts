import type { ClusterStore } from './store.js';
import type { PrinterColumn, ResourceType } from './types.js';

const col = (
  name: string,
  type: string,
  jsonPath: string,
  priority = 0,
  description?: string,
): PrinterColumn => ({
  name,
  type,
  jsonPath,
  ...(priority ? { priority } : {}),
  ...(description ? { description } : {}),
});

const AGE = col('Age', 'string', '.metadata.creationTimestamp');

/**
 * The built-in types a KubeSphere cluster needs, with the Table columns a real API server prints for them
 * (pkg/printers/internalversion). Cells for these are computed in table-builtins.ts, not from jsonPath.
 */
export const BUILTIN_TYPES: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    printerColumns: [col('Status', 'string', '.status.phase'), AGE],
  },
  {
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    printerColumns: [col('Data', 'string', '.data'), AGE],
  },
  {
    group: '',
    version: 'v1',
    resource: 'secrets',
    kind: 'Secret',
    singular: 'secret',
    namespaced: true,
    printerColumns: [col('Type', 'string', '.type'), col('Data', 'string', '.data'), AGE],
  },
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['log', 'status'],
    printerColumns: [
      col('Ready', 'string', '.status.containerStatuses'),
      col('Status', 'string', '.status.phase'),
      col('Restarts', 'string', '.status.containerStatuses'),
      AGE,
      col('IP', 'string', '.status.podIP', 1),
      col('Node', 'string', '.spec.nodeName', 1),
      col('Nominated Node', 'string', '.status.nominatedNodeName', 1),
      col('Readiness Gates', 'string', '.spec.readinessGates', 1),
    ],
  },
  {
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    printerColumns: [
      col('Type', 'string', '.spec.type'),
      col('Cluster-IP', 'string', '.spec.clusterIP'),
      col('External-IP', 'string', '.status.loadBalancer'),
      col('Port(s)', 'string', '.spec.ports'),
      AGE,
      col('Selector', 'string', '.spec.selector', 1),
    ],
  },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    printerColumns: [col('Secrets', 'string', '.secrets'), AGE],
  },
  {
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    printerColumns: [
      col('Last Seen', 'string', '.lastTimestamp'),
      col('Type', 'string', '.type'),
      col('Reason', 'string', '.reason'),
      col('Object', 'string', '.involvedObject'),
      col('Message', 'string', '.message'),
    ],
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    printerColumns: [
      col('Status', 'string', '.status.conditions'),
      col('Roles', 'string', '.metadata.labels'),
      AGE,
      col('Version', 'string', '.status.nodeInfo.kubeletVersion'),
      col('Internal-IP', 'string', '.status.addresses', 1),
      col('External-IP', 'string', '.status.addresses', 1),
      col('OS-Image', 'string', '.status.nodeInfo.osImage', 1),
      col('Kernel-Version', 'string', '.status.nodeInfo.kernelVersion', 1),
      col('Container-Runtime', 'string', '.status.nodeInfo.containerRuntimeVersion', 1),
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    printerColumns: [
      col('Ready', 'string', '.status.readyReplicas'),
      col('Up-to-date', 'integer', '.status.updatedReplicas'),
      col('Available', 'integer', '.status.availableReplicas'),
      AGE,
      col('Containers', 'string', '.spec.template.spec.containers', 1),
      col('Images', 'string', '.spec.template.spec.containers', 1),
      col('Selector', 'string', '.spec.selector', 1),
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    printerColumns: [
      col('Desired', 'integer', '.spec.replicas'),
      col('Current', 'integer', '.status.replicas'),
      col('Ready', 'integer', '.status.readyReplicas'),
      AGE,
      col('Containers', 'string', '.spec.template.spec.containers', 1),
      col('Images', 'string', '.spec.template.spec.containers', 1),
      col('Selector', 'string', '.spec.selector', 1),
    ],
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    singular: 'customresourcedefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
    printerColumns: [
      // A real server prints the timestamp itself here, not an age.
      col('Created At', 'string', '.metadata.creationTimestamp'),
    ],
  },
];

/** Built-in groups: their Table cells come from code; other types use printerColumns' jsonPath. */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set(['', 'apps']);

export function registerBuiltinTypes(store: ClusterStore): void {
  for (const t of BUILTIN_TYPES) store.registerType(t);
}
