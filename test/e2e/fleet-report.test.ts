/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedFleet, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { FAST, jwtSecrets } from '../helpers/fleet.js';

/**
 * The text a person reads, for `sandbox --scenario mixed --members 8`: members 2, 3, 4 and 6 are broken in ways
 * repair fixes, 7 is joined through a proxy (no context), 8 refuses connections, 1 and 5 are healthy.
 */
const REPAIRABLE = ['member-2', 'member-3', 'member-4', 'member-6'];
const MEMBERS = Array.from({ length: 8 }, (_, i) => `member-${i + 1}`);
/** Codes of the JSON document that must not show through in the text. */
const RAW_CODES = /no-route|unreadable|secret-mismatch|token-cache|no-write-time|skipped/;

const lines = (text: string) => text.trimEnd().split('\n');
const width = (line: string) => [...line].length;
/** The table row of a member: its name, then its version. */
const row = (text: string, member: string) =>
  lines(text).filter((l) => new RegExp(`^${member} +v\\d`).test(l));
/** Every `ks-restore repair …` command line (continued lines joined), as a shell would read it. */
const repairCommands = (text: string) =>
  text
    .replace(/ \\\n +/g, ' ')
    .split('\n')
    .filter((l) => /^\s*ks-restore repair /.test(l))
    .map((l) => l.trim().split(/ +/));

const hasScript = (() => {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
  } catch {
    return false;
  }
})();

describe('fleet text report: the mixed 8-member fleet', () => {
  let sb: Sandbox;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await runCli(args, { ...env, ...extra });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'healthy',
      members: mixedFleet(8, '3.4'),
      ...FAST,
    });
    work = mkdtempSync(join(tmpdir(), 'ks-restore-report-'));
    env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: join(work, 'state'), HOME: work };
  }, 30_000);
  afterAll(async () => {
    await sb?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the JSON document names the causes this file expects', async () => {
    const doc = JSON.parse((await run(['diagnose', '--host', 'host', '-o', 'json'])).stdout);
    const causes = Object.fromEntries(doc.members.map((m: any) => [m.discovery.cluster, m.cause]));
    expect(causes).toEqual({
      'member-1': 'healthy',
      'member-2': 'token-cache',
      'member-3': 'secret-mismatch',
      'member-4': 'secret-mismatch-and-token-cache',
      'member-5': 'healthy',
      'member-6': 'token-cache',
      'member-7': 'no-route',
      'member-8': 'unreadable',
    });
  });

  it('fits on one screen at 100 columns: one table, evidence, ONE repair command for exactly the repairable members', async () => {
    const r = await run(['diagnose', '--host', 'host', '--no-color'], { COLUMNS: '100' });
    expect(r.code).toBe(3);
    const out = lines(r.stdout);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(Math.max(...out.map(width))).toBeLessThanOrEqual(100);

    expect(
      lines(r.stdout).filter((l) => /^MEMBER +VERSION +CONNECTION +VERDICT +CAUSE$/.test(l)),
    ).toHaveLength(1);
    for (const m of MEMBERS) expect(row(r.stdout, m), m).toHaveLength(1);
    expect(row(r.stdout, 'member-2')[0]).toMatch(/unhealthy +token cache on \(accessTokenMaxAge not 0\)$/);
    expect(row(r.stdout, 'member-4')[0]).toMatch(/unhealthy +jwtSecret differs, and token cache on$/);
    // An unreachable member is one row, with its reason.
    expect(row(r.stdout, 'member-7')[0]).toMatch(
      /proxy +error +not reachable: proxy connection, no context$/,
    );
    expect(row(r.stdout, 'member-8')[0]).toMatch(/direct +error +not reachable: connection refused/);
    expect(r.stdout).not.toMatch(RAW_CODES);
    expect(r.stdout).not.toMatch(/Fix:|Verdict:|no jwtSecret/);

    // A line of evidence per member that needs attention, in a few words.
    const evidence = r.stdout.slice(r.stdout.indexOf('Evidence:'));
    expect(evidence).toMatch(
      /^ {2}member-3 +jwtSecret fp [0-9a-f]{8}, host's [0-9a-f]{8}; \d+× "signature is invalid"/m,
    );
    expect(evidence).toMatch(/^ {2}member-6 +accessTokenMaxAge 2h0m0s; \d+× "token not found in cache"/m);

    const commands = repairCommands(r.stdout);
    expect(commands).toHaveLength(1);
    expect(r.stdout.match(/ks-restore repair/g)).toHaveLength(1);
    const members = commands[0]!.flatMap((w, i, all) => (all[i - 1] === '--member' ? [w] : []));
    expect(members).toEqual(REPAIRABLE);
    // The others: what to do instead.
    const notes = r.stdout.slice(r.stdout.indexOf('Not fixed by that repair:'));
    expect(notes).toMatch(/^ {2}member-7 +Add a kubeconfig context .*\(--member member-7=CONTEXT\)/m);
    expect(notes).toMatch(/^ {2}member-8 +Check the server URL/m);
  });

  it('in a pipe without $COLUMNS nothing is wrapped: the repair command is one line', async () => {
    const r = await run(['diagnose', '--host', 'host']);
    const command = lines(r.stdout).filter((l) => l.includes('ks-restore repair'));
    expect(command).toEqual([
      `  ks-restore repair --host host ${REPAIRABLE.map((m) => `--member ${m}`).join(' ')}`,
    ]);
    // The host's warning, unwrapped, is longer than 100 columns.
    expect(Math.max(...lines(r.stdout).map(width))).toBeGreaterThan(100);
  });

  it('--no-headers drops the table header, not its rows', async () => {
    const r = await run(['diagnose', '--host', 'host', '--no-headers']);
    expect(r.stdout).not.toMatch(/MEMBER +VERSION/);
    for (const m of MEMBERS) expect(row(r.stdout, m), m).toHaveLength(1);
  });

  it('-v: every check of every member with its evidence; a jwtSecret that could not be read is "unknown"', async () => {
    const r = await run(['diagnose', '--host', 'host', '-v'], { COLUMNS: '100' });
    for (const m of MEMBERS) expect(r.stdout).toContain(`Member ${m} `);
    expect(r.stdout.match(/✔ reachable/g)?.length).toBe(7); // the host and the six members that answer
    expect(r.stdout).toMatch(/^ +· kubesphereVersion=v\d/m);
    expect(r.stdout).toMatch(/^Member member-7 .*jwtSecret unknown$/m);
    expect(r.stdout).toMatch(/^Member member-8 .*jwtSecret unknown$/m);
    expect(r.stdout).toMatch(/^Member member-1 .*jwtSecret fp [0-9a-f]{8}$/m);
    expect(r.stdout).not.toContain('no jwtSecret');
    // Still one command for the fleet, no Fix line per member.
    expect(repairCommands(r.stdout)).toHaveLength(1);
    expect(r.stdout).not.toContain('Fix:');
    expect(Math.max(...lines(r.stdout).map(width))).toBeLessThanOrEqual(100);
  });

  it('one member: every check, its fix; -v adds the evidence of the passing checks', async () => {
    const plain = await run(['diagnose', '--host', 'host', '--member', 'member-2']);
    const verbose = await run(['diagnose', '--host', 'host', '--member', 'member-2', '-v']);
    for (const r of [plain, verbose]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^ {2}✔ reachable /m);
      expect(r.stdout).toMatch(/^ {2}✔ clock-skew /m);
      expect(r.stdout).toMatch(/^ {2}Fix: +ks-restore repair --host host --member member-2$/m);
    }
    expect(plain.stdout).not.toMatch(/^ +· /m);
    expect(verbose.stdout).toMatch(/^ +· kubesphereVersion=v\d/m);
    expect(verbose.stdout).toMatch(/^ +· skewSeconds=-?[\d.]+ /m);
  });

  it.skipIf(!hasScript)('on a terminal, lines wrap at its width', async () => {
    const cmd = `stty cols 90; exec ${process.execPath} ${BIN} diagnose --host host --no-color 2>/dev/null`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], {
        env: { PATH: process.env.PATH, HOME: work, TERM: 'xterm', KUBECONFIG: sb.kubeconfigPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    const screen = lines(out.replace(/\r/g, ''));
    expect(screen.some((l) => l.startsWith('MEMBER '))).toBe(true);
    expect(Math.max(...screen.map(width))).toBeLessThanOrEqual(90);
  });

  it('the printed command, as a dry run: exactly the repairable members, nothing refused, nothing applied', async () => {
    const printed = repairCommands((await run(['diagnose', '--host', 'host'])).stdout)[0]!;
    const r = await run([...printed.slice(1), '--dry-run', '--no-color'], { COLUMNS: '100' });
    expect(r.code).toBe(1); // changes pending
    const table = r.stdout.slice(r.stdout.lastIndexOf('MEMBER '));
    expect(lines(table)[0]).toMatch(/^MEMBER +RESULT +DETAIL$/);
    const rows = lines(table).filter((l) => /^member-\d/.test(l));
    expect(rows.map((l) => l.split(/ {2,}/))).toEqual(
      REPAIRABLE.map((m) => [m, 'skipped', 'not applied (--dry-run)']),
    );
    expect(r.stdout).not.toContain('rollback');
    for (const l of lines(r.stdout)) expect(width(l)).toBeLessThanOrEqual(100);
  }, 120_000);

  it('a repair of the whole fleet ends with a result table per member and the one rollback command', async () => {
    const r = await run(['repair', '--host', 'host', '--yes', '--timeout', '60s', '--no-color'], {
      COLUMNS: '100',
    });
    expect(r.code).toBe(3); // repaired what could be; two members could not be read
    const table = r.stdout.slice(r.stdout.lastIndexOf('MEMBER ')).replace(/ \\\n +/g, ' ');
    const results = Object.fromEntries(
      lines(table)
        .filter((l) => /^member-\d/.test(l))
        .map((l) => l.split(/ {2,}/).slice(0, 2)),
    );
    expect(results).toEqual({
      'member-1': 'skipped',
      'member-2': 'verified',
      'member-3': 'verified',
      'member-4': 'verified',
      'member-5': 'skipped',
      'member-6': 'verified',
      'member-7': 'refused',
      'member-8': 'refused',
    });
    expect(table).toMatch(/^member-7 +refused +not reachable: proxy connection, no context$/m);
    expect(table).toMatch(/^member-1 +skipped +nothing to do$/m);
    const undo = table.match(/^To undo the changes to (.+):\n {2}ks-restore rollback --backup (\S+)$/m);
    expect(undo?.[1]).toBe(REPAIRABLE.join(', '));
    expect(existsSync(join(undo![2]!, 'manifest.json'))).toBe(true);
    expect(r.stdout.match(/ks-restore rollback/g)).toHaveLength(1);
    // The steps of verified members are left to -v: no "Result for" block.
    expect(r.stdout).not.toContain('Result for');
    for (const l of lines(r.stdout)) expect(width(l)).toBeLessThanOrEqual(100);
  }, 120_000);

  it('no jwtSecret reached any output', () => {
    const secrets = jwtSecrets(sb);
    expect(secrets.length).toBeGreaterThan(1);
    for (const text of outputs) for (const s of secrets) expect(text).not.toContain(s);
  });
});
