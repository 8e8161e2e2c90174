import {
  allFindings,
  countStatuses,
  type CheckStatus,
  type DiagnoseReport,
} from '../kubesphere/checks/report.js';

/**
 * `diagnose -o prometheus`: the report in Prometheus' text exposition format (0.0.4), for node_exporter's
 * textfile collector or a Pushgateway. Names, statuses, causes and check codes only: no secret, no
 * fingerprint, no evidence. Every label value comes from a kubeconfig or a cluster, so all are escaped.
 */
export function renderDiagnosePrometheus(
  report: DiagnoseReport,
  run: { status: string; exitCode: number },
  now: Date,
): string {
  const host = report.host.context ?? report.host.server ?? '';
  const out: string[] = [];
  const family = (name: string, help: string, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) out.push(`${name}${labelSet(labels)} ${value}`);
  };
  const member = (m: DiagnoseReport['members'][number]) => ({
    host,
    member: m.discovery.cluster ?? m.name,
  });

  family(
    'ks_restore_diagnose_timestamp_seconds',
    'When this diagnosis finished, in seconds since the epoch.',
    [[{ host }, now.getTime() / 1000]],
  );
  family(
    'ks_restore_diagnose_exit_code',
    'Exit code of this diagnosis: 0 healthy, 1 problems found, 3 a cluster could not be read.',
    [[{ host }, run.exitCode]],
  );
  family(
    'ks_restore_member_healthy',
    "1 when the host's console can open this member cluster (its verdict is healthy), else 0.",
    report.members.map((m) => [{ ...member(m), cause: m.cause }, m.status === 'healthy' ? 1 : 0]),
  );
  family(
    'ks_restore_member_info',
    "A member's status and cause, and how it was reached; always 1.",
    report.members.map((m) => [
      {
        ...member(m),
        context: m.context ?? '',
        status: m.status,
        cause: m.cause,
        kubesphere_version: m.kubesphereVersion ?? '',
        discovery: m.discovery.method ?? '',
      },
      1,
    ]),
  );
  family(
    'ks_restore_check',
    'One check of a member (or of the host: member=""), with its status and finding code; always 1.',
    [
      ...report.host.checks.map((c): [Record<string, string>, number] => [
        { host, member: '', check: c.id, status: c.status, code: c.code },
        1,
      ]),
      ...report.members.flatMap((m) =>
        m.checks.map((c): [Record<string, string>, number] => [
          { ...member(m), check: c.id, status: c.status, code: c.code },
          1,
        ]),
      ),
    ],
  );
  const counts = countStatuses(allFindings(report));
  family(
    'ks_restore_checks',
    'Checks of this diagnosis (host and members) by status.',
    (['pass', 'fail', 'warn', 'skip', 'error'] as CheckStatus[]).map((s) => [
      { host, status: s },
      counts[s] ?? 0,
    ]),
  );
  return `${out.join('\n')}\n`;
}

/** `{a="x",b="y"}`; backslash, double quote and line feed escaped as the exposition format requires. */
function labelSet(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
