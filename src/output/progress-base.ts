/**
 * What the commands use of progress without loading the spinner: ora, through string-width, builds Unicode
 * tables and an Intl.Segmenter when loaded (tens of ms), which only a terminal that shows a spinner needs.
 */
import type { createProgress as CreateProgress } from './progress.js';

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
export type SpinnerStream = Pick<NodeJS.WriteStream, 'isTTY' | 'columns' | 'write'>;

/**
 * A spinner needs a TTY that knows its width: ora divides by `columns` to count the lines to clear, and a
 * terminal reporting 0 columns (some CI PTYs, `script` without a size) makes it clear lines forever.
 */
export function spinnerFits(stream: SpinnerStream): boolean {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0;
}

type ProgressOptions = Parameters<typeof CreateProgress>[0];

/** createProgress, loading the spinner only when one will show. */
export async function openProgress(opts: ProgressOptions): Promise<Progress> {
  if (!opts.enabled || !spinnerFits(opts.stream)) return silentProgress;
  const { createProgress } = await import('./progress.js');
  return createProgress(opts);
}
