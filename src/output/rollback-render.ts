import yaml from 'js-yaml';
import { fingerprintSecret, MASK, maskTokens } from '../kubesphere/config/fingerprint.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import type { RestoreItem } from '../repair/restore.js';
import type { Colors } from './color.js';
import { unifiedDiff } from './diff.js';
import { secretMasker } from './mask.js';
import { terminalSafe as safe } from './sanitize.js';

export type ObjectOutcome = 'to-restore' | 'restored' | 'unchanged' | 'refused' | 'skipped' | 'failed';
export type RestartOutcome = 'planned' | 'done' | 'failed' | 'skipped';
export type RollbackStatus = 'rolled-back' | 'nothing-to-do' | 'refused' | 'planned' | 'partial' | 'failed';

export interface Failure {
  message: string;
  hint?: string;
}

/** One backed-up object of a rollback, as data: what was decided and what happened. */
export interface ObjectRow {
  target: string;
  status: ObjectOutcome;
  /** Why refused or skipped, or how it was restored (e.g. after a conflict): a code, worded below. */
  reason?: string;
  /** Current object vs backup, every secret masked. */
  diff?: string;
  error?: Failure;
}

export interface RestartRow {
  target: string;
  status: RestartOutcome;
  rollout?: { updated: number; desired: number; available: number };
  error?: Failure;
}

export interface RollbackRun {
  context: string;
  server: string;
  objects: ObjectRow[];
  restart: RestartRow | null;
}

const REASONS: Record<string, string> = {
  'never-written': 'the repair never wrote it',
  deleted: 'it no longer exists',
  'changed-since-repair': 'it changed again since the repair (someone else edited it)',
  'already-restored': 'found restored on re-reading it (a lost reply, or someone else)',
  'retried-after-conflict': 'written again after a concurrent change to its metadata',
  'not-attempted': 'not attempted after the failure above',
  forced: '--force: over a change made since the repair',
};

export function describeReason(reason: string | undefined): string {
  return reason === undefined ? '' : (REASONS[reason] ?? reason);
}

/** The diff of the object now against its backup, with every secret of either masked. */
export function restoreDiff(item: RestoreItem): string {
  const { object: o, original, current } = item;
  const now = current ?? ({ metadata: {} } as ObjectJson);
  const mask = maskerFor([now, original]);
  if (o.target === 'secret') {
    // Secret data are credentials: only which keys differ, by fingerprint.
    const a = decodedData(now);
    const b = decodedData(original);
    const lines = [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => a[k] !== b[k])
      .map((k) => `  data.${k}: ${fp(a[k])} → ${fp(b[k])}\n`);
    return lines.length > 0 ? `secret/${o.name} (now → backup):\n${lines.join('')}` : '';
  }
  const label = `${o.target}/${o.name}`;
  if (o.target === 'configmap') {
    const a = stringMap(now.data);
    const b = stringMap(original.data);
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return mask(
      keys
        .map((k) =>
          unifiedDiff(a[k] ?? '', b[k] ?? '', { from: `${label} ${k} (now)`, to: `${label} ${k} (backup)` }),
        )
        .join(''),
    );
  }
  const dump = (v: unknown) => yaml.dump(v ?? {}, { lineWidth: -1, sortKeys: true, noRefs: true });
  return mask(
    unifiedDiff(dump(now.spec), dump(original.spec), {
      from: `${label} spec (now)`,
      to: `${label} spec (backup)`,
    }),
  );
}

/**
 * The secrets to mask wherever they appear: every jwtSecret (kubesphere.yaml, the ClusterConfiguration), Secret
 * data, and long passwords. Short values under a secret-like key are masked by line instead (maskKeyLines), so
 * that a common word used as an OAuth client secret does not blank the whole diff.
 */
export function secretsIn(obj: ObjectJson): string[] {
  const out: string[] = [];
  if (obj.kind === 'Secret') out.push(...Object.values(decodedData(obj)));
  for (const text of Object.values(stringMap(obj.data))) {
    try {
      walk(yaml.load(text), out);
    } catch {
      // Not YAML: the line scan below still finds `jwtSecret: value`.
    }
    for (const m of text.matchAll(/jwtSecret\s*:\s*["']?([^"'\s#]+)/gi)) out.push(m[1]!);
  }
  walk(obj.spec, out);
  return out.filter((s) => s.length > 0);
}

function maskerFor(objects: ObjectJson[]): (text: string) => string {
  const masker = secretMasker(objects.flatMap(secretsIn));
  return (text) => maskKeyLines(maskTokens(masker(text)));
}

function walk(v: unknown, out: string[], key = ''): void {
  if (Array.isArray(v)) for (const x of v) walk(x, out, key);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, out, k);
  else if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v);
    if (/^jwtSecret$/i.test(key) || (/(password|passwd)$/i.test(key) && s.length >= 8)) out.push(s);
  }
}

/** `+  secret: value` (a key ending in secret, password, token…) in a diff: the value becomes ********. */
const KEY_LINE =
  /^([ +-][ \t]*(?:- )?["']?[\w.-]*?(?:secret|password|passwd|token|credentials?)["']?[ \t]*:[ \t]+)(?!["']?\*{8})(?!''$|""$|null$|~$)(\S.*)$/gim;

export function maskKeyLines(diff: string): string {
  return diff.replace(KEY_LINE, (_m, head: string) => `${head}${MASK}`);
}

function decodedData(obj: ObjectJson): Record<string, string> {
  const data = stringMap(obj.data);
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object') return {};
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

function fp(v: string | undefined): string {
  return v === undefined ? '(absent)' : `******** (fp ${fingerprintSecret(v).fingerprint ?? 'empty'})`;
}

const WORD: Record<ObjectOutcome, string> = {
  'to-restore': 'restore',
  restored: 'restored',
  unchanged: 'unchanged',
  refused: 'refused',
  skipped: 'skipped',
  failed: 'failed',
};

/** Before writing: per object what rollback would do, then the restart, then the masked diffs. */
export function renderRollbackPlan(run: RollbackRun, c: Colors, opts: { timeout: string }): string {
  const out = [c.bold(`Member ${safe(run.context)}`) + c.dim(`  ${safe(run.server)}`)];
  const width = Math.max(...run.objects.map((o) => WORD[o.status].length), 'restart'.length);
  for (const o of run.objects) {
    const why = describeReason(o.reason);
    const word = WORD[o.status].padEnd(width);
    out.push(
      `  ${o.status === 'refused' ? c.red(word) : o.status === 'to-restore' ? word : c.dim(word)}  ${safe(o.target)}${why ? c.dim(`: ${why}`) : ''}`,
    );
  }
  if (run.restart?.status === 'planned')
    out.push(
      `  ${'restart'.padEnd(width)}  ${safe(run.restart.target)}, then wait for the rollout (up to ${opts.timeout})`,
    );
  for (const o of run.objects) {
    if (o.status !== 'to-restore' || !o.diff) continue;
    out.push('');
    for (const line of o.diff
      .trimEnd()
      .split('\n')
      .map((l) => safe(l))) {
      const colored = line.startsWith('+')
        ? c.green(line)
        : line.startsWith('-')
          ? c.red(line)
          : line.startsWith('@@')
            ? c.cyan(line)
            : c.dim(line);
      out.push(`  ${colored}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const MARK: Record<ObjectOutcome | RestartOutcome, string> = {
  restored: '✔',
  done: '✔',
  unchanged: '=',
  refused: '✖',
  failed: '✖',
  skipped: '-',
  'to-restore': '·',
  planned: '·',
};

/** After writing: one line per object, then the restart and rollout, as repair's result rows. */
export function renderRollbackResult(run: RollbackRun, c: Colors): string {
  const out = [c.bold(`Result for ${safe(run.context)}`)];
  const width = Math.max(...run.objects.map((o) => WORD[o.status].length), 'restart'.length);
  const mark = (s: ObjectOutcome | RestartOutcome) =>
    s === 'restored' || s === 'done'
      ? c.green(MARK[s])
      : s === 'failed' || s === 'refused'
        ? c.red(MARK[s])
        : c.dim(MARK[s]);
  const errorLines = (e: Failure | undefined) =>
    e ? [`      ${c.red(safe(e.message))}`, ...(e.hint ? [`      ${c.dim(`→ ${safe(e.hint)}`)}`] : [])] : [];
  for (const o of run.objects) {
    const why = describeReason(o.reason);
    out.push(
      `  ${mark(o.status)} ${WORD[o.status].padEnd(width)}  ${safe(o.target)}${why ? c.dim(`: ${why}`) : ''}`,
    );
    out.push(...errorLines(o.error));
  }
  const r = run.restart;
  if (r) {
    const detail =
      r.status === 'done' && r.rollout
        ? `  ${r.rollout.updated}/${r.rollout.desired} pods updated and available`
        : r.status === 'skipped'
          ? c.dim(' (not done)')
          : '';
    out.push(`  ${mark(r.status)} ${'restart'.padEnd(width)}  ${safe(r.target)}${detail}`);
    out.push(...errorLines(r.error));
  }
  return `${out.join('\n')}\n`;
}

export function rollbackDocument(
  runs: RollbackRun[],
  meta: { status: RollbackStatus; exitCode: number; dryRun: boolean; backup: string },
) {
  return {
    schemaVersion: 1,
    command: 'rollback',
    status: meta.status,
    exitCode: meta.exitCode,
    dryRun: meta.dryRun,
    backup: meta.backup,
    objects: runs.flatMap((r) =>
      r.objects.map((o) => ({
        context: r.context,
        target: o.target,
        status: o.status,
        ...(o.reason ? { reason: o.reason, detail: describeReason(o.reason) } : {}),
        ...(o.diff ? { diff: o.diff } : {}),
        ...(o.error ? { error: o.error } : {}),
      })),
    ),
    restarts: runs.flatMap((r) => (r.restart ? [{ context: r.context, ...r.restart }] : [])),
  };
}
