import type { Cause } from '../kubesphere/checks/report.js';
import type { Colors } from './color.js';
import { causeLabel } from './fleet-words.js';
import { describeFinding } from './messages.js';
import type { MemberRun } from './repair-render.js';
import { terminalSafe as safe } from './sanitize.js';
import { hanging, wrapCommand } from './wrap.js';

/** What became of one member in a repair. */
export type MemberResult = 'changed' | 'verified' | 'skipped' | 'failed' | 'refused';

/** A member's result and a few words why; `changed` says whether something was written or restarted. */
export function memberResult(
  run: MemberRun,
  dryRun: boolean,
): { result: MemberResult; detail: string; changed: boolean } {
  const done = run.actions.filter((a) => a.status === 'done');
  const changed = done.length > 0;
  if (run.plan.refusal) return { result: 'refused', detail: refusalWords(run), changed };
  if (run.actions.length === 0) return { result: 'skipped', detail: 'nothing to do', changed };
  const failed = run.actions.find((a) => a.status === 'failed');
  if (failed) {
    const what = `${failed.id} failed`;
    return {
      result: 'failed',
      detail: changed ? `${what} after ${done.length} step(s) were done` : what,
      changed,
    };
  }
  if (!changed)
    return { result: 'skipped', detail: dryRun ? 'not applied (--dry-run)' : 'not applied', changed };
  const v = run.verification;
  if (v?.status === 'healthy') return { result: 'verified', detail: "accepts the host's tokens", changed };
  if (!v || v.status === 'skipped') return { result: 'changed', detail: 'not verified', changed };
  if (v.reason) {
    const why = describeFinding({ ...v.reason, status: 'error' }).summary;
    return { result: 'changed', detail: `could not verify: ${why}`, changed };
  }
  const still = causeLabel({ ...run.before, cause: (v.cause ?? 'unreadable') as Cause });
  return { result: 'changed', detail: `still ${v.status}: ${still}`, changed };
}

function refusalWords(run: MemberRun): string {
  const r = run.plan.refusal!;
  switch (r.code) {
    case 'not-readable':
    case 'not-repairable':
      return causeLabel(run.before);
    case 'wrong-role-host':
      return 'a host cluster: repair never sets accessTokenMaxAge 0 there';
    case 'role-guard':
      return 'its member role is not established (--force overrides)';
    case 'host-secret-empty':
      return "the host's jwtSecret is empty or unreadable";
    case 'config-not-editable':
      return 'kubesphere.yaml cannot be edited safely';
    case 'host-not-host':
      return '--host is not a host cluster';
  }
}

/**
 * A fleet repair's last word: one row per member (changed, verified, skipped, failed, refused) and, when
 * something changed, the rollback command that undoes it (the backup holds every changed member).
 */
export function renderResultTable(
  runs: MemberRun[],
  c: Colors,
  opts: { backup: string | null; dryRun: boolean; headers: boolean; width: number | undefined },
): string[] {
  const rows = runs.map((r) => ({ name: safe(r.plan.context), ...memberResult(r, opts.dryRun) }));
  const nameWidth = Math.max('MEMBER'.length, ...rows.map((r) => r.name.length));
  const resultWidth = 'verified'.length;
  const paint = (result: MemberResult, text: string): string =>
    result === 'verified'
      ? c.green(text)
      : result === 'failed' || result === 'refused'
        ? c.red(text)
        : result === 'changed'
          ? c.yellow(text)
          : c.dim(text);
  const indent = nameWidth + resultWidth + 4;
  const out = opts.headers
    ? [c.bold(`${'MEMBER'.padEnd(nameWidth)}  ${'RESULT'.padEnd(resultWidth)}  DETAIL`)]
    : [];
  for (const r of rows) {
    const prefix = `${r.name.padEnd(nameWidth)}  ${paint(r.result, r.result.padEnd(resultWidth))}  `;
    out.push(...hanging(prefix, indent, safe(r.detail), { width: opts.width }));
  }
  const changed = rows.filter((r) => r.changed);
  if (changed.length > 0 && opts.backup) {
    out.push(
      '',
      ...hanging('', 0, `To undo the changes to ${changed.map((r) => r.name).join(', ')}:`, {
        width: opts.width,
        indent: 2,
      }),
      ...wrapCommand(['ks-restore', 'rollback', '--backup', safe(opts.backup)], 2, opts.width),
    );
  }
  return out;
}
