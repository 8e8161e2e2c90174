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
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
