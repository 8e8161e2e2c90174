import {
  allFindings,
  countStatuses,
  type DiagnoseReport,
  type Finding,
} from '../kubesphere/checks/report.js';
import type { RepairOutlook } from '../kubesphere/repair/outlook.js';
import { planIsEmpty, type MemberPlan } from '../kubesphere/repair/plan.js';
import { withOutlook } from './diagnose-text.js';
import { describeCause, describeFinding } from './messages.js';
import { describeRefusal } from './repair-render.js';

export type RunStatus = 'healthy' | 'unhealthy' | 'error';

/** The published contract (schema/diagnose.schema.json, schemaVersion 1). */
export function diagnoseDocument(
  report: DiagnoseReport,
  run: { status: RunStatus; exitCode: number },
  outlook?: RepairOutlook,
) {
  const check = (f: Finding, plan?: MemberPlan) => {
    const w = withOutlook(describeFinding(f), f, plan);
    return {
      id: f.id,
      status: f.status,
      code: f.code,
      summary: w.summary,
      ...(w.remedy && (f.status === 'fail' || f.status === 'warn' || f.status === 'error')
        ? { remedy: w.remedy }
        : {}),
      // Findings without their own evidence expose the facts behind their wording (values, paths, roles).
      ...(f.evidence ? { evidence: f.evidence } : Object.keys(f.args).length > 0 ? { evidence: f.args } : {}),
    };
  };
  const { host } = report;
  return {
    schemaVersion: 1,
    command: 'diagnose',
    status: run.status,
    exitCode: run.exitCode,
    host: {
      context: host.context,
      server: host.server,
      kubesphereVersion: host.kubesphereVersion,
      clusterRole: host.clusterRole,
      jwtSecret: host.jwtSecret,
      checks: host.checks.map((f) => check(f)),
    },
    members: report.members.map((m, i) => ({
      context: m.context,
      server: m.server,
      kubesphereVersion: m.kubesphereVersion,
      clusterRole: m.clusterRole,
      status: m.status,
      cause: m.cause,
      verdict: describeCause(m.cause, m.name),
      discovery: m.discovery,
      jwtSecret: m.jwtSecret,
      checks: m.checks.map((f) => check(f, outlook?.plans[i])),
      ...(outlook?.plans[i] ? { repair: repairFor(outlook.plans[i], m.name) } : {}),
    })),
    summary: countStatuses(allFindings(report)),
  };
}

/** What `ks-restore repair` would do with this member: the same planner, so diagnose and repair agree. */
function repairFor(plan: MemberPlan, name: string) {
  if (plan.refusal) {
    return {
      action: 'refused',
      refusal: { code: plan.refusal.code, ...describeRefusal(plan.refusal, name) },
    };
  }
  return { action: planIsEmpty(plan) ? 'none' : 'repair' };
}
