import ora, { type Ora } from 'ora';
import { terminalSafe as safe } from './sanitize.js';

/** Progress on stderr: a spinner on a TTY, nothing otherwise (pipes, CI, -o json). */
export interface Progress {
  start(text: string): void;
  update(text: string): void;
  /** A passing remark on the running spinner (e.g. a retry); dropped when there is no spinner. */
  note(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  info(text: string): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start() {},
  update() {},
  note() {},
  succeed() {},
  fail() {},
  info() {},
  stop() {},
};

/** The part of a stream the spinner decision looks at. */
type SpinnerStream = Pick<NodeJS.WriteStream, 'isTTY' | 'columns' | 'write'>;

/**
 * A spinner needs a TTY that knows its width: ora divides by `columns` to count the lines to clear, and a
 * terminal reporting 0 columns (some CI PTYs, `script` without a size) makes it clear lines forever.
 */
export function spinnerFits(stream: SpinnerStream): boolean {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0;
}

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
