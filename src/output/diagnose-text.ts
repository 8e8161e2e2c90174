import { causeFixable } from '../kubesphere/checks/verdict.js';
import {
  allFindings,
  countStatuses,
  type CheckStatus,
  type DiagnoseReport,
  type Finding,
} from '../kubesphere/checks/report.js';
import type { Colors } from './color.js';
import type { RepairOutlook } from '../kubesphere/repair/outlook.js';
import type { MemberPlan } from '../kubesphere/repair/plan.js';
import { describeCause, describeFinding, type Wording } from './messages.js';
import { describeRefusal } from './repair-render.js';
import { terminalSafe as safe } from './sanitize.js';

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '⚠', skip: '-', error: '✖' };

export interface TextOptions {
  colors: Colors;
  verbose: boolean;
  /** The fleet summary table's header row (off with --no-headers, as in kubectl). */
  headers?: boolean;
  /** Shell words to repeat the host/kubeconfig flags in the suggested repair command. */
  repairCommand: (memberContext: string) => string;
  /** What repair would do, per member (same order): a refused member is never promised a repair. */
  outlook?: RepairOutlook;
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

  const line = (f: Finding, plan?: MemberPlan): void => {
    const w = withOutlook(describeFinding(f), f, plan);
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
  const hostRefusal = opts.outlook?.host;
  host.checks.forEach((f) => {
    // --host and --member swapped: the host's role line says so, in the words repair uses.
    if (f.id === 'cluster-role' && hostRefusal?.args.swappedWith) {
      const r = describeRefusal(hostRefusal, String(host.context));
      const w = describeFinding(f);
      out.push(
        `  ${paint(f.status, SYMBOL[f.status])} ${f.id.padEnd(idWidth)}  ${safe(w.summary)}`,
        `${' '.repeat(idWidth + 6)}${c.dim(`→ ${safe(r.message)} ${safe(r.hint)}`)}`,
      );
    } else line(f);
  });
  const fleet = report.members.length > 1;
  if (fleet) out.push('', ...summaryTable(report, c, opts.headers !== false));
  report.members.forEach((m, i) => {
    const plan = opts.outlook?.plans[i];
    out.push('');
    const mfp = m.jwtSecret.present ? `jwtSecret fp ${m.jwtSecret.fingerprint}` : 'no jwtSecret';
    out.push(
      c.bold(`Member ${safe(m.name)}`) +
        c.dim(`  ${safe(m.server ?? '')}  ${safe(m.kubesphereVersion ?? '')}  ${mfp}`),
    );
    // In a fleet, details show what needs attention; -v shows every check.
    m.checks.filter((f) => !fleet || opts.verbose || f.status !== 'pass').forEach((f) => line(f, plan));
    const status =
      m.status === 'healthy'
        ? c.green('healthy')
        : m.status === 'error'
          ? c.red('error')
          : c.red('unhealthy');
    out.push(`  ${c.bold('Verdict:')} ${status}: ${safe(describeCause(m.cause, m.name))}`);
    if (plan?.refusal && m.status !== 'healthy' && plan.refusal.code !== 'not-repairable') {
      // The member's remedies above no longer promise a repair: this is what repair would say, and why.
      const r = describeRefusal(plan.refusal, m.name);
      out.push(`  ${c.bold('Repair:')}  ${safe(r.message)}`, `           ${c.dim(`→ ${safe(r.hint)}`)}`);
    } else if (causeFixable(m.cause) && !plan?.refusal)
      out.push(`  ${c.bold('Fix:')}     ${safe(opts.repairCommand(m.context ?? m.name))}`);
  });
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

/**
 * A remedy that promises `ks-restore repair` is dropped where repair would refuse the member: the member's
 * `Repair:` line says why instead (the same words repair prints). The role line of a swapped pair too.
 */
export function withOutlook(w: Wording, f: Finding, plan: MemberPlan | undefined): Wording {
  const refusal = plan?.refusal;
  if (!refusal || refusal.code === 'not-repairable' || !w.remedy) return w;
  const promise = w.remedy.startsWith('ks-restore repair');
  const swappedRole = refusal.code === 'host-not-host' && f.id === 'cluster-role';
  if (!promise && !swappedRole) return w;
  return { summary: w.summary };
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
