import type { ClusterStore } from '../../src/sandbox/apiserver/store.js';
import { crashLoopStatus, recoveredStatus } from '../../src/sandbox/kubesphere/pod-status.js';

/**
 * A container restart as the kubelet reports it (restartCount + 1, lastState.terminated with the exited run's
 * containerID, running again), next to the LogStore's restartContainer: logs are served by status, as the
 * real kubelet serves them, so `previous` exists only once the status says a run terminated.
 */
export function markRestarted(store: ClusterStore, ns: string, pod: string, container: string): void {
  const current = store.get('pods', ns, pod)!;
  const now = new Date();
  const next = recoveredStatus(crashLoopStatus(current, container, now, now, 10), container, now);
  store.update(next, { subresource: 'status', fieldManager: 'kubelet' });
}
