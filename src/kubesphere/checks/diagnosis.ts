import { assess, type Gathered, type MemberInput } from './assess.js';
import type { MemberTarget } from '../cluster/discovery.js';
import type { ClusterReader } from '../cluster/gateway.js';
import { gatherCluster } from '../cluster/gather.js';
import { DEFAULT_CONCURRENCY } from './concurrency.js';
import type { AuthLogKindSummary, AuthLogSummary } from './logs.js';
import { secretMasker } from '../config/fingerprint.js';
import { maskSecretAssignments, secretsInSnapshot } from '../config/secrets.js';
import { summarizeLogs } from '../logs/summary.js';
import type { DiagnoseReport } from './report.js';
import type { ClusterSnapshot, ReadFailure } from '../cluster/snapshot.js';

export interface DiagnosisOptions {
  sinceSeconds: number;
  /** `--since` as the user wrote it, for the report. */
  since: string;
  tailLines?: number;
  /** Read logs only of pods started at or after this time (verification after a restart). */
  podsStartedAfter?: Date;
  /** Members gathered at once (fleet mode); the host is always read alongside. Default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  describeFailure: (err: unknown) => ReadFailure;
  /** Called as each cluster finishes gathering (progress). */
  onGathered?: (context: string) => void;
  now?: () => Date;
}

/** A member to diagnose: a reader when some way in was found, and what discovery knows of it. */
export interface MemberSource {
  reader: ClusterReader | undefined;
  target?: MemberTarget;
}

export interface Diagnosis {
  report: DiagnoseReport;
  host: ClusterSnapshot;
  /** Per member, in order; undefined where the member could not be reached at all. */
  members: Array<ClusterSnapshot | undefined>;
}

/** Gathers host and members concurrently, then assesses them. Reads only; never throws for cluster failures. */
export async function runDiagnosis(
  host: ClusterReader,
  members: Array<ClusterReader | MemberSource>,
  opts: DiagnosisOptions,
): Promise<Diagnosis> {
  const now = opts.now ?? (() => new Date());
  const sources: MemberSource[] = members.map((m) => ('reader' in m ? m : { reader: m }));
  const gather = async (reader: ClusterReader, role: 'host' | 'member'): Promise<Gathered> => {
    const logs = summarizeLogs(now());
    const snapshot = await gatherCluster(reader, {
      role,
      logs: {
        sinceSeconds: Math.max(1, Math.ceil(opts.sinceSeconds)),
        ...(opts.tailLines ? { tailLines: opts.tailLines } : {}),
        ...(opts.podsStartedAfter ? { podsStartedAfter: opts.podsStartedAfter } : {}),
      },
      onLogLine: (line, source) => logs.add(line, source),
      describeFailure: opts.describeFailure,
      now,
    });
    opts.onGathered?.(reader.context);
    return { snapshot, logs: logs.result(snapshot.logs?.scans ?? []) };
  };
  const limit = limiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
  const [hostGathered, memberGathered] = await Promise.all([
    gather(host, 'host'),
    Promise.all(sources.map((s) => (s.reader ? limit(() => gather(s.reader!, 'member')) : undefined))),
  ]);
  // Samples are masked once every cluster is read: a member's log may quote the host's secret, and back.
  const hostSecrets = secretsInSnapshot(hostGathered.snapshot);
  const perMember = memberGathered.map((g) => (g ? secretsInSnapshot(g.snapshot) : []));
  const hostMasked = maskSamples(hostGathered, [...hostSecrets, ...perMember.flat()]);
  const membersMasked = memberGathered.map((g, i) => g && maskSamples(g, [...hostSecrets, ...perMember[i]!]));
  const inputs: MemberInput[] = sources.map((s, i) => ({
    gathered: membersMasked[i],
    ...(s.target ? { target: s.target } : {}),
  }));
  return {
    report: assess(hostMasked, inputs, { since: opts.since }),
    host: hostGathered.snapshot,
    members: memberGathered.map((g) => g?.snapshot),
  };
}

/** At most `n` of the given jobs run at once. */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (running >= n) return;
    const start = queue.shift();
    if (start) start();
  };
  return (job) =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}

/** Sample log lines are shown to people: mask every secret of the clusters involved, should a line carry one. */
function maskSamples(gathered: Gathered, secrets: readonly string[]): Gathered {
  if (!gathered.logs) return gathered;
  const kinds: AuthLogSummary['kinds'] = {};
  const mask = secretMasker(secrets);
  for (const [kind, k] of Object.entries(gathered.logs.kinds) as Array<
    [keyof AuthLogSummary['kinds'], AuthLogKindSummary]
  >) {
    kinds[kind] = {
      ...k,
      samples: k.samples.map((line) => maskSecretAssignments(mask(line))),
    };
  }
  return { ...gathered, logs: { ...gathered.logs, kinds } };
}
