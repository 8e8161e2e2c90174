import {
  CLUSTER_CONFIGURATION,
  DEVOPS_CONFIGMAP,
  DEVOPS_NAMESPACE,
  KS_CLUSTER,
  KS_CONFIGMAP,
  KS_INSTALLER,
  KS_NAMESPACE,
  KS_SECRET,
  type ClusterReader,
} from './gateway.js';
import type { ClusterSnapshot, ObjectJson, PodLogScan, Read, ReadFailure } from './snapshot.js';
import { isFailure, present } from './snapshot.js';
import { devopsCopyWanted } from './devops.js';
import { isResourceTypeMissing, type ResourceTypeMissing } from '../../kube/types.js';
import { selectorMatches, selectorRequires, selectorString } from './selector.js';

/** The `app` label of ks-apiserver's pods on every version: ks-apiserver, or ks-agent on a 4.x member. */
const APISERVER_APPS = ['ks-apiserver', 'ks-agent'] as const;

export interface GatherOptions {
  role: 'host' | 'member';
  /** Read ks-apiserver logs (members always; hosts for the in-memory-cache evidence). */
  logs?: { sinceSeconds?: number; tailLines?: number; podsStartedAfter?: Date };
  onLogLine?: (line: string, source: { pod: string; container: string; previous: boolean }) => void;
  /** Turns anything the reader threw into data (src/kube knows its errors). */
  describeFailure: (err: unknown) => ReadFailure;
  now?: () => Date;
}

/** Reads everything diagnose needs from one cluster, in parallel where independent. Never throws. */
export async function gatherCluster(reader: ClusterReader, opts: GatherOptions): Promise<ClusterSnapshot> {
  const now = opts.now ?? (() => new Date());
  const base = { context: reader.context, server: reader.server };
  const read = async <T>(fn: () => Promise<T | undefined>): Promise<Read<T>> => {
    try {
      return (await fn()) ?? null;
    } catch (err) {
      return { failure: opts.describeFailure(err) };
    }
  };

  // /version proves reachability and credentials; the reads go out in the same round trip (fleet speed).
  const version = reader.version().then(
    (v) => ({ ok: true as const, gitVersion: v.gitVersion }),
    (err: unknown) => ({ ok: false as const, failure: opts.describeFailure(err) }),
  );
  const reads = Promise.all([
    read(() => reader.get('configmaps', KS_NAMESPACE, KS_CONFIGMAP)),
    read(async () => orUndefined(await reader.getCustom(CLUSTER_CONFIGURATION, KS_NAMESPACE, KS_INSTALLER))),
    read(() => reader.get('secrets', KS_NAMESPACE, KS_SECRET)),
    read(() => reader.get('deployments', KS_NAMESPACE, 'ks-agent')),
    read(() => reader.get('deployments', KS_NAMESPACE, 'ks-apiserver')),
    read(() => reader.get('deployments', KS_NAMESPACE, KS_INSTALLER)),
    opts.role === 'host'
      ? read(async () => orUndefined(await reader.listCustom(KS_CLUSTER)))
      : Promise.resolve(undefined),
  ]);
  // Its pods in the same round, by the label every version's Deployment selects them with; the Deployment's own
  // selector then picks them from this list (a second round instead only if it does not select on that label).
  const apiserverPods = read(() =>
    reader.list('pods', KS_NAMESPACE, { labelSelector: `app in (${APISERVER_APPS.join(',')})` }),
  );
  const reached = await version;
  if (!reached.ok) {
    await Promise.all([reads, apiserverPods]); // settle them (they failed the same way) before returning
    return {
      ...base,
      reachability: { ok: false, failure: reached.failure },
      configMap: undefined,
      clusterConfiguration: undefined,
      kubesphereSecret: undefined,
      apiserverDeployment: undefined,
      installerDeployment: undefined,
      pods: undefined,
      clusters: undefined,
      gatheredAt: now().toISOString(),
    };
  }
  const kubernetesVersion = reached.gitVersion;
  const [configMap, clusterConfiguration, kubesphereSecret, agent, apiserver, installer, clusters] =
    await reads;
  // ks-devops' copy of the jwtSecret: one more read, and only where DevOps is enabled on 3.2+.
  const devops =
    opts.role === 'member' && devopsCopyWanted(present(clusterConfiguration))
      ? read(() => reader.get('configmaps', DEVOPS_NAMESPACE, DEVOPS_CONFIGMAP))
      : undefined;
  const listed = await apiserverPods;

  const apiserverDeployment = pickApiserver(agent, apiserver);
  const deployment = present(apiserverDeployment);
  let pods: Read<ObjectJson[]> = undefined;
  let logs: ClusterSnapshot['logs'];
  if (deployment) {
    const selector = selectorString(deployment);
    pods = !selector
      ? { failure: { kind: 'other', message: 'the Deployment has no label selector' } }
      : Array.isArray(listed) && selectorRequires(deployment, 'app', APISERVER_APPS)
        ? listed.filter((p) => selectorMatches(deployment, p.metadata.labels))
        : await read(() => reader.list('pods', KS_NAMESPACE, { labelSelector: selector }));
    const podList = present(pods);
    if (podList && opts.logs) logs = { scans: await scanLogs(reader, podList, opts), tally: undefined };
  }

  return {
    ...base,
    reachability: { ok: true, kubernetesVersion },
    configMap,
    clusterConfiguration,
    kubesphereSecret,
    apiserverDeployment,
    installerDeployment: installer,
    pods,
    clusters,
    ...(devops ? { devopsConfig: await devops } : {}),
    ...(logs ? { logs } : {}),
    ...clockOf(reader),
    gatheredAt: now().toISOString(),
  };
}

async function scanLogs(
  reader: ClusterReader,
  pods: ObjectJson[],
  opts: GatherOptions,
): Promise<PodLogScan[]> {
  const jobs: Array<Promise<PodLogScan>> = [];
  const after = opts.logs?.podsStartedAfter;
  for (const pod of pods) {
    // Verification reads only the pods that started after the repair: old ones log until they are gone.
    if (after && (pod.metadata.deletionTimestamp || !(startedAt(pod) >= after.getTime()))) continue;
    const name = pod.metadata.name ?? '';
    const container = apiserverContainer(pod);
    if (!container) continue;
    jobs.push(scanOne(reader, name, container, false, opts));
    // A container waiting to restart has no run of its own: the kubelet serves the last terminated run for
    // the plain read too, so reading `previous` as well would count that run twice.
    if (restartCount(pod, container) > 0 && !waiting(pod, container))
      jobs.push(scanOne(reader, name, container, true, opts));
  }
  return Promise.all(jobs);
}

async function scanOne(
  reader: ClusterReader,
  pod: string,
  container: string,
  previous: boolean,
  opts: GatherOptions,
): Promise<PodLogScan> {
  const source = { pod, container, previous };
  try {
    const res = await reader.streamPodLog(
      KS_NAMESPACE,
      pod,
      container,
      { ...opts.logs, previous, timestamps: true },
      (line) => opts.onLogLine?.(line, source),
    );
    return { ...source, lines: res.outcome === 'read' ? res.lines : 0 };
  } catch (err) {
    return { ...source, lines: 0, failure: opts.describeFailure(err) };
  }
}

/**
 * A 4.x member runs ks-apiserver inside the ks-agent Deployment; everything else has ks-apiserver. Found beats
 * failed beats absent: when neither was found and one could not be read, which one exists is unknown.
 */
function pickApiserver(agent: Read<ObjectJson>, apiserver: Read<ObjectJson>): Read<ObjectJson> {
  if (present(agent)) return agent;
  if (present(apiserver)) return apiserver;
  return isFailure(agent) ? agent : apiserver;
}

/** The clock reading of every response so far: the reads above, the log streams aside. */
function clockOf(reader: ClusterReader): Pick<ClusterSnapshot, 'clock'> {
  const clock = reader.clock?.();
  return clock ? { clock } : {};
}

/** A missing CRD (no ClusterConfiguration on 4.x) reads as "does not exist". */
function orUndefined<T>(value: T | ResourceTypeMissing | undefined): T | undefined {
  return isResourceTypeMissing(value) ? undefined : value;
}

interface PodSpecJson {
  spec?: { containers?: Array<{ name: string }> };
  status?: {
    containerStatuses?: Array<{ name: string; restartCount?: number; state?: { waiting?: unknown } }>;
  };
}

export function apiserverContainer(pod: ObjectJson): string | undefined {
  const names = ((pod as PodSpecJson).spec?.containers ?? []).map((c) => c.name);
  return names.includes('ks-apiserver') ? 'ks-apiserver' : names[0];
}

function waiting(pod: ObjectJson, container: string): boolean {
  const st = (pod as PodSpecJson).status?.containerStatuses?.find((c) => c.name === container);
  return st?.state?.waiting !== undefined;
}

function restartCount(pod: ObjectJson, container: string): number {
  const st = (pod as PodSpecJson).status?.containerStatuses?.find((c) => c.name === container);
  return st?.restartCount ?? 0;
}

function startedAt(pod: ObjectJson): number {
  const st = (pod as { status?: { startTime?: string } }).status?.startTime;
  return st ? Date.parse(st) : Number.NaN;
}
