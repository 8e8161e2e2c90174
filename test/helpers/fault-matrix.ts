/* eslint-disable @typescript-eslint/no-explicit-any -- stored objects, read field by field */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import type { CliResult } from './cli.js';
import { sandboxSecrets } from './secrets.js';

/**
 * The fault matrix: every API step of diagnose, repair and rollback × every kind of fault a hostile network or
 * an overloaded API server produces, through the built binary over HTTPS. Each case must end in a documented
 * exit code with a report that matches the cluster afterwards, no secret in any output or file name, no stack
 * trace, in bounded time. Transient faults (429, 5xx, resets, cut-off replies, a proxy's error page, a
 * concurrent edit) must not change the outcome at all: the tool retries them as kubectl's client would.
 */

export interface Kind {
  name: string;
  rule: Omit<FaultRule, 'cluster' | 'method' | 'path' | 'nth'>;
  /** Survived wherever it strikes: the outcome equals the run without the fault. */
  transient: boolean;
  /** Survived when it strikes a write that is really applied (not a dry run): re-read, then replayed. */
  transientOnWrite?: boolean;
}

export const KINDS: Kind[] = [
  { name: '403', rule: { kind: 'status', status: 403 }, transient: false },
  { name: '409', rule: { kind: 'status', status: 409 }, transient: false, transientOnWrite: true },
  { name: '429+Retry-After', rule: { kind: 'status', status: 429, retryAfter: 1 }, transient: true },
  { name: '429', rule: { kind: 'status', status: 429 }, transient: true },
  { name: '500', rule: { kind: 'status', status: 500 }, transient: true },
  { name: '503', rule: { kind: 'status', status: 503 }, transient: true },
  { name: 'reset', rule: { kind: 'reset' }, transient: true },
  { name: 'hang', rule: { kind: 'hang' }, transient: false, transientOnWrite: true },
  { name: 'stall', rule: { kind: 'stall' }, transient: false, transientOnWrite: true },
  { name: 'truncate', rule: { kind: 'truncate' }, transient: true },
  { name: 'malformed', rule: { kind: 'malformed' }, transient: false, transientOnWrite: true },
  { name: 'html', rule: { kind: 'html' }, transient: true },
  { name: 'concurrent-edit', rule: { kind: 'concurrent-edit' }, transient: true },
];

/**
 * The kinds a read is faulted with. A GET has no write to race (concurrent-edit) and meets no 409; 503 and the
 * proxy's HTML 502 take the same retry path as 500, and Retry-After the same as on writes, which keep every
 * kind. Fewer cases where they would repeat each other keeps `npm test` within CI's time.
 */
const READ_KINDS = new Set(['403', '429', '500', 'reset', 'hang', 'stall', 'truncate', 'malformed']);

/** The kinds each step is faulted with: every kind for writes, the distinct ones for reads. */
export const kindsFor = (step: Step): Kind[] =>
  step.method === 'GET' ? KINDS.filter((k) => READ_KINDS.has(k.name)) : KINDS;

const ALLOWED_EXITS = new Set([0, 1, 2, 3, 4]);
const CASE_LIMIT_MS = 45_000;
/**
 * Cases at a time. Many wait out a hang or a stall (the 3 s request timeout) rather than use the CPU, and the
 * matrix runs after every other test file (vitest.config.ts), so four keep both cores busy.
 */
const CONCURRENCY = 4;
const NS = 'kubesphere-system';
const CC = 'clusterconfigurations.installer.kubesphere.io';

export interface Step {
  cluster: string;
  method: string;
  path: string;
  nth: number;
  /** A write the command really applies (not its dryRun=All validation). */
  realWrite: boolean;
}

export const stepName = (s: Step): string => `${s.cluster} ${s.method} ${s.path}#${s.nth}`;

export async function sandbox(): Promise<Sandbox> {
  return startSandbox({
    ksVersion: '3.4',
    scenario: 'both', // the member needs every write: Secret, ClusterConfiguration, ConfigMap, restart
    podStartMs: 40,
    podStopMs: 20,
    trafficIntervalMs: 100,
    installerDelayMs: 600_000,
    hotReloadMs: 300,
    apiserverBootMs: 20,
    backfill: false, // the verdict comes from the configuration; an hour of old traffic only costs time
  });
}

/** The member's objects as far as the repair is concerned (metadata aside). */
export function memberState(sb: Sandbox): string {
  const c = sb.clusters.find((x) => x.name === 'member')!;
  const cm = c.store.get('configmaps', NS, 'kubesphere-config') as any;
  const secret = c.store.get('secrets', NS, 'kubesphere-secret') as any;
  const cc = c.store.get(CC, NS, 'ks-installer') as any;
  const dep = c.store.get('deployments.apps', NS, 'ks-apiserver') as any;
  return JSON.stringify({
    cm: cm.data,
    secret: secret.data,
    cc: cc.spec,
    restartedAt: dep.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? null,
  });
}

/** The repair's outcome on the member: the host's jwtSecret and accessTokenMaxAge 0. */
export function repaired(sb: Sandbox): boolean {
  const doc = (name: string): any => {
    const c = sb.clusters.find((x) => x.name === name)!;
    const cm = c.store.get('configmaps', NS, 'kubesphere-config') as any;
    return yaml.load(cm.data['kubesphere.yaml']);
  };
  const host = doc('host');
  const member = doc('member');
  const age = String(
    member.authentication.oauthOptions?.accessTokenMaxAge ?? member.authentication.accessTokenMaxAge,
  );
  return member.authentication.jwtSecret === host.authentication.jwtSecret && /^0s?$/.test(age);
}

/** What must hold of every case, whatever the fault. */
export function invariants(
  res: CliResult,
  secrets: string[],
  elapsedMs: number,
  backupRoot: string,
): string[] {
  const problems: string[] = [];
  if (!ALLOWED_EXITS.has(res.code ?? -1)) problems.push(`exit ${res.code}`);
  const out = res.stdout + res.stderr;
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(out)) problems.push('stack trace');
  for (const s of secrets) {
    if (out.includes(s) || out.includes(Buffer.from(s).toString('base64'))) problems.push('secret in output');
  }
  const names = listFiles(backupRoot).join('\n');
  for (const s of secrets) if (names.includes(s)) problems.push('secret in a file name');
  if (elapsedMs > CASE_LIMIT_MS) problems.push(`took ${elapsedMs} ms`);
  if (res.stderr.includes('\u001b') || res.stdout.includes('\u001b')) problems.push('escape codes in a pipe');
  return problems;
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return [];
  }
}

/** Runs `n` async jobs, `CONCURRENCY` at a time. */
export async function pool<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/** The requests a clean run makes, as steps: the first of each, and every write. */
export function stepsOf(seen: Sandbox['faults']['seen'], extra: (s: Step) => boolean = () => false): Step[] {
  const counts = new Map<string, number>();
  const steps: Step[] = [];
  for (const r of seen) {
    const path = r.path.replace(/^.*\/pods\/[^/]+\/log$/, '/log'); // pod names differ per sandbox
    const key = `${r.cluster} ${r.method} ${path}`;
    const nth = (counts.get(key) ?? 0) + 1;
    counts.set(key, nth);
    const write = r.method !== 'GET';
    // Writes come twice: the dryRun=All validation first, then the real one.
    const step: Step = { cluster: r.cluster, method: r.method, path, nth, realWrite: write && nth === 2 };
    if (nth === 1 || write || extra(step)) steps.push(step);
  }
  return steps;
}

export interface Tally {
  cases: number;
  survived: number;
  silentExits: number;
  unreportedPartial: number;
  secretHits: number;
  failures: string[];
}

export const tally: Tally = {
  cases: 0,
  survived: 0,
  silentExits: 0,
  unreportedPartial: 0,
  secretHits: 0,
  failures: [],
};
const cleanup: string[] = [];

/** Removes the temp dirs and prints the counts; each matrix file calls it in afterAll. */
export async function finishMatrix(name: string): Promise<void> {
  await Promise.all(cleanup.map((d) => rm(d, { recursive: true, force: true })));
  // The counts the issue asks for; printed so a run can be quoted.
  process.stdout.write(
    `fault matrix (${name}): ${tally.cases} cases, ${tally.survived} survived unchanged, ${tally.silentExits} silent exits, ` +
      `${tally.unreportedPartial} unreported partial changes, ${tally.secretHits} secret hits\n`,
  );
}

export function record(name: string, problems: string[], survived: boolean, res: CliResult): void {
  tally.cases++;
  if (survived) tally.survived++;
  if (
    res.code === 13 ||
    res.code === null ||
    (res.code !== 0 && res.stderr.trim() === '' && res.stdout.trim() === '')
  )
    tally.silentExits++;
  if (problems.includes('secret in output') || problems.includes('secret in a file name')) tally.secretHits++;
  if (problems.some((p) => p.startsWith('unreported'))) tally.unreportedPartial++;
  if (problems.length > 0) tally.failures.push(`${name}: ${problems.join(', ')} (exit ${res.code})`);
}

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ks-restore-faults-'));
  cleanup.push(d);
  return d;
}

// A hang costs one request timeout; 3 s leaves room for a busy machine running the rest of the suite.
export const COMMON = ['--host', 'host', '--member', 'member', '-o', 'json', '--request-timeout', '3s'];

export function allSecrets(sb: Sandbox): string[] {
  const { jwtSecrets, tokens } = sandboxSecrets(sb);
  return [...jwtSecrets, ...tokens];
}
