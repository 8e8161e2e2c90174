import { causeFixable } from '../kubesphere/checks/verdict.js';
import type { CheckId, DiagnoseReport, Finding, MemberReport } from '../kubesphere/checks/report.js';
import type { Colors } from './color.js';
import type { TextOptions } from './diagnose-text.js';
import { briefFinding, causeLabel, memberRemedy } from './fleet-words.js';
import { planIsEmpty, type MemberPlan } from '../kubesphere/repair/plan.js';
import { describeRefusal } from './repair-render.js';
import { terminalSafe as safe } from './sanitize.js';
import { hanging, wrapCommand } from './wrap.js';

/** Fleet mode: one row per member, the cause in words; an unreadable member's row says why. */
export function summaryTable(
  report: DiagnoseReport,
  c: Colors,
  headers: boolean,
  width: number | undefined,
): string[] {
  const rows = report.members.map((m) => [
    safe(m.name),
    safe(m.kubesphereVersion ?? '?'),
    safe(m.discovery.connection ?? '-'),
    m.status,
    safe(causeLabel(m)),
  ]);
  const head = ['MEMBER', 'VERSION', 'CONNECTION', 'VERDICT', 'CAUSE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[], paint = (_i: number, v: string) => v) =>
    r.map((v, i) => paint(i, i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  const verdict = (status: string, text: string) =>
    status === 'healthy' ? c.green(text) : status === 'error' ? c.red(text) : c.yellow(text);
  // The last cell wraps under itself on a narrow terminal.
  const causeAt = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const body = rows.flatMap((r) => {
    const cells = fmt(r.slice(0, -1), (i, v) =>
      i === 3 ? verdict(r[3]!, v.padEnd(widths[3]!)) : v.padEnd(widths[i]!),
    );
    return hanging(`${cells}  `, causeAt, r.at(-1)!, { width });
  });
  return headers ? [c.bold(fmt(head)), ...body] : body;
}

/** Which evidence comes first on a member's line: what decides the cause, then what explains it. */
const ORDER: CheckId[] = [
  'kubesphere-config',
  'jwt-secret-match',
  'access-token-max-age',
  'apiserver-auth-errors',
  'cluster-role',
  'jwt-secret-durable',
  'apiserver-restart-pending',
  'clock-skew',
  'devops-jwt-secret',
  'host-cluster-status',
];
const rank = (f: Finding): number =>
  (f.status === 'warn' ? 100 : 0) + (ORDER.includes(f.id) ? ORDER.indexOf(f.id) : ORDER.length);

/** A member's problems in a few words each, failures first; a warning is marked ⚠. */
function evidenceOf(m: MemberReport): string[] {
  return (
    m.checks
      // How to reach an unreachable member is its note below, not evidence.
      .filter(
        (f) => (f.status === 'fail' || f.status === 'warn' || f.status === 'error') && f.id !== 'reachable',
      )
      .sort((a, b) => rank(a) - rank(b))
      .map((f) => `${f.status === 'warn' ? '⚠ ' : ''}${briefFinding(f)}`)
  );
}

/**
 * What repair says about a member it refuses, where that is more than "reach it first" (which memberRemedy
 * words for unreachable members) or "the cause lies elsewhere" (also memberRemedy's).
 */
function refusalHint(plan: MemberPlan | undefined, m: MemberReport): string | undefined {
  const r = plan?.refusal;
  if (!r || r.code === 'not-repairable') return undefined;
  if (r.code === 'not-readable' && m.cause !== 'not-kubesphere') return undefined;
  const words = describeRefusal(r, m.name);
  return `${words.message} ${words.hint}`;
}

/** Labelled lines: the labels in a column, each text wrapped under its own start. */
function labelled(entries: Array<[string, string]>, c: Colors, width: number | undefined): string[] {
  const labelWidth = Math.max(...entries.map(([l]) => l.length));
  const indent = labelWidth > 30 ? 6 : labelWidth + 4;
  return entries.flatMap(([label, text]) =>
    hanging(`  ${c.bold(label.padEnd(labelWidth))}  `, labelWidth + 4, text, { width, indent }),
  );
}

function names(members: MemberReport[]): string {
  const list = members.map((m) => safe(m.name));
  return list.length <= 4 ? list.join(', ') : `these ${list.length} members`;
}

/**
 * After the table: a line of evidence per member that needs attention, ONE repair command for every member
 * repair can fix, and for the others what to do instead (grouped when it is the same thing).
 */
export function fleetSections(report: DiagnoseReport, opts: TextOptions): string[] {
  const c = opts.colors;
  const out: string[] = [];
  const evidence = report.members
    .map((m) => [safe(m.name), safe(evidenceOf(m).join('; '))] as [string, string])
    .filter(([, text]) => text !== '');
  if (evidence.length > 0 && !opts.verbose)
    out.push('', c.bold('Evidence:'), ...labelled(evidence, c, opts.width));

  // Exactly the members repair would change (the same planner), else those whose cause it fixes.
  const planOf = (m: MemberReport) => opts.outlook?.plans[report.members.indexOf(m)];
  const fixable = report.members.filter((m) => {
    const plan = planOf(m);
    return plan ? !plan.refusal && !planIsEmpty(plan) : causeFixable(m.cause);
  });
  if (fixable.length > 0) {
    out.push(
      '',
      ...hanging('', 0, `Fix ${names(fixable)} (repair shows its plan and asks first):`, {
        width: opts.width,
        indent: 2,
        paint: (s) => c.bold(s),
      }),
      ...wrapCommand(
        opts.repairCommand(fixable).map((w) => safe(w)),
        2,
        opts.width,
      ),
    );
  }
  const others = report.members.filter((m) => m.status !== 'healthy' && !fixable.includes(m));
  if (others.length > 0) {
    const byRemedy = new Map<string, MemberReport[]>();
    for (const m of others) {
      const remedy = safe(refusalHint(planOf(m), m) ?? memberRemedy(m));
      byRemedy.set(remedy, [...(byRemedy.get(remedy) ?? []), m]);
    }
    const entries = [...byRemedy].map(
      ([remedy, ms]) => [ms.map((m) => safe(m.name)).join(', '), remedy] as [string, string],
    );
    out.push('', c.bold(fixable.length > 0 ? 'Not fixed by that repair:' : 'Not fixed by repair:'));
    out.push(...labelled(entries, c, opts.width));
  }
  return out;
}
