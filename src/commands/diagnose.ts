import { ExitCode } from '../errors.js';
import { describeFailure } from '../kube/failure.js';
import { runDiagnosis } from '../kubesphere/checks/diagnosis.js';
import { repairOutlook } from '../kubesphere/repair/outlook.js';
import { createColors } from '../output/color.js';
import { diagnoseDocument, type RunStatus } from '../output/diagnose-json.js';
import { renderDiagnosePrometheus } from '../output/diagnose-prometheus.js';
import { renderDiagnoseText } from '../output/diagnose-text.js';
import { openProgress } from '../output/progress-base.js';
import { renderStructured } from '../output/structured.js';
import { outputWidth } from '../output/wrap.js';
import type { DiagnoseReport } from '../kubesphere/checks/report.js';
import {
  durationFlag,
  durationText,
  LOG_REQUESTS_LEVEL,
  outputFlag,
  positiveIntFlag,
  verbosityFlag,
} from './options.js';
import { showRetries } from './retries.js';
import { openSession } from './session.js';

/** `ks-restore diagnose`: read-only. Returns the exit code; prints the report to stdout. */
export async function diagnoseCommand(flags: Record<string, unknown>, env = process.env): Promise<number> {
  const prometheus = flags.output === 'prometheus';
  const output = prometheus ? 'json' : outputFlag(flags.output);
  const since = durationText(flags.since ?? '1h');
  const sinceMs = durationFlag('--since', since);
  const tailLines = flags.tail === undefined ? undefined : positiveIntFlag('--tail', flags.tail);
  const verbosity = verbosityFlag(flags.verbose, flags.v);
  const session = await openSession(flags, env);
  const colors = createColors({ color: flags.color !== false, stream: process.stdout, env });
  const progress = await openProgress({
    stream: process.stderr,
    // Request lines (-v=6) and a spinner would overwrite each other on stderr.
    enabled: output === 'text' && verbosity < LOG_REQUESTS_LEVEL,
    color: colors.level > 0,
  });
  showRetries(() => progress, { verbosity, text: output === 'text' });
  const total = 1 + session.members.length;
  let done = 0;
  progress.start(`Reading ${total} clusters…`);
  const diagnosis = await runDiagnosis(session.host, session.members, {
    sinceSeconds: sinceMs / 1000,
    concurrency: session.concurrency,
    since,
    ...(tailLines ? { tailLines } : {}),
    describeFailure,
    onGathered: (ctx) => progress.update(`Read ${ctx} (${++done}/${total})`),
  }).finally(() => progress.stop());
  const run = runOutcome(diagnosis.report);
  const outlook = repairOutlook(diagnosis, { force: false });
  if (output === 'text') {
    process.stdout.write(
      renderDiagnoseText(diagnosis.report, {
        colors,
        verbose: verbosity > 0,
        headers: flags.headers !== false,
        repairCommand: (members) => session.repairWords(members),
        width: outputWidth(process.stdout, env),
        outlook,
      }),
    );
  } else if (prometheus) {
    process.stdout.write(renderDiagnosePrometheus(diagnosis.report, run, new Date()));
  } else {
    process.stdout.write(renderStructured(diagnoseDocument(diagnosis.report, run, outlook), output));
  }
  return run.exitCode;
}

/** 3 when a cluster could not be read, else 1 when a member is unhealthy, else 0. */
export function runOutcome(report: DiagnoseReport): { status: RunStatus; exitCode: number } {
  const hostError = report.host.checks.some((c) => c.status === 'error');
  if (hostError || report.members.some((m) => m.status === 'error')) {
    return { status: 'error', exitCode: ExitCode.unreadable };
  }
  if (report.members.some((m) => m.status === 'unhealthy'))
    return { status: 'unhealthy', exitCode: ExitCode.problems };
  return { status: 'healthy', exitCode: ExitCode.ok };
}
