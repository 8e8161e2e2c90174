/** Adapts the log tally to the summary the diagnose checks read (checks/logs.ts). */
import type { AuthLogKind, AuthLogSummary } from '../checks/logs.js';
import { LogTally } from './tally.js';
import type { PodLogScan } from '../cluster/snapshot.js';

const SUMMARY_KINDS: readonly AuthLogKind[] = [
  'signature-invalid',
  'cache-miss',
  'clock-skew',
  'token-expired',
  'empty-jwt-secret',
  'in-memory-cache',
  'host-unauthorized',
  'config-reload-failed',
];

export interface LogSummarizer {
  add(line: string, source: { pod: string; container: string; previous?: boolean }): void;
  result(scans: readonly PodLogScan[]): AuthLogSummary;
}

export function summarizeLogs(now: Date, secrets: readonly string[] = []): LogSummarizer {
  const tally = new LogTally({ now, secrets });
  return {
    add(line, source) {
      // A previous container's log is another process: its lines never chain with the current one's.
      tally.add(line, {
        pod: source.pod,
        container: source.previous ? `${source.container}/previous` : source.container,
      });
    },
    result(scans) {
      const r = tally.result();
      const kinds: AuthLogSummary['kinds'] = {};
      for (const k of SUMMARY_KINDS) {
        const t = r.kinds[k];
        if (t.requests > 0) {
          kinds[k] = {
            count: t.requests,
            first: t.firstSeen ?? null,
            last: t.lastSeen ?? null,
            samples: t.samples,
            ...(Object.keys(t.byHost).length > 0 ? { byHost: t.byHost } : {}),
          };
        }
      }
      return { linesScanned: r.linesSeen, containersScanned: scans.filter((s) => !s.failure).length, kinds };
    },
  };
}
