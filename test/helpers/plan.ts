import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import type { Sandbox } from '../../src/sandbox/index.js';

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
