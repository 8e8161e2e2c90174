import { runDiagnosis } from '../kubesphere/checks/diagnosis.js';
import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ReadFailure } from '../kubesphere/cluster/snapshot.js';
import { waitForRollout } from './rollout.js';

export interface Verification {
  status: 'healthy' | 'unhealthy' | 'error' | 'skipped';
  cause: string | null;
  /** Check ids that still fail or warn. */
  failing?: string[];
}

/**
 * Diagnoses the member again, reading only logs written since the repair began. On 3.x, ks-installer reacts to
 * the ClusterConfiguration change by re-rendering the ConfigMap and restarting ks-apiserver once more: when
 * that shows up as a pending restart, wait for its rollout and look again.
 */
export async function verifyMember(
  host: ClusterReader,
  member: ClusterReader,
  opts: {
    since: Date;
    timeoutMs: number;
    restart: { namespace: string; name: string } | undefined;
    describeFailure: (err: unknown) => ReadFailure;
  },
): Promise<Verification> {
  const deadline = Date.now() + opts.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const sinceSeconds = Math.max(1, Math.ceil((Date.now() - opts.since.getTime()) / 1000));
    const { report } = await runDiagnosis(host, [member], {
      sinceSeconds,
      since: `${sinceSeconds}s`,
      ...(opts.restart ? { podsStartedAfter: new Date(opts.since.getTime() - 1000) } : {}),
      describeFailure: opts.describeFailure,
    });
    const m = report.members[0]!;
    const failing = m.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
    if (m.status === 'healthy') return { status: 'healthy', cause: m.cause };
    const retry = m.cause === 'restart-pending' && opts.restart && attempt < 3 && Date.now() < deadline;
    if (!retry) return { status: m.status, cause: m.cause, failing };
    await new Promise((r) => setTimeout(r, 1000));
    await waitForRollout(member, opts.restart!.namespace, opts.restart!.name, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
    }).catch(() => undefined);
  }
}
