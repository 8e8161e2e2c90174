import type { Cause, CheckId, Finding, MemberReport } from './report.js';

/** The one cause that explains a member's state, by precedence: what blocks the console most, first. */
export function verdict(
  checks: Finding[],
  hostChecks: Finding[],
): { status: MemberReport['status']; cause: Cause } {
  const by = (id: CheckId): Finding | undefined => checks.find((c) => c.id === id);
  const failed = (id: CheckId): boolean => by(id)?.status === 'fail';
  const reach = by('reachable');
  if (reach?.status === 'error') return { status: 'error', cause: 'unreadable' };
  const config = by('kubesphere-config');
  if (config?.status === 'error') {
    const notKs = config.code === 'config-missing' || config.code === 'config-key-missing';
    return { status: 'error', cause: notKs ? 'not-kubesphere' : 'unreadable' };
  }
  // A file that does not parse: ks-apiserver cannot load it, and every check that reads it was skipped. So too
  // when ks-apiserver logged that reloading it failed (3.3/3.4 keep the old configuration then).
  if (config?.status === 'fail' || by('apiserver-auth-errors')?.code === 'log-config-reload-failed')
    return { status: 'unhealthy', cause: 'config-invalid' };
  if (by('cluster-role')?.code === 'member-not-member' && by('cluster-role')?.args.role === 'host') {
    return { status: 'unhealthy', cause: 'wrong-role' };
  }
  const mismatch = failed('jwt-secret-match');
  const cache = failed('access-token-max-age');
  if (mismatch && cache) return { status: 'unhealthy', cause: 'secret-mismatch-and-token-cache' };
  if (mismatch) return { status: 'unhealthy', cause: 'secret-mismatch' };
  if (cache) return { status: 'unhealthy', cause: 'token-cache' };
  if (failed('jwt-secret-durable')) return { status: 'unhealthy', cause: 'installer-revert' };
  if (failed('cluster-role')) return { status: 'unhealthy', cause: 'wrong-role' };
  const restart = by('apiserver-restart-pending');
  // A warning here is 3.3/3.4, which reload the file by themselves: not a cause on its own.
  if (restart?.status === 'fail') return { status: 'unhealthy', cause: 'restart-pending' };
  // Measured from the API servers' Date headers (clock-skew.ts): named before any log line shows it.
  if (failed('clock-skew')) return { status: 'unhealthy', cause: 'clock-skew' };
  const logs = by('apiserver-auth-errors');
  if (logs?.code === 'log-clock-skew') return { status: 'unhealthy', cause: 'clock-skew' };
  if (logs?.status === 'fail') return { status: 'unhealthy', cause: 'stale-errors' };
  if (failed('host-cluster-status')) return { status: 'unhealthy', cause: 'host-sees-not-ready' };
  if ([...checks, ...hostChecks].some((c) => c.status === 'error'))
    return { status: 'error', cause: 'unreadable' };
  // The host's own replicas lose its tokens: the console still bounces, whatever the member does.
  if (hostChecks.find((c) => c.id === 'host-cache')?.status === 'fail')
    return { status: 'unhealthy', cause: 'host-cache' };
  return { status: 'healthy', cause: 'healthy' };
}

const FIXABLE: ReadonlySet<Cause> = new Set<Cause>([
  'secret-mismatch-and-token-cache',
  'secret-mismatch',
  'token-cache',
  'installer-revert',
  'restart-pending',
]);

/** Causes that `ks-restore repair` fixes on the member. */
export function causeFixable(cause: Cause): boolean {
  return FIXABLE.has(cause);
}
