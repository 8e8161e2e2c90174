import { assess, type Gathered } from './assess.js';
import type { ClusterReader } from './gateway.js';
import { gatherCluster } from './gather.js';
import { summarizeLogs } from './log-summary.js';
import type { DiagnoseReport } from './report.js';
import type { ClusterSnapshot, ReadFailure } from './snapshot.js';

export interface DiagnosisOptions {
  sinceSeconds: number;
  /** `--since` as the user wrote it, for the report. */
  since: string;
  tailLines?: number;
  describeFailure: (err: unknown) => ReadFailure;
  /** Called as each cluster finishes gathering (progress). */
  onGathered?: (context: string) => void;
  now?: () => Date;
}

export interface Diagnosis {
  report: DiagnoseReport;
  host: ClusterSnapshot;
  members: ClusterSnapshot[];
}

/** Gathers host and members concurrently, then assesses them. Reads only; never throws for cluster failures. */
export async function runDiagnosis(
  host: ClusterReader,
  members: ClusterReader[],
  opts: DiagnosisOptions,
): Promise<Diagnosis> {
  const now = opts.now ?? (() => new Date());
  const gather = async (reader: ClusterReader, role: 'host' | 'member'): Promise<Gathered> => {
    const logs = summarizeLogs(now());
    const snapshot = await gatherCluster(reader, {
      role,
      logs: {
        sinceSeconds: Math.max(1, Math.ceil(opts.sinceSeconds)),
        ...(opts.tailLines ? { tailLines: opts.tailLines } : {}),
      },
      onLogLine: (line, source) => logs.add(line, source),
      describeFailure: opts.describeFailure,
      now,
    });
    opts.onGathered?.(reader.context);
    return { snapshot, logs: logs.result(snapshot.logs?.scans ?? []) };
  };
  const [hostGathered, ...memberGathered] = await Promise.all([
    gather(host, 'host'),
    ...members.map((m) => gather(m, 'member')),
  ]);
  if (!hostGathered) throw new Error('unreachable: host gather missing');
  return {
    report: assess(hostGathered, memberGathered, { since: opts.since }),
    host: hostGathered.snapshot,
    members: memberGathered.map((g) => g.snapshot),
  };
}
