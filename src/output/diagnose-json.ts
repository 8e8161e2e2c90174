import {
  allFindings,
  countStatuses,
  type DiagnoseReport,
  type Finding,
} from '../kubesphere/checks/report.js';
import { describeCause, describeFinding } from './messages.js';

export type RunStatus = 'healthy' | 'unhealthy' | 'error';

/** The published contract (schema/diagnose.schema.json, schemaVersion 1). */
export function diagnoseDocument(report: DiagnoseReport, run: { status: RunStatus; exitCode: number }) {
  const check = (f: Finding) => {
    const w = describeFinding(f);
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
      checks: host.checks.map(check),
    },
    members: report.members.map((m) => ({
      context: m.context,
      server: m.server,
      kubesphereVersion: m.kubesphereVersion,
      clusterRole: m.clusterRole,
      status: m.status,
      cause: m.cause,
      verdict: describeCause(m.cause, m.name),
      discovery: m.discovery,
      jwtSecret: m.jwtSecret,
      checks: m.checks.map(check),
    })),
    summary: countStatuses(allFindings(report)),
  };
}
