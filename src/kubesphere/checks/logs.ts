import type { Finding } from './report.js';
import { isFailure, type ClusterSnapshot } from '../cluster/snapshot.js';

export type AuthLogKind =
  | 'signature-invalid'
  | 'cache-miss'
  | 'clock-skew'
  | 'token-expired'
  | 'empty-jwt-secret'
  | 'in-memory-cache'
  | 'host-unauthorized'
  | 'config-reload-failed';

export interface AuthLogKindSummary {
  /** Failed requests (a chain of 2–3 log lines about one request counts once). */
  count: number;
  first: string | null;
  last: string | null;
  /** The first line of the newest requests (up to 3), oldest first, secrets masked. */
  samples: string[];
  /** `host-unauthorized` (a 4.x host's log): requests per member address the lines name. */
  byHost?: Record<string, number>;
}

export interface AuthLogSummary {
  linesScanned: number;
  containersScanned: number;
  kinds: Partial<Record<AuthLogKind, AuthLogKindSummary>>;
}

/** `apiserver-auth-errors`: what the member's ks-apiserver said about the host's tokens. */
export function checkAuthErrors(
  snap: ClusterSnapshot,
  logs: AuthLogSummary | undefined,
  since: string,
): Finding {
  const id = 'apiserver-auth-errors';
  // Logs are read from the listed pods: when the Deployment or its pods could not be read, neither could they.
  const blocked = isFailure(snap.pods)
    ? snap.pods
    : isFailure(snap.apiserverDeployment)
      ? snap.apiserverDeployment
      : undefined;
  if (blocked) {
    const { message, hint } = blocked.failure;
    return { id, status: 'error', code: 'logs-unreadable', args: { message, hint } };
  }
  const scans = snap.logs?.scans ?? [];
  const unreadable = scans.filter((s) => s.failure);
  if (!logs || scans.length === 0) return { id, status: 'skip', code: 'no-pods', args: {} };
  if (unreadable.length === scans.length) {
    const f = unreadable[0]?.failure;
    return { id, status: 'error', code: 'logs-unreadable', args: { message: f?.message, hint: f?.hint } };
  }
  const k = logs.kinds;
  const n = (kind: AuthLogKind): number => k[kind]?.count ?? 0;
  const evidence = {
    since,
    containersScanned: logs.containersScanned,
    linesScanned: logs.linesScanned,
    counts: Object.fromEntries(Object.entries(k).map(([kind, v]) => [kind, v.count])),
    kinds: k,
  };
  const args = {
    signature: n('signature-invalid'),
    cacheMiss: n('cache-miss'),
    clockSkew: n('clock-skew'),
    expired: n('token-expired'),
    containers: logs.containersScanned,
    lines: logs.linesScanned,
    since,
    last: k['signature-invalid']?.last ?? k['cache-miss']?.last ?? k['clock-skew']?.last ?? null,
  };
  if (n('empty-jwt-secret') > 0) return { id, status: 'fail', code: 'log-empty-secret', args, evidence };
  // The edited file never loaded: whatever it says, the running process still has the old configuration.
  if (n('config-reload-failed') > 0) {
    const detail = { ...args, reloadErrors: n('config-reload-failed') };
    return { id, status: 'fail', code: 'log-config-reload-failed', args: detail, evidence };
  }
  if (args.signature > 0) return { id, status: 'fail', code: 'log-signature-invalid', args, evidence };
  if (args.cacheMiss > 0) return { id, status: 'fail', code: 'log-cache-miss', args, evidence };
  if (args.clockSkew > 0) return { id, status: 'warn', code: 'log-clock-skew', args, evidence };
  // "No token errors" is only said of logs that were all read: an unread pod may be the one that rejects.
  const f = unreadable[0]?.failure;
  if (f) {
    const more = {
      message: f.message,
      hint: f.hint,
      unreadable: unreadable.length,
      containers: scans.length,
    };
    return { id, status: 'error', code: 'logs-unreadable', args: more, evidence };
  }
  return { id, status: 'pass', code: 'log-clean', args, evidence };
}

/**
 * A 4.x host logs each 401 a member gave it as `Request unauthorized, host: ADDRESS, reason: …` (v4.1.3
 * pkg/apiserver/filters/multicluster.go, statusCodeChangeTransport) and answers the browser 511. The lines that
 * name this member's address are evidence on its `apiserver-auth-errors` finding; with the member's own log clean
 * they still show the console failing there (warn). `address` is where the host proxies to (hostProxyAddress).
 */
export function withHostRejections(
  finding: Finding,
  hostLogs: AuthLogSummary | undefined,
  address: string | undefined,
): Finding {
  const n = address ? (hostLogs?.kinds['host-unauthorized']?.byHost?.[address] ?? 0) : 0;
  if (n === 0) return finding;
  const evidence = { ...finding.evidence, hostRejections: { address, requests: n } };
  if (finding.status !== 'pass')
    return { ...finding, args: { ...finding.args, hostRejections: n }, evidence };
  return {
    ...finding,
    status: 'warn',
    code: 'log-host-rejections',
    args: { ...finding.args, hostRejections: n, address },
    evidence,
  };
}
