import { causeFixable } from '../kubesphere/checks/verdict.js';
import {
  allFindings,
  countStatuses,
  type CheckStatus,
  type DiagnoseReport,
  type Finding,
  type MemberReport,
} from '../kubesphere/checks/report.js';
import type { Colors } from './color.js';
import { fleetSections, summaryTable } from './fleet-text.js';
import { briefFinding, secretLabel } from './fleet-words.js';
import type { RepairOutlook } from '../kubesphere/repair/outlook.js';
import type { MemberPlan } from '../kubesphere/repair/plan.js';
import { describeCause, describeFinding, type Wording } from './messages.js';
import { describeRefusal } from './repair-render.js';
import { terminalSafe as safe } from './sanitize.js';
import { hanging, wrapCommand } from './wrap.js';

const SYMBOL: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '⚠', skip: '-', error: '✖' };

export interface TextOptions {
  colors: Colors;
  verbose: boolean;
  /** The fleet summary table's header row (off with --no-headers, as in kubectl). */
  headers?: boolean;
  /** The shell words of one `ks-restore repair` command that repairs exactly these members. */
  repairCommand: (members: MemberReport[]) => string[];
  /** Wrap long lines at this many columns (a terminal's width); undefined: never (a pipe, for grep). */
  width?: number;
  /** What repair would do, per member (same order): a refused member is never promised a repair. */
  outlook?: RepairOutlook;
}

export const isProblem = (f: Finding): boolean =>
  f.status === 'fail' || f.status === 'warn' || f.status === 'error';

export function paintStatus(c: Colors, status: CheckStatus, text: string): string {
  return status === 'pass'
    ? c.green(text)
    : status === 'fail' || status === 'error'
      ? c.red(text)
      : status === 'warn'
        ? c.yellow(text)
        : c.dim(text);
}

/**
 * The human report. One member: every check with its remedy, and the fix. A fleet: the host's problems, one
 * summary table, a line of evidence per member that needs attention and one fix command (fleet-text.ts); `-v`
 * adds every check of every member. Every text that comes from a cluster (names, versions, messages, log lines)
 * goes through `safe` before it is colored or wrapped.
 */
export function renderDiagnoseText(report: DiagnoseReport, opts: TextOptions): string {
  const c = opts.colors;
  const out: string[] = [];
  const { host } = report;
  const fleet = report.members.length > 1;
  const compact = fleet && !opts.verbose;
  // The id column fits the checks shown: in a compact fleet report, only the host's problems.
  const shown = compact ? host.checks.filter(isProblem) : allFindings(report);
  const idWidth = Math.max(0, ...shown.map((f) => f.id.length));
  const line = checkLine(c, opts, idWidth);

  out.push(
    heading(
      c,
      'Host',
      String(host.context),
      host.server,
      host.kubesphereVersion,
      host.jwtSecret,
      host.checks,
    ),
  );
  // --host and --member swapped: the host's role line says so, in the words repair uses.
  const hostRefusal = opts.outlook?.host;
  const swapped =
    hostRefusal?.args.swappedWith !== undefined && hostRefusal.args.swappedWith !== null
      ? describeRefusal(hostRefusal, String(host.context))
      : undefined;
  const hostLine = (f: Finding, brief: boolean): string[] =>
    f.id === 'cluster-role' && swapped
      ? line(f, { remedy: `${swapped.message} ${swapped.hint}` })
      : line(f, { brief });
  if (compact) {
    // Only what needs attention, in a few words; -v has the rest.
    for (const f of host.checks.filter(isProblem)) out.push(...hostLine(f, f.status === 'warn'));
  } else host.checks.forEach((f) => out.push(...hostLine(f, false)));
  if (fleet) out.push('', ...summaryTable(report, c, opts.headers !== false, opts.width));
  if (!compact) {
    report.members.forEach((m, i) => {
      const plan = opts.outlook?.plans[i];
      out.push('', heading(c, 'Member', m.name, m.server, m.kubesphereVersion, m.jwtSecret, m.checks));
      m.checks.forEach((f) => out.push(...line(f, { plan })));
      const status =
        m.status === 'healthy'
          ? c.green('healthy')
          : m.status === 'error'
            ? c.red('error')
            : c.red('unhealthy');
      out.push(
        ...hanging(
          `  ${c.bold('Verdict:')} ${status}: `,
          13 + m.status.length,
          safe(describeCause(m.cause, m.name)),
          {
            width: opts.width,
            indent: 11,
          },
        ),
      );
      const refusal = plan?.refusal;
      if (refusal && m.status !== 'healthy' && refusal.code !== 'not-repairable') {
        // The remedies above no longer promise a repair: this is what repair would say, and why.
        const r = describeRefusal(refusal, m.name);
        out.push(
          ...hanging(`  ${c.bold('Repair:')}  `, 11, safe(r.message), { width: opts.width }),
          ...hanging(' '.repeat(11), 11, `→ ${safe(r.hint)}`, {
            width: opts.width,
            indent: 13,
            paint: (t) => c.dim(t),
          }),
        );
      } else if (!fleet && causeFixable(m.cause) && !refusal) {
        const fix = wrapCommand(
          opts.repairCommand([m]).map((w) => safe(w)),
          11,
          opts.width,
        );
        fix[0] = `  ${c.bold('Fix:')}     ${fix[0]!.trimStart()}`;
        out.push(...fix);
      }
    });
  }
  if (fleet) out.push(...fleetSections(report, opts));
  out.push('', ...hanging('', 0, footer(report, compact), { width: opts.width }));
  return `${out.join('\n')}\n`;
}

function heading(
  c: Colors,
  kind: 'Host' | 'Member',
  name: string,
  server: string | null,
  version: string | null,
  secret: Parameters<typeof secretLabel>[0],
  checks: Finding[],
): string {
  return (
    c.bold(`${kind} ${safe(name)}`) +
    c.dim(
      // Two spaces before each part; a part not known (an unreachable member's version) is left out.
      [server, version, secretLabel(secret, checks)].map((part) => (part ? `  ${safe(part)}` : '')).join(''),
    )
  );
}

/** One check: symbol, id, summary; under a problem its remedy and log samples; with -v its evidence too. */
function checkLine(c: Colors, opts: TextOptions, idWidth: number) {
  // Continuation lines start under the summary: 2 + symbol + space + id + 2 spaces.
  const indent = idWidth + 6;
  const width = opts.width;
  return (f: Finding, o: { brief?: boolean; plan?: MemberPlan; remedy?: string } = {}): string[] => {
    const out: string[] = [];
    const label = f.status === 'error' ? 'error: ' : '';
    const found = withOutlook(describeFinding(f), f, o.plan);
    const w = o.remedy ? { ...found, remedy: o.remedy } : found;
    const summary = safe(o.brief ? briefFinding(f) : w.summary);
    const prefix = `  ${paintStatus(c, f.status, SYMBOL[f.status])} ${f.id.padEnd(idWidth)}  `;
    const lines = hanging(prefix, indent, `${label}${summary}`, { width });
    if (label) lines[0] = lines[0]!.replace(label, c.red(label));
    out.push(...lines);
    const problem = isProblem(f);
    const dim = (s: string) => c.dim(s);
    if (problem && w.remedy && !o.brief)
      out.push(
        ...hanging(' '.repeat(indent), indent, `→ ${safe(w.remedy)}`, {
          width,
          indent: indent + 2,
          paint: dim,
        }),
      );
    if (problem || opts.verbose) {
      for (const sample of samplesOf(f))
        out.push(
          ...hanging(' '.repeat(indent), indent, `│ ${safe(sample)}`, {
            width,
            indent: indent + 2,
            paint: dim,
          }),
        );
    }
    const evidence = opts.verbose ? evidenceText(f.evidence) : '';
    if (evidence)
      out.push(
        ...hanging(' '.repeat(indent), indent, `· ${safe(evidence)}`, {
          width,
          indent: indent + 2,
          paint: dim,
        }),
      );
    return out;
  };
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

/** A finding's evidence as `key=value` pairs (nested keys dotted); the log samples are shown on their own. */
export function evidenceText(evidence: Record<string, unknown> | undefined): string {
  const out: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (k !== 'samples') walk(x, path ? `${path}.${k}` : k);
    } else {
      const text = String(v);
      out.push(`${path}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
    }
  };
  walk(evidence, '');
  return out.join(' ');
}

function footer(report: DiagnoseReport, compact: boolean): string {
  const counts = countStatuses(allFindings(report));
  const unhealthy = report.members.filter((m) => m.status !== 'healthy').length;
  const membersText = `${report.members.length} member${report.members.length === 1 ? '' : 's'}, ${unhealthy} not healthy`;
  const countText = (['pass', 'fail', 'warn', 'skip', 'error'] as const)
    .map((k) => `${counts[k]} ${k}`)
    .join(', ');
  return `${membersText} · ${countText}${compact ? ' · -v shows every check' : ''}`;
}
