import type { ClusterFacts } from '../cluster/facts.js';
import type { Finding } from './report.js';

/** `apiserver-restart-pending`: kubesphere-config changed after the running pods loaded it. */
export function checkRestartPending(facts: ClusterFacts): Finding {
  const id = 'apiserver-restart-pending';
  const written = facts.configWrittenAt;
  const unreadable = facts.deploymentUnreadable;
  if (unreadable) {
    const args = { message: unreadable.message, hint: unreadable.hint };
    return { id, status: 'error', code: 'deployment-unreadable', args };
  }
  if (!facts.deployment) return { id, status: 'error', code: 'no-deployment', args: {} };
  const pods = facts.runningPods;
  // A list that failed says nothing about the pods: an error (exit 3), never "no running pods".
  if (!Array.isArray(pods)) {
    const { message, hint } = pods.failure;
    return {
      id,
      status: 'error',
      code: 'pods-unreadable',
      args: { deployment: facts.deployment.name, message, hint },
    };
  }
  if (pods.length === 0)
    return { id, status: 'fail', code: 'no-running-pods', args: { deployment: facts.deployment.name } };
  if (!written) {
    // No kubesphere-config at all is the config check's error; a ConfigMap without managedFields has no time.
    const reason = facts.config.state === 'missing-configmap' ? 'config' : 'no-write-time';
    return { id, status: 'skip', code: 'skipped', args: { reason } };
  }
  const stale = pods.filter((p) => p.startedAt !== undefined && p.startedAt < written);
  const args = {
    deployment: facts.deployment.name,
    configWrittenAt: written.toISOString(),
    stale: stale.length,
    pods: pods.length,
    oldestStart: stale[0]?.startedAt?.toISOString() ?? null,
  };
  const evidence = {
    configWrittenAt: args.configWrittenAt,
    pods: pods.map((p) => ({ name: p.name, startedAt: p.startedAt?.toISOString() ?? null, ready: p.ready })),
  };
  if (stale.length === 0) return { id, status: 'pass', code: 'restart-not-needed', args, evidence };
  // 3.3 and 3.4 hot-reload the file once the kubelet has propagated it; a restart is still the sure way.
  const hotReload = facts.family === '3.3-3.4';
  return {
    id,
    status: hotReload ? 'warn' : 'fail',
    code: hotReload ? 'restart-pending-hot-reload' : 'restart-pending',
    args,
    evidence,
  };
}
