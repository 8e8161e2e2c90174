import type { Diagnosis } from '../checks/diagnosis.js';
import type { DiagnoseReport, MemberReport } from '../checks/report.js';
import { deriveFacts } from '../cluster/facts.js';
import { planMemberRepair, type MemberPlan, type Refusal } from './plan.js';

/**
 * What `repair` would do with each member of a diagnosis: the one planner both commands use, so that diagnose
 * never promises a repair that repair then refuses (a member without kubesphere-config, a --host that is not a
 * host, --host and --member swapped).
 */
export interface RepairOutlook {
  /** Set when the --host context is not a host: repair refuses every member (exit 2) unless --force. */
  host: Refusal | undefined;
  plans: MemberPlan[];
}

/**
 * `host-not-host` when the host context's role is established and is not `host`. `swappedWith` names the member
 * context whose role is `host`: then --host and --member are most likely the wrong way round.
 */
export function hostRefusal(report: DiagnoseReport): Refusal | undefined {
  const role = report.host.checks.find((c) => c.id === 'cluster-role');
  if (role?.status !== 'fail') return undefined;
  const swapped = report.members.find((m) => m.clusterRole === 'host' && m.context !== null);
  return {
    code: 'host-not-host',
    args: {
      host: report.host.context,
      role: asText(role.args.role),
      swappedWith: swapped?.context ?? null,
    },
  };
}

export function repairOutlook(diagnosis: Diagnosis, opts: { force: boolean }): RepairOutlook {
  const host = opts.force ? undefined : hostRefusal(diagnosis.report);
  const hostFacts = deriveFacts(diagnosis.host);
  const plans = diagnosis.members.map((snapshot, i) => {
    const report = diagnosis.report.members[i]!;
    if (!snapshot) return unreachablePlan(report);
    const plan = planMemberRepair({
      host: { facts: hostFacts, server: diagnosis.host.server },
      member: { snapshot, facts: deriveFacts(snapshot), report },
      force: opts.force,
    });
    // Repair stops at the host before planning any member: that refusal is the one every member gets.
    return host ? { ...plan, writes: [], restart: undefined, refusal: host, forced: false } : plan;
  });
  return { host, plans };
}

export function unreachablePlan(report: MemberReport): MemberPlan {
  return {
    context: report.name,
    server: report.server ?? '',
    writes: [],
    restart: undefined,
    refusal: { code: 'not-readable', args: { cause: report.cause } },
    forced: false,
  };
}

function asText(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
