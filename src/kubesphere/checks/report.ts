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
  'devops-jwt-secret',
  'clock-skew',
  'host-cache',
  'host-cluster-status',
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
  | 'config-invalid'
  | 'wrong-role'
  | 'secret-mismatch-and-token-cache'
  | 'secret-mismatch'
  | 'token-cache'
  | 'installer-revert'
  | 'restart-pending'
  | 'clock-skew'
  | 'host-cache'
  | 'stale-errors'
  | 'no-route'
  | 'host-sees-not-ready';

export interface SecretFingerprint {
  present: boolean;
  fingerprint: string | null;
  length: number;
}

export interface ClusterIdentity {
  /** null for a member no kubeconfig context reaches (fleet discovery). */
  context: string | null;
  server: string | null;
  kubesphereVersion: string | null;
  clusterRole: string | null;
}

export interface Discovery {
  /** The member's Cluster name on the host, when known. */
  cluster: string | null;
  /** How it was reached: flag, server-url, context-name, host-credentials; null when it could not be. */
  method: string | null;
  connection: string | null;
}

export interface MemberReport extends ClusterIdentity {
  /** A name for people: the context, else the Cluster name. */
  name: string;
  discovery: Discovery;
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
