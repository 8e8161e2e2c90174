import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogStore } from './logs.js';
import type { ClusterStore } from './store.js';
import type { ResourceType } from './types.js';

/** What every handler of one simulated API server shares. */
export interface ServerContext {
  name: string;
  store: ClusterStore;
  logs: LogStore;
  kubernetesVersion: string;
  now: () => Date;
  /** Open watch and log-follow responses, ended when the server closes. */
  streams: Set<ServerResponse>;
}

/** One request for a registered resource type, after routing and authorization. */
export interface ResourceRequest {
  type: ResourceType;
  /** store key: 'configmaps', 'deployments.apps' */
  res: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  req: IncomingMessage;
  res_: ServerResponse;
}

/** `fieldManager`, else the User-Agent's product name, as the apiserver defaults it. */
export function fieldManager(r: ResourceRequest): string {
  const explicit = r.query.get('fieldManager');
  if (explicit) return explicit;
  const ua = r.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]!.slice(0, 128) || 'unknown';
}

export function isDryRun(r: ResourceRequest): boolean {
  return r.query.getAll('dryRun').includes('All');
}
