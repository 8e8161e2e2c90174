import { observeRequests } from '../kube/observe.js';
import type { Progress } from '../output/progress-base.js';
import { terminalSafe } from '../output/sanitize.js';

/**
 * Makes retries visible: a remark on the spinner, and with -v a line on stderr (text output only; JSON and
 * YAML keep stderr for errors).
 */
export function showRetries(progress: () => Progress, opts: { verbose: boolean; text: boolean }): void {
  observeRequests({
    retry: (n) => {
      const what = `retrying ${n.operation} on ${n.context} after ${n.cause} (attempt ${n.attempt}, in ${(n.delayMs / 1000).toFixed(1)}s)`;
      progress().note(what);
      if (opts.verbose && opts.text) process.stderr.write(`${terminalSafe(what)}\n`);
    },
  });
}
