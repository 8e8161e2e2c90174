import { runDiagnosis } from '../kubesphere/checks/diagnosis.js';
import type { Finding } from '../kubesphere/checks/report.js';
import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ReadFailure } from '../kubesphere/cluster/snapshot.js';
import { waitForRollout } from './rollout.js';

export interface Verification {
  status: 'healthy' | 'unhealthy' | 'error' | 'skipped';
  cause: string | null;
  /** Check ids that still fail or warn. */
  failing?: string[];
  /**
   * Status `error`: the first check that could not be done (a read that failed). Nothing was verified, so
   * nothing is claimed about the member either way; src/output words it as "could not verify: …".
   */
  reason?: Pick<Finding, 'id' | 'code' | 'args'>;
}

/** Attempts of the diagnosis after the rollout: a pending restart or a failed read is looked at again. */
const ATTEMPTS = 4;

/**
 * Diagnoses the member again, reading only logs written since the repair began. On 3.x, ks-installer reacts to
 * the ClusterConfiguration change by re-rendering the ConfigMap and restarting ks-apiserver once more: when
 * that shows up as a pending restart, wait for its rollout and look again. A read that fails is tried again
 * too (an API server can be busy right after a restart); if it keeps failing, the verification is an error.
 */
export async function verifyMember(
  host: ClusterReader,
  member: ClusterReader,
  opts: {
    since: Date;
    timeoutMs: number;
    restart: { namespace: string; name: string } | undefined;
    describeFailure: (err: unknown) => ReadFailure;
    /** Pause before looking again (default 1 s). */
    retryDelayMs?: number;
  },
): Promise<Verification> {
  const deadline = Date.now() + opts.timeoutMs;
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 1000));
  for (let attempt = 1; ; attempt++) {
    const sinceSeconds = Math.max(1, Math.ceil((Date.now() - opts.since.getTime()) / 1000));
    const { report } = await runDiagnosis(host, [member], {
      sinceSeconds,
      since: `${sinceSeconds}s`,
      ...(opts.restart ? { podsStartedAfter: new Date(opts.since.getTime() - 1000) } : {}),
      describeFailure: opts.describeFailure,
    });
    const m = report.members[0]!;
    // The host's own cache problem outlives any member repair: the member's part is verified all the same.
    if (m.status === 'healthy' || m.cause === 'host-cache') return { status: 'healthy', cause: m.cause };
    const failing = m.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
    const again = attempt < ATTEMPTS && Date.now() < deadline;
    if (m.status === 'error') {
      if (again) {
        await pause();
        continue;
      }
      // Logs are read from the listed pods: when both failed, the list is the reason, the logs its consequence.
      const errors = [...m.checks, ...report.host.checks].filter((c) => c.status === 'error');
      const first = errors.find((c) => c.id !== 'apiserver-auth-errors') ?? errors[0];
      const reason = first ? { id: first.id, code: first.code, args: first.args } : undefined;
      return { status: 'error', cause: m.cause, failing, ...(reason ? { reason } : {}) };
    }
    if (!(m.cause === 'restart-pending' && opts.restart && again)) {
      return { status: m.status, cause: m.cause, failing };
    }
    await pause();
    await waitForRollout(member, opts.restart.namespace, opts.restart.name, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
    }).catch(() => undefined);
  }
}
