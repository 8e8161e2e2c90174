import type { ObjectJson } from './snapshot.js';
import yaml from 'js-yaml';
import { CONFIG_HASH_ANNOTATION, clusterConfigHash } from './config-hash.js';

/** A member as the host's `clusters.cluster.kubesphere.io` object describes it. Holds no credentials. */
export interface JoinedCluster {
  name: string;
  connection: 'direct' | 'proxy' | 'unknown';
  /** spec.connection.kubernetesAPIEndpoint */
  apiEndpoint: string | undefined;
  /** spec.connection.kubesphereAPIEndpoint */
  kubesphereEndpoint?: string | undefined;
  /** The server URL of the kubeconfig stored in the Cluster (only the URL is kept). */
  storedServer: string | undefined;
  kubesphereVersion: string | undefined;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
  /**
   * Whether annotation kubesphere.io/config-hash still matches the hash of `spec.config` (only the comparison is
   * kept): on 4.x a mismatch, like KSCoreReady not True, makes the host reinstall ks-core on the member.
   */
  configHash?: 'match' | 'differs' | 'absent';
}

const HOST_LABEL = 'cluster-role.kubesphere.io/host';

/** The host's Cluster objects, minus the host's own. */
export function joinedMembers(clusters: ObjectJson[]): JoinedCluster[] {
  return clusters
    .filter((c) => !(c.metadata.labels && HOST_LABEL in c.metadata.labels))
    .map((c) => {
      const spec = (
        c as {
          spec?: {
            connection?: {
              type?: string;
              kubernetesAPIEndpoint?: string;
              kubesphereAPIEndpoint?: string;
              kubeconfig?: string;
            };
            config?: string;
          };
        }
      ).spec;
      const status = (
        c as { status?: { kubeSphereVersion?: string; conditions?: JoinedCluster['conditions'] } }
      ).status;
      const type = spec?.connection?.type;
      return {
        name: c.metadata.name ?? '',
        connection: type === 'direct' || type === 'proxy' ? type : 'unknown',
        apiEndpoint: spec?.connection?.kubernetesAPIEndpoint || undefined,
        kubesphereEndpoint: spec?.connection?.kubesphereAPIEndpoint || undefined,
        storedServer: storedServer(spec?.connection?.kubeconfig),
        kubesphereVersion: status?.kubeSphereVersion,
        conditions: status?.conditions ?? [],
        configHash: configHashState(c, spec?.config),
      };
    });
}

/**
 * The host's Cluster for a member reached without discovery (`--member`): by its API server URL, else by a
 * Cluster named like the context. Undefined when the host's Clusters were not read or none matches.
 */
export function joinedFor(
  clusters: ObjectJson[] | undefined,
  server: string,
  context: string,
): JoinedCluster | undefined {
  if (!clusters) return undefined;
  const joined = joinedMembers(clusters);
  const url = normalizeServer(server);
  const byUrl = joined.find(
    (j) =>
      url !== undefined &&
      (normalizeServer(j.apiEndpoint) === url || normalizeServer(j.storedServer) === url),
  );
  return byUrl ?? joined.find((j) => j.name === context);
}

function configHashState(c: ObjectJson, config: string | undefined): JoinedCluster['configHash'] {
  const annotation = c.metadata.annotations?.[CONFIG_HASH_ANNOTATION];
  if (annotation === undefined) return 'absent';
  return annotation === clusterConfigHash(config) ? 'match' : 'differs';
}

/** Only the server URL is read from the stored kubeconfig; its credentials are not touched here. */
function storedServer(b64: string | undefined): string | undefined {
  if (!b64) return undefined;
  try {
    const doc = yaml.load(Buffer.from(b64, 'base64').toString('utf8')) as {
      clusters?: Array<{ cluster?: { server?: string } }>;
    };
    const server = doc?.clusters?.[0]?.cluster?.server;
    return typeof server === 'string' ? server : undefined;
  } catch {
    return undefined;
  }
}

export type DiscoveryMethod = 'flag' | 'server-url' | 'context-name' | 'host-credentials';

export interface MemberTarget {
  /** The Cluster name on the host, when known. */
  cluster: string | null;
  context: string | null;
  method: DiscoveryMethod | null;
  connection: JoinedCluster['connection'] | null;
  joined: JoinedCluster | undefined;
  /** Why no way in was found. */
  problem?: 'no-context' | 'proxy' | 'unknown-cluster';
}

export interface ContextRef {
  name: string;
  server?: string;
}

export interface TargetRequest {
  /** `--member ctx` or `--member name=ctx`, in order. */
  members: string[];
  /** `--cluster NAME` filters; empty means all. */
  clusters: string[];
  /** Discover every joined member, besides explicit ones (the default when no --member is given). */
  all: boolean;
  useHostCredentials: boolean;
  hostContext: string;
}

export function normalizeServer(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}

/**
 * Pure: which member clusters to look at and how to reach each, in this order: an explicit --member, a
 * kubeconfig context with the Cluster's API server URL, a context named like the Cluster, and only with
 * --use-host-credentials the kubeconfig stored in the Cluster (direct connections).
 */
export function planTargets(
  joined: JoinedCluster[],
  contexts: ContextRef[],
  req: TargetRequest,
): MemberTarget[] {
  // Each URL once: a fleet compares every joined cluster with every context (parsing each URL each time was
  // quadratic in members).
  const normalized = new Map<string | undefined, string | undefined>();
  const normalize = (url: string | undefined): string | undefined => {
    if (!normalized.has(url)) normalized.set(url, normalizeServer(url));
    return normalized.get(url);
  };
  const hostServer = normalize(contexts.find((c) => c.name === req.hostContext)?.server);
  const byName = new Map(joined.map((j) => [j.name, j]));
  const targets: MemberTarget[] = [];
  const taken = new Set<string>();
  const serverOf = (ctx: string) => normalize(contexts.find((c) => c.name === ctx)?.server);
  const matches = (j: JoinedCluster, server: string | undefined) =>
    server !== undefined && (normalize(j.apiEndpoint) === server || normalize(j.storedServer) === server);

  for (const raw of req.members) {
    const eq = raw.indexOf('=');
    const name = eq > 0 ? raw.slice(0, eq) : undefined;
    const context = eq > 0 ? raw.slice(eq + 1) : raw;
    const j =
      name !== undefined
        ? byName.get(name)
        : (joined.find((x) => matches(x, serverOf(context))) ?? byName.get(context));
    if (name !== undefined && !j) {
      targets.push({
        cluster: name,
        context,
        method: 'flag',
        connection: null,
        joined: undefined,
        problem: 'unknown-cluster',
      });
      continue;
    }
    targets.push({
      cluster: j?.name ?? null,
      context,
      method: 'flag',
      connection: j?.connection ?? null,
      joined: j,
    });
    if (j) taken.add(j.name);
  }
  if (!req.all) return targets;

  const wanted = req.clusters.length > 0 ? new Set(req.clusters) : undefined;
  for (const j of joined) {
    if (taken.has(j.name) || (wanted && !wanted.has(j.name))) continue;
    const endpoint = normalize(j.apiEndpoint) ?? normalize(j.storedServer);
    if (endpoint !== undefined && endpoint === hostServer) continue; // the host under another name
    const base = { cluster: j.name, connection: j.connection, joined: j };
    const byUrl = contexts.find((c) => c.name !== req.hostContext && matches(j, normalize(c.server)));
    if (byUrl) targets.push({ ...base, context: byUrl.name, method: 'server-url' });
    else if (contexts.some((c) => c.name === j.name && c.name !== req.hostContext)) {
      targets.push({ ...base, context: j.name, method: 'context-name' });
    } else if (req.useHostCredentials && j.connection === 'direct') {
      targets.push({ ...base, context: null, method: 'host-credentials' });
    } else {
      targets.push({
        ...base,
        context: null,
        method: null,
        problem: j.connection === 'proxy' ? 'proxy' : 'no-context',
      });
    }
  }
  return targets;
}

/**
 * The address a 4.x host proxies console requests for this member to, as its log names it (`host:`): the
 * Kubernetes API server's for a direct connection without a kubesphereAPIEndpoint, else the kubesphereAPIEndpoint's
 * (v4.1.3 pkg/apiserver/filters/multicluster.go). Undefined when the Cluster does not say.
 */
export function hostProxyAddress(joined: JoinedCluster | undefined): string | undefined {
  if (!joined) return undefined;
  const url =
    joined.connection === 'direct' && !joined.kubesphereEndpoint
      ? joined.apiEndpoint
      : joined.kubesphereEndpoint;
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}
