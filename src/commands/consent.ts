import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.js';

/**
 * Consent before changing clusters: --yes, or a y/N question on a terminal. Without a terminal and without
 * --yes, refuse (exit 2): a script must say what it wants.
 */
export async function confirm(question: string, opts: { yes: boolean; what: string }): Promise<boolean> {
  if (opts.yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(
      `refusing to change ${opts.what} without confirmation: no terminal to ask, and --yes was not given.`,
      'Review the plan with --dry-run, then run again with --yes.',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
