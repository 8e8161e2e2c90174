import { causeFixable } from '../kubesphere/checks/verdict.js';
import {
  allFindings,
  countStatuses,
  type CheckStatus,
  type DiagnoseReport,
  type Finding,
} from '../kubesphere/checks/report.js';
import type { Colors } from './color.js';
import { describeCause, describeFinding } from './messages.js';
import { terminalSafe as safe } from './sanitize.js';

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '⚠', skip: '-', error: '✖' };

export interface TextOptions {
  colors: Colors;
  verbose: boolean;
  /** The fleet summary table's header row (off with --no-headers, as in kubectl). */
  headers?: boolean;
  /** Shell words to repeat the host/kubeconfig flags in the suggested repair command. */
  repairCommand: (memberContext: string) => string;
}

/**
 * The human report: one line per check, the remedy dimmed under problems, a verdict per member. Every text that
 * comes from a cluster (names, versions, messages, log lines) goes through `safe` before it is colored.
 */
export function renderDiagnoseText(report: DiagnoseReport, opts: TextOptions): string {
  const c = opts.colors;
  const out: string[] = [];
  const { host } = report;
  const idWidth = Math.max(...allFindings(report).map((f) => f.id.length));
  const paint = (status: CheckStatus, text: string): string =>
    status === 'pass'
      ? c.green(text)
      : status === 'fail' || status === 'error'
        ? c.red(text)
        : status === 'warn'
          ? c.yellow(text)
          : c.dim(text);

  const line = (f: Finding): void => {
    const w = describeFinding(f);
    const label = f.status === 'error' ? c.red('error: ') : '';
    out.push(`  ${paint(f.status, SYMBOL[f.status])} ${f.id.padEnd(idWidth)}  ${label}${safe(w.summary)}`);
    const problem = f.status === 'fail' || f.status === 'warn' || f.status === 'error';
    // Continuation lines start under the summary: 2 + symbol + space + id + 2 spaces.
    const indent = ' '.repeat(idWidth + 6);
    if (problem && w.remedy) out.push(`${indent}${c.dim(`→ ${safe(w.remedy)}`)}`);
    if (problem || opts.verbose) {
      for (const sample of samplesOf(f)) out.push(`${indent}${c.dim(`│ ${safe(sample)}`)}`);
    }
  };

  const fp = host.jwtSecret.present ? `jwtSecret fp ${host.jwtSecret.fingerprint}` : 'no jwtSecret';
  out.push(
    c.bold(`Host ${safe(String(host.context))}`) +
      c.dim(`  ${safe(String(host.server))}  ${safe(host.kubesphereVersion ?? '')}  ${fp}`),
  );
  host.checks.forEach(line);
  const fleet = report.members.length > 1;
  if (fleet) out.push('', ...summaryTable(report, c, opts.headers !== false));
  for (const m of report.members) {
    out.push('');
    const mfp = m.jwtSecret.present ? `jwtSecret fp ${m.jwtSecret.fingerprint}` : 'no jwtSecret';
    out.push(
      c.bold(`Member ${safe(m.name)}`) +
        c.dim(`  ${safe(m.server ?? '')}  ${safe(m.kubesphereVersion ?? '')}  ${mfp}`),
    );
    // In a fleet, details show what needs attention; -v shows every check.
    m.checks.filter((f) => !fleet || opts.verbose || f.status !== 'pass').forEach(line);
    const status =
      m.status === 'healthy'
        ? c.green('healthy')
        : m.status === 'error'
          ? c.red('error')
          : c.red('unhealthy');
    out.push(`  ${c.bold('Verdict:')} ${status}: ${safe(describeCause(m.cause, m.name))}`);
    if (causeFixable(m.cause))
      out.push(`  ${c.bold('Fix:')}     ${safe(opts.repairCommand(m.context ?? m.name))}`);
  }
  out.push('');
  const counts = countStatuses(allFindings(report));
  const unhealthy = report.members.filter((m) => m.status !== 'healthy').length;
  const membersText = `${report.members.length} member${report.members.length === 1 ? '' : 's'}, ${unhealthy} not healthy`;
  const countText = (['pass', 'fail', 'warn', 'skip', 'error'] as const)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
  out.push(`${membersText} · ${countText}`);
  return `${out.join('\n')}\n`;
}

/** Up to 3 log lines as klog wrote them (the RFC 3339 prefix kubectl adds with --timestamps is dropped). */
function samplesOf(f: Finding): string[] {
  if (f.id !== 'apiserver-auth-errors' || !f.evidence) return [];
  const kinds = f.evidence.kinds as Record<string, { samples?: string[] }> | undefined;
  return Object.values(kinds ?? {})
    .flatMap((k) => k.samples ?? [])
    .slice(0, 3)
    .map((line) => line.replace(/^\d{4}-\d\d-\d\dT\S+Z /, ''));
}

/** Fleet mode: one row per member before the details. */
function summaryTable(report: DiagnoseReport, c: Colors, headers: boolean): string[] {
  const rows = report.members.map((m) => [
    safe(m.name),
    safe(m.kubesphereVersion ?? '?'),
    safe(m.discovery.connection ?? '-'),
    m.status,
    m.cause,
  ]);
  const head = ['MEMBER', 'VERSION', 'CONNECTION', 'VERDICT', 'CAUSE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const paint = (status: string, text: string) =>
    status === 'healthy' ? c.green(text) : status === 'error' ? c.red(text) : c.yellow(text);
  const body = rows.map((r) => fmt(r).replace(r[3]!, paint(r[3]!, r[3]!)));
  return headers ? [c.bold(fmt(head)), ...body] : body;
}
