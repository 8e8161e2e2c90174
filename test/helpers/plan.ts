import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { assess } from '../../src/kubesphere/checks/assess.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import type { Sandbox } from '../../src/sandbox/index.js';

/** Assess a host and one member from hand-built snapshots (no log errors) and plan the member's repair. */
export function planSnapshots(host: ClusterSnapshot, member: ClusterSnapshot, force = false) {
  const logs = { linesScanned: 10, containersScanned: 1, kinds: {} };
  const report = assess({ snapshot: host, logs }, [{ gathered: { snapshot: member, logs } }], {
    since: '1h',
  }).members[0]!;
  const plan = planMemberRepair({
    host: { facts: deriveFacts(host), server: host.server },
    member: { snapshot: member, facts: deriveFacts(member), report },
    force,
  });
  return { plan, report };
}

/** Diagnose the sandbox's `member` over real HTTPS and plan its repair, as `ks-restore repair` does. */
export async function planSandboxMember(sb: Sandbox) {
  const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
  const host = openCluster(kc, 'host', { requestTimeoutMs: 5000 });
  const member = openCluster(kc, 'member', { requestTimeoutMs: 5000 });
  const d = await runDiagnosis(host, [member], { sinceSeconds: 3600, since: '1h', describeFailure });
  const plan = planMemberRepair({
    host: { facts: deriveFacts(d.host), server: d.host.server },
    member: { snapshot: d.members[0]!, facts: deriveFacts(d.members[0]!), report: d.report.members[0]! },
    force: false,
  });
  return { host, member, plan };
}
