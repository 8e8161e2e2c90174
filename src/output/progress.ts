import ora, { type Ora } from 'ora';
import { terminalSafe as safe } from './sanitize.js';
import { silentProgress, spinnerFits, type Progress, type SpinnerStream } from './progress-base.js';

export { silentProgress, spinnerFits, type Progress } from './progress-base.js';

export function createProgress(opts: { stream: SpinnerStream; enabled: boolean; color: boolean }): Progress {
  if (!opts.enabled || !spinnerFits(opts.stream)) return silentProgress;
  const stream = opts.stream as NodeJS.WriteStream;
  let spinner: Ora | undefined;
  let base = '';
  const get = (): Ora => {
    spinner ??= ora({ stream, color: opts.color ? 'cyan' : false, discardStdin: false });
    return spinner;
  };
  return {
    // Step texts name contexts and clusters, which come from kubeconfigs and the host: made terminal-safe.
    start: (text) => {
      base = safe(text);
      get().start(base);
    },
    update: (text) => {
      base = safe(text);
      get().text = base;
    },
    note: (text) => {
      // Shown beside the current step until the next update replaces it.
      if (spinner?.isSpinning) spinner.text = `${base} (${safe(text)})`;
    },
    succeed: (text) => void get().succeed(safe(text)),
    fail: (text) => void get().fail(safe(text)),
    info: (text) => void get().info(safe(text)),
    stop: () => void spinner?.stop(),
  };
}
