import { describe, expect, it } from 'vitest';
import { runOutcome } from '../../src/commands/diagnose.js';
import { worstRefusal } from '../../src/commands/repair.js';
import type { DiagnoseReport } from '../../src/kubesphere/checks/report.js';
import type { MemberPlan, Refusal } from '../../src/kubesphere/repair/plan.js';

/** The exit codes scripts branch on (README "Exit codes"), from the functions that decide them. */
type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

function report(hostChecks: Status[], members: Array<'healthy' | 'unhealthy' | 'error'>): DiagnoseReport {
  return {
    host: { checks: hostChecks.map((status) => ({ id: 'kubesphere-config', status, code: 'x', args: {} })) },
    members: members.map((status) => ({ status })),
  } as unknown as DiagnoseReport;
}

describe('diagnose: 3 when a cluster could not be read, else 1 when a member is unhealthy, else 0', () => {
  it.each([
    ['every member healthy', report(['pass'], ['healthy', 'healthy']), 'healthy', 0],
    ['no member at all', report(['pass'], []), 'healthy', 0],
    [
      'a host check that fails (not an error) with healthy members',
      report(['fail', 'warn'], ['healthy']),
      'healthy',
      0,
    ],
    ['one member unhealthy', report(['pass'], ['healthy', 'unhealthy']), 'unhealthy', 1],
    ['one member unreadable', report(['pass'], ['unhealthy', 'error', 'healthy']), 'error', 3],
    ['the host unreadable, members unhealthy', report(['pass', 'error'], ['unhealthy']), 'error', 3],
    ['the host unreadable, members healthy', report(['error'], ['healthy']), 'error', 3],
    ['the host unreadable, no members', report(['error'], []), 'error', 3],
  ] as const)('%s → %s, exit %i', (_, r, status, exitCode) => {
    expect(runOutcome(r)).toEqual({ status, exitCode });
  });
});

describe('repair: the exit code of the refused members', () => {
  const run = (code?: Refusal['code']) => ({
    plan: { refusal: code ? { code, args: {} } : undefined } as unknown as MemberPlan,
  });

  it.each([
    ['nothing refused', [run(), run()], 0],
    ['nobody', [], 0],
    ['role-guard (a usage decision: --force)', [run('role-guard')], 2],
    ['wrong-role-host', [run(), run('wrong-role-host')], 2],
    ['not-repairable (the cause lies elsewhere)', [run('not-repairable')], 1],
    ['not-readable', [run('not-readable')], 3],
    ['config-not-editable', [run('config-not-editable')], 3],
    ['host-secret-empty', [run('host-secret-empty')], 3],
    ['the worst wins: not-repairable and role-guard', [run('not-repairable'), run('role-guard')], 2],
    ['the worst wins: role-guard and not-readable', [run('role-guard'), run('not-readable'), run()], 3],
    ['the worst wins, in any order', [run('not-readable'), run('not-repairable')], 3],
  ] as const)('%s → exit %i', (_, runs, code) => {
    expect(worstRefusal(runs)).toBe(code);
  });
});
