import { ExitCode } from '../errors.js';
import { terminalSafe } from '../output/sanitize.js';
import { journal } from '../repair/journal.js';

/**
 * Ctrl-C or SIGTERM while a command changes clusters: stop the spinner, say what was changed so far and how to
 * undo it, and exit 130 or 143 as shells expect. Returns the function that removes the handlers.
 */
export function onInterrupt(stopProgress: () => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    stopProgress();
    process.stderr.write(
      `\nInterrupted (${signal}). ${terminalSafe(journal.describe().join('\n'), { keepNewlines: true })}\n`,
    );
    process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
