import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';

export interface RolloutState {
  done: boolean;
  /** Set when the rollout can no longer finish (ProgressDeadlineExceeded). */
  failed?: string;
  /** kubectl rollout status's own words, for progress. */
  message: string;
  updated: number;
  desired: number;
  available: number;
}

interface DeploymentJson {
  metadata: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type: string; reason?: string }>;
  };
}

/** `kubectl rollout status` rules for a Deployment (kubectl/pkg/polymorphichelpers/rollout_status.go). */
export function rolloutState(obj: ObjectJson): RolloutState {
  const d = obj as unknown as DeploymentJson;
  const name = d.metadata.name ?? '';
  const st = d.status ?? {};
  const desired = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const base = { updated, desired, available };
  if ((d.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) {
    return { ...base, done: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  if (st.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) {
    const failed = `deployment "${name}" exceeded its progress deadline`;
    return { ...base, done: false, failed, message: failed };
  }
  if (updated < desired) {
    return {
      ...base,
      done: false,
      message: `${updated} out of ${desired} new replicas have been updated...`,
    };
  }
  if ((st.replicas ?? 0) > updated) {
    return {
      ...base,
      done: false,
      message: `${(st.replicas ?? 0) - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return { ...base, done: false, message: `${available} of ${updated} updated replicas are available...` };
  }
  return { ...base, done: true, message: `deployment "${name}" successfully rolled out` };
}

export class RolloutTimeoutError extends Error {
  constructor(
    readonly state: RolloutState,
    readonly pods: Array<{ name: string; phase: string; ready: boolean }>,
  ) {
    const podList = pods.map((p) => `${p.name} ${p.phase}${p.ready ? '' : ', not ready'}`).join('; ');
    super(
      `${state.failed ?? `the rollout did not finish in time: ${state.message}`}${podList ? ` Pods: ${podList}.` : ''}`,
    );
  }
}

/**
 * Waits until the rollout is complete by kubectl's rules, or throws RolloutTimeoutError with the pods' states.
 * Watches the Deployment from `resourceVersion` (the restart's answer), as `kubectl rollout status` does, so the
 * end is seen when it happens; and polls it all the same, so a watch that fails, hangs or is refused changes
 * nothing but the time it takes.
 */
export async function waitForRollout(
  client: ClusterReader,
  namespace: string,
  name: string,
  opts: {
    timeoutMs: number;
    /** The longest wait between two polls (default 500 ms). */
    pollMs?: number;
    /** The wait before the second poll, and between polls for the first two seconds (default 100 ms). */
    firstPollMs?: number;
    onProgress?: (s: RolloutState) => void;
    podSelector?: string;
    resourceVersion?: string;
  },
): Promise<RolloutState> {
  const deadline = Date.now() + opts.timeoutMs;
  // Every 100 ms for the first two seconds (a small Deployment rolls out in a second or two), then backing off
  // to every pollMs.
  const maxPollMs = opts.pollMs ?? 500;
  const started = Date.now();
  let pollMs = Math.min(opts.firstPollMs ?? 100, maxPollMs);
  const stopWatch = new AbortController();
  let watched: RolloutState | undefined;
  let wake = (): void => {};
  void client.watchObject?.(
    'deployments',
    namespace,
    name,
    opts.resourceVersion,
    (dep) => {
      const state = rolloutState(dep);
      opts.onProgress?.(state);
      if (state.done) {
        watched = state;
        wake();
      }
    },
    stopWatch.signal,
  );
  try {
    for (;;) {
      const dep = await client.get('deployments', namespace, name);
      if (!dep) throw new Error(`Deployment ${namespace}/${name} disappeared during the rollout`);
      const state = rolloutState(dep);
      opts.onProgress?.(state);
      if (state.done) return state;
      if (watched) return watched;
      if (state.failed || Date.now() >= deadline) {
        const pods = opts.podSelector
          ? (await client.list('pods', namespace, { labelSelector: opts.podSelector })).map(podState)
          : [];
        throw new RolloutTimeoutError(state, pods);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => {};
      if (watched) return watched;
      if (Date.now() - started >= 2000) pollMs = Math.min(maxPollMs, pollMs * 1.5);
    }
  } finally {
    stopWatch.abort();
  }
}

function podState(pod: ObjectJson): { name: string; phase: string; ready: boolean } {
  const st = (pod as { status?: { phase?: string; conditions?: Array<{ type: string; status: string }> } })
    .status;
  return {
    name: pod.metadata.name ?? '',
    phase: pod.metadata.deletionTimestamp ? 'Terminating' : (st?.phase ?? 'Unknown'),
    ready: st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  };
}
