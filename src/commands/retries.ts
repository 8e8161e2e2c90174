import { observeRequests } from '../kube/observe.js';
import type { Progress } from '../output/progress-base.js';
import { terminalSafe } from '../output/sanitize.js';
import { LOG_REQUESTS_LEVEL } from './options.js';

/**
 * Makes requests visible: a retry is remarked on the spinner and, with -v, is a line on stderr (text output
 * only; JSON and YAML keep stderr for errors). From -v=6 on, as kubectl does, each API request is a line on
 * stderr in every output format: method, path, status and latency — never a body, a header or a credential.
 */
export function showRetries(progress: () => Progress, opts: { verbosity: number; text: boolean }): void {
  const logRequests = opts.verbosity >= LOG_REQUESTS_LEVEL;
  observeRequests({
    retry: (n) => {
      const what = `retrying ${n.operation} on ${n.context} after ${n.cause} (attempt ${n.attempt}, in ${(n.delayMs / 1000).toFixed(1)}s)`;
      progress().note(what);
      if (opts.verbosity > 0 && opts.text) process.stderr.write(`${terminalSafe(what)}\n`);
    },
    ...(logRequests
      ? {
          request: (n) =>
            process.stderr.write(
              `${terminalSafe(`${n.context}: ${n.method} ${n.path} ${n.status} in ${n.ms} ms`)}\n`,
            ),
        }
      : {}),
  });
}
