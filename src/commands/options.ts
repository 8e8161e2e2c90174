import { UsageError } from '../errors.js';
import { parseGoDuration } from '../kubesphere/config/duration.js';
import type { OutputFormat } from '../output/structured.js';

/** `--since 1h`, `--request-timeout 10s`: Go durations as kubectl takes them; a bare number means seconds. */
export function durationFlag(flag: string, value: unknown, opts: { allowZero?: boolean } = {}): number {
  const text = String(value ?? '').trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : goDurationMs(text);
  if (ms === undefined || ms < 0 || (!opts.allowZero && ms === 0)) {
    throw new UsageError(
      `${flag} "${text}" is not a duration.`,
      `Give a number with a unit, such as 30s, 5m or 1h (${flag} 10s).`,
    );
  }
  return ms;
}

/**
 * The duration as the report echoes it, in Go's syntax: a bare number of seconds (accepted, as kubectl's
 * --request-timeout does) is shown with its unit (`300` → `300s`); anything else as the user wrote it.
 */
export function durationText(value: unknown): string {
  const text = String(value ?? '').trim();
  return /^\d+$/.test(text) ? `${text}s` : text;
}

function goDurationMs(text: string): number | undefined {
  const parsed = parseGoDuration(text);
  if (!parsed.ok) return undefined;
  return Number(parsed.nanos / 1_000_000n);
}

export function positiveIntFlag(flag: string, value: unknown): number {
  const text = String(value ?? '').trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${flag} "${text}" is not a positive whole number.`, `For example: ${flag} 1000.`);
  }
  return n;
}

export function outputFlag(value: unknown): OutputFormat {
  return value === 'json' || value === 'yaml' ? value : 'text';
}

/** A value quoted for a POSIX shell only when it needs it, for commands we suggest. */
export { shellWord } from '../output/program.js';

/** setTimeout's ceiling (24.8 days): `--request-timeout 0` ("no timeout", as in kubectl) and longer ones. */
export const NO_REQUEST_TIMEOUT_MS = 2 ** 31 - 1;

/** `--request-timeout 10s`; `0` means no timeout, as in kubectl. */
export function requestTimeoutFlag(value: unknown): number {
  const ms = durationFlag('--request-timeout', value ?? '10s', { allowZero: true });
  return ms === 0 ? NO_REQUEST_TIMEOUT_MS : Math.min(ms, NO_REQUEST_TIMEOUT_MS);
}

/** At this -v level and above, each API request is logged on stderr (kubectl logs them from 6 on). */
export const LOG_REQUESTS_LEVEL = 6;

/**
 * kubectl's `-v=N` as ks-restore takes it: `-v` alone (the old boolean) is 1, `-v 6`, `-v=6` and `--v=6`
 * are 6; the highest given wins. 1 and up: every check's evidence; 6 and up: each API request.
 */
export function verbosityFlag(...values: unknown[]): number {
  let level = 0;
  for (const value of values) {
    if (value === undefined || value === false) continue;
    if (value === true) {
      level = Math.max(level, 1);
      continue;
    }
    const text = String(value).replace(/^=/, '').trim();
    if (!/^\d{1,2}$/.test(text)) {
      throw new UsageError(
        `-v "${text}" is not a verbosity level.`,
        'Give a whole number from 0 to 99, as kubectl takes it: -v=6 logs each API request on stderr, -v alone shows every check.',
      );
    }
    level = Math.max(level, Number(text));
  }
  return level;
}
