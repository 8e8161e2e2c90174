/** Diagnose results as data: stable ids and codes. Wording is made in src/output/ only. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

export const CHECK_IDS = [
  'reachable',
  'kubesphere-config',
  'cluster-role',
  'jwt-secret-match',
  'jwt-secret-durable',
  'access-token-max-age',
  'apiserver-auth-errors',
  'apiserver-restart-pending',
  'host-cache',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Args = Record<string, string | number | boolean | null | undefined>;

export interface Finding {
  id: CheckId;
  status: CheckStatus;
  /** What was found, e.g. `max-age-nonzero`; the renderer words it. */
  code: string;
  args: Args;
  /** Facts behind the finding, safe to print (never a secret). */
  evidence?: Record<string, unknown>;
}

/** Why a member cannot be opened from the host, in order of precedence. */
export type Cause =
  | 'healthy'
  | 'unreadable'
  | 'not-kubesphere'
  | 'wrong-role'
  | 'secret-mismatch-and-token-cache'
  | 'secret-mismatch'
  | 'token-cache'
  | 'installer-revert'
  | 'restart-pending'
  | 'clock-skew'
  | 'host-cache'
  | 'stale-errors';

export interface SecretFingerprint {
  present: boolean;
  fingerprint: string | null;
  length: number;
}

export interface ClusterIdentity {
  context: string;
  server: string;
  kubesphereVersion: string | null;
  clusterRole: string | null;
}

export interface MemberReport extends ClusterIdentity {
  status: 'healthy' | 'unhealthy' | 'error';
  cause: Cause;
  jwtSecret: SecretFingerprint;
  checks: Finding[];
}

export interface HostReport extends ClusterIdentity {
  jwtSecret: SecretFingerprint;
  checks: Finding[];
}

export interface DiagnoseReport {
  host: HostReport;
  members: MemberReport[];
}

export function countStatuses(findings: Finding[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

export function allFindings(report: DiagnoseReport): Finding[] {
  return [...report.host.checks, ...report.members.flatMap((m) => m.checks)];
}
