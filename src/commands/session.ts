import { readFileSync } from 'node:fs';
import type { KubeConfig } from '../kube/client-node.js';
import { UsageError } from '../errors.js';
import { openCluster } from '../kube/client.js';
import { kubeconfigFromText, loadKubeconfig, type LoadedKubeconfig } from '../kube/kubeconfig.js';
import { isResourceTypeMissing } from '../kube/types.js';
import { joinedMembers, planTargets, type MemberTarget } from '../kubesphere/cluster/discovery.js';
import { DEFAULT_CONCURRENCY } from '../kubesphere/checks/concurrency.js';
import type { MemberSource } from '../kubesphere/checks/diagnosis.js';
import type { MemberReport } from '../kubesphere/checks/report.js';
import { KS_CLUSTER, type ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import { programName, shellWord } from '../output/program.js';
import { positiveIntFlag, requestTimeoutFlag } from './options.js';

export interface SessionFlags {
  host?: unknown;
  /** kubectl's name for it: an alias of --host. */
  context?: unknown;
  member?: unknown;
  kubeconfig?: unknown;
  requestTimeout?: unknown;
  allMembers?: unknown;
  cluster?: unknown;
  useHostCredentials?: unknown;
  concurrency?: unknown;
}

export interface Session {
  kubeconfig: LoadedKubeconfig;
  host: ClusterReader;
  members: MemberSource[];
  /** Fleet mode: members were discovered from the host's Cluster objects. */
  discovered: boolean;
  concurrency: number;
  requestTimeoutMs: number;
  /**
   * The shell words of one `ks-restore repair` that repairs exactly these members, repeating `--host` and
   * `--kubeconfig`: `--member CONTEXT` for each one a context reaches, `--cluster NAME` (with
   * `--use-host-credentials`) for one reached through the kubeconfig the host stores.
   */
  repairWords(members: Array<Pick<MemberReport, 'context' | 'name' | 'discovery'>>): string[];
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * Loads the kubeconfig as kubectl does, validates every named context up front, and finds the members: the
 * --member contexts, or (fleet mode) every member the host has joined, each reached by the first way that works.
 */
export async function openSession(flags: SessionFlags, env: NodeJS.ProcessEnv): Promise<Session> {
  const requestTimeoutMs = requestTimeoutFlag(flags.requestTimeout);
  const concurrency =
    flags.concurrency === undefined
      ? DEFAULT_CONCURRENCY
      : positiveIntFlag('--concurrency', flags.concurrency);
  const kubeconfigPath = typeof flags.kubeconfig === 'string' ? flags.kubeconfig : undefined;
  const kubeconfig = await loadKubeconfig({ ...(kubeconfigPath ? { kubeconfigPath } : {}), env });
  const contextNames = kubeconfig.contexts.map((c) => c.name);
  const hostFlag = hostContextFlag(flags);
  const hostName = hostFlag ?? kubeconfig.currentContext;
  if (!hostName) {
    throw new UsageError(
      `no --host given and the kubeconfig (${kubeconfig.files.join(', ')}) has no current context.`,
      `Name the host cluster's context: --host CONTEXT (contexts: ${contextNames.join(', ') || 'none'}).`,
    );
  }
  const memberFlags = strings(flags.member);
  const clusterFilter = strings(flags.cluster);
  for (const m of memberFlags) {
    const context = m.includes('=') ? m.slice(m.indexOf('=') + 1) : m;
    if (context === hostName) {
      throw new UsageError(
        `--member ${m} is the host context.`,
        'A member must be a different cluster from the host: check --host and --member.',
      );
    }
    kubeconfig.forContext(context); // unknown context: a usage error that lists the ones that exist
    const same = sameApiServer(kubeconfig, hostName, context);
    if (same) {
      throw new UsageError(
        `--member ${m} reaches the same API server as the host context "${hostName}" (${same}): a member must be a different cluster from the host.`,
        'Check --host and --member (kubectl config get-contexts shows the cluster behind each context).',
      );
    }
  }
  const open = (name: string): ClusterReader => openCluster(kubeconfig, name, { requestTimeoutMs });
  const host = open(hostName);
  const all = Boolean(flags.allMembers) || memberFlags.length === 0 || clusterFilter.length > 0;
  const useHostCredentials = Boolean(flags.useHostCredentials);

  let members: MemberSource[];
  if (!all) {
    members = [...new Set(memberFlags)].map((m) => {
      const context = m.includes('=') ? m.slice(m.indexOf('=') + 1) : m;
      const cluster = m.includes('=') ? m.slice(0, m.indexOf('=')) : null;
      return {
        reader: open(context),
        target: { cluster, context, method: 'flag', connection: null, joined: undefined },
      };
    });
  } else {
    const clusters = await host.listCustom(KS_CLUSTER);
    if (isResourceTypeMissing(clusters)) {
      throw new UsageError(
        `context "${hostName}" has no clusters.cluster.kubesphere.io: it is not a KubeSphere host, so its members cannot be discovered.`,
        `Check --host, or name each member's context with --member CONTEXT (contexts: ${contextNames.join(', ')}).`,
      );
    }
    const targets = planTargets(joinedMembers(clusters), kubeconfig.contexts, {
      members: memberFlags,
      clusters: clusterFilter,
      all: true,
      useHostCredentials,
      hostContext: hostName,
    });
    const unknown = clusterFilter.filter((c) => !targets.some((t) => t.cluster === c));
    if (unknown.length > 0) {
      throw new UsageError(
        `the host has no member Cluster named ${unknown.join(', ')}.`,
        `Members the host knows: ${
          joinedMembers(clusters)
            .map((j) => j.name)
            .join(', ') || 'none'
        }.`,
      );
    }
    members = await Promise.all(targets.map((t) => sourceFor(t, clusters, open, requestTimeoutMs)));
  }
  const common = [
    ...(hostFlag !== undefined ? ['--host', hostFlag] : []),
    ...(kubeconfigPath ? ['--kubeconfig', kubeconfigPath] : []),
  ];
  return {
    kubeconfig,
    host,
    members,
    discovered: all,
    concurrency,
    requestTimeoutMs,
    repairWords: (targets) => {
      // Such a member's context is a label (NAME@host-credentials), not one of the kubeconfig's.
      const viaHost = (m: (typeof targets)[number]) => m.discovery.method === 'host-credentials';
      return [
        ...programName().split(' '),
        ...[
          'repair',
          ...common,
          ...targets.flatMap((m) =>
            viaHost(m) || !m.context ? ['--cluster', m.discovery.cluster ?? m.name] : ['--member', m.context],
          ),
          ...(targets.some(viaHost) ? ['--use-host-credentials'] : []),
        ].map(shellWord),
      ];
    },
  };
}

/** `--host`, or kubectl's `--context` for the same thing; both given must agree. */
function hostContextFlag(flags: SessionFlags): string | undefined {
  const host = typeof flags.host === 'string' ? flags.host : undefined;
  const context = typeof flags.context === 'string' ? flags.context : undefined;
  if (host !== undefined && context !== undefined && host !== context) {
    throw new UsageError(
      `--host ${host} and --context ${context} name different contexts, but both mean the host cluster's context.`,
      "Give one of them: --context is kubectl's name for --host.",
    );
  }
  return host ?? context;
}

async function sourceFor(
  target: MemberTarget,
  clusters: ObjectJson[],
  open: (context: string) => ClusterReader,
  requestTimeoutMs: number,
): Promise<MemberSource> {
  if (target.context) return { reader: open(target.context), target };
  if (target.method !== 'host-credentials' || !target.cluster) return { reader: undefined, target };
  const obj = clusters.find((c) => c.metadata.name === target.cluster);
  const reader = obj ? await readerFromStoredKubeconfig(obj, requestTimeoutMs) : undefined;
  return reader
    ? { reader, target }
    : { reader: undefined, target: { ...target, method: null, problem: 'no-context' } };
}

/**
 * A client from the kubeconfig a host stores in a member's Cluster object (--use-host-credentials). It holds
 * admin credentials: used in memory only, never written or printed. Named after the Cluster, since stored
 * kubeconfigs often share a context name (kubernetes-admin@cluster.local).
 */
export async function readerFromStoredKubeconfig(
  cluster: ObjectJson,
  requestTimeoutMs: number,
): Promise<ClusterReader | undefined> {
  const name = cluster.metadata.name ?? '';
  const b64 = (cluster as { spec?: { connection?: { kubeconfig?: string } } }).spec?.connection?.kubeconfig;
  if (!b64) return undefined;
  const kc = await kubeconfigFromText(
    Buffer.from(b64, 'base64').toString('utf8'),
    `the kubeconfig stored in Cluster ${name}`,
  );
  const context = kc.currentContext ?? kc.contexts[0]?.name;
  if (!context) return undefined;
  return openCluster(kc, context, { requestTimeoutMs, label: hostCredentialsLabel(name) });
}

export function hostCredentialsLabel(cluster: string): string {
  return `${cluster}@host-credentials`;
}

/**
 * The server both contexts reach, when they are one API server: the same URL (scheme, host and port, as
 * normalised by URL, the default port spelled out), the same CA and the same TLS server name. Contexts with
 * different users on one cluster (admin and read-only) are the same cluster.
 */
function sameApiServer(kubeconfig: LoadedKubeconfig, a: string, b: string): string | undefined {
  let ca: ReturnType<KubeConfig['getCurrentCluster']>;
  let cb: ReturnType<KubeConfig['getCurrentCluster']>;
  try {
    ca = kubeconfig.forContext(a).getCurrentCluster();
    cb = kubeconfig.forContext(b).getCurrentCluster();
  } catch {
    return undefined; // the host context's own problem is reported when it is opened
  }
  if (!ca || !cb) return undefined;
  const url = (server: string): string | undefined => {
    try {
      const u = new URL(server);
      const port = u.port || (u.protocol === 'http:' ? '80' : '443');
      return `${u.protocol}//${u.hostname}:${port}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return undefined;
    }
  };
  const ua = url(ca.server);
  if (ua === undefined || ua !== url(cb.server)) return undefined;
  if (caBytes(ca) !== caBytes(cb) || (ca.tlsServerName ?? '') !== (cb.tlsServerName ?? '')) return undefined;
  return ca.server;
}

function caBytes(c: { caData?: string; caFile?: string }): string {
  if (c.caData) return Buffer.from(c.caData, 'base64').toString('utf8').trim();
  if (c.caFile) {
    try {
      return readFileSync(c.caFile, 'utf8').trim();
    } catch {
      return `file:${c.caFile}`;
    }
  }
  return '';
}
