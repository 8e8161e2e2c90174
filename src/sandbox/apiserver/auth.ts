import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './status.js';

export interface User {
  name: string;
  readOnly: boolean;
}

export interface Tokens {
  adminToken: string;
  readonlyToken: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Bearer-token authentication; undefined means 401. */
export function authenticate(req: IncomingMessage, tokens: Tokens): User | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  if (same(m[1]!, tokens.adminToken)) return { name: 'admin', readOnly: false };
  if (same(m[1]!, tokens.readonlyToken)) return { name: 'readonly', readOnly: true };
  return undefined;
}

export function unauthorized(): HttpError {
  return new HttpError(401, 'Unauthorized', 'Unauthorized');
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * What Kubernetes' built-in `view` ClusterRole grants (its aggregated `system:aggregate-to-view` rules, as
 * kube-apiserver 1.36 bootstraps them), by API group: reads of workloads, their status and logs, ConfigMaps
 * and namespaces. Not Secrets, not cluster-scoped objects such as nodes, CRDs or custom resources: the
 * real tier binds its read-only user to `view`, and the embedded server refuses the same requests.
 */
const VIEW: Record<string, ReadonlySet<string>> = {
  '': new Set([
    'bindings',
    'configmaps',
    'endpoints',
    'events',
    'limitranges',
    'namespaces',
    'namespaces/status',
    'persistentvolumeclaims',
    'persistentvolumeclaims/status',
    'pods',
    'pods/log',
    'pods/status',
    'replicationcontrollers',
    'replicationcontrollers/scale',
    'replicationcontrollers/status',
    'resourcequotas',
    'resourcequotas/status',
    'serviceaccounts',
    'services',
    'services/status',
  ]),
  apps: new Set([
    'controllerrevisions',
    'daemonsets',
    'daemonsets/status',
    'deployments',
    'deployments/scale',
    'deployments/status',
    'replicasets',
    'replicasets/scale',
    'replicasets/status',
    'statefulsets',
    'statefulsets/scale',
    'statefulsets/status',
  ]),
  batch: new Set(['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  'discovery.k8s.io': new Set(['endpointslices']),
  policy: new Set(['poddisruptionbudgets', 'poddisruptionbudgets/status']),
};

/** RBAC: the read-only user has `view` (reads, logs included, but no Secrets); everything else is Forbidden. */
export function authorize(user: User, a: Attributes): void {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!user.readOnly || (READ_VERBS.has(a.verb) && VIEW[a.group]?.has(resource))) return;
  const display = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${display} "${a.name}"` : display;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  throw new HttpError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    { name: a.name, group: a.group, kind: a.resource },
  );
}
