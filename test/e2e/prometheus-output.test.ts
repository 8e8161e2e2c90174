import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { escapeLabelValue } from '../../src/output/diagnose-prometheus.js';
import { runCli } from '../helpers/cli.js';
import { FAST } from '../helpers/fleet.js';
import { sandboxSecrets } from '../helpers/secrets.js';

/**
 * `diagnose -o prometheus` (issue 11): what node_exporter's textfile collector or a Pushgateway reads. Every
 * line must parse as the text exposition format, label values escaped (a context name is anyone's text), no
 * secret or fingerprint, and the exit code stays diagnose's.
 */
const WEIRD = 'ops "blue"\\green'; // a context name with a quote and a backslash

/** One sample line of the text format: name, labels (values unescaped), value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
function parseExposition(text: string): Sample[] {
  expect(text.endsWith('\n')).toBe(true);
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(meta[3]).toBe('gauge');
        typed.add(meta[2]!);
      } else expect(meta[3]).not.toMatch(/\n/);
      continue;
    }
    const name = NAME.exec(line)?.[0];
    expect(name, line).toBeDefined();
    expect(typed.has(name!), `${name} has its # TYPE line first`).toBe(true);
    let rest = line.slice(name!.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const m = /^\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\}/.exec(rest);
      expect(m, line).not.toBeNull();
      for (const [, k, v] of m![1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g)) {
        expect(labels[k!], `label ${k} once`).toBeUndefined();
        labels[k!] = v!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      rest = rest.slice(m![0].length);
    }
    const value = / ([-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|NaN|Inf))$/i.exec(rest);
    expect(value?.[0], line).toBe(rest);
    samples.push({ name: name!, labels, value: Number(value![1]) });
  }
  return samples;
}

describe('label values are escaped as the text format requires', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('%j → %j', (raw, escaped) => expect(escapeLabelValue(raw)).toBe(escaped));
});

describe('diagnose -o prometheus on a fleet', () => {
  let sb: Sandbox;
  let work: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      members: [
        { name: 'ok', scenario: 'healthy' },
        { name: 'bad', scenario: 'token-cache' },
      ],
      contextNames: { bad: WEIRD },
      ...FAST,
    });
    work = mkdtempSync(join(tmpdir(), 'ks-restore-prom-'));
    env = { KUBECONFIG: sb.kubeconfigPath, HOME: work };
  });
  afterAll(async () => {
    await sb?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('one healthy gauge per member with its cause, the same counts as -o json, exit 1 as documented', async () => {
    const before = Date.now() / 1000;
    const r = await runCli(['diagnose', '--host', 'host', '-o', 'prometheus'], env);
    const after = Date.now() / 1000;
    expect(r.code).toBe(1);
    const samples = parseExposition(r.stdout);
    // Members in the report's order (by name); compared by member here.
    const of = (name: string) =>
      samples
        .filter((s) => s.name === name)
        .sort((a, b) => (a.labels.member ?? '').localeCompare(b.labels.member ?? ''));

    expect(of('ks_restore_member_healthy')).toEqual([
      {
        name: 'ks_restore_member_healthy',
        labels: { host: 'host', member: 'bad', cause: 'token-cache' },
        value: 0,
      },
      {
        name: 'ks_restore_member_healthy',
        labels: { host: 'host', member: 'ok', cause: 'healthy' },
        value: 1,
      },
    ]);
    // The context name, quote and backslash included, comes back whole once unescaped.
    expect(
      of('ks_restore_member_info').map((s) => [s.labels.member, s.labels.context, s.labels.status]),
    ).toEqual([
      ['bad', WEIRD, 'unhealthy'],
      ['ok', 'ok', 'healthy'],
    ]);
    expect(of('ks_restore_diagnose_exit_code')).toMatchObject([{ value: 1 }]);
    const [stamp] = of('ks_restore_diagnose_timestamp_seconds');
    expect(stamp!.value).toBeGreaterThanOrEqual(Math.floor(before));
    expect(stamp!.value).toBeLessThanOrEqual(Math.ceil(after));

    const json = await runCli(['diagnose', '--host', 'host', '-o', 'json'], env);
    const doc = JSON.parse(json.stdout) as {
      summary: Record<string, number>;
      members: {
        discovery: { cluster: string };
        checks: { id: string; status: string; code: string }[];
        jwtSecret: { fingerprint: string };
      }[];
      host: { jwtSecret: { fingerprint: string } };
    };
    const counts = Object.fromEntries(of('ks_restore_checks').map((s) => [s.labels.status, s.value]));
    expect(counts).toEqual(doc.summary);
    expect(
      of('ks_restore_check')
        .filter((s) => s.labels.member === 'bad')
        .map((s) => ({ id: s.labels.check, status: s.labels.status, code: s.labels.code })),
    ).toEqual(
      doc.members
        .find((m) => m.discovery.cluster === 'bad')!
        .checks.map((c) => ({ id: c.id, status: c.status, code: c.code })),
    );

    // Nothing secret: no jwtSecret, no token, not even a fingerprint.
    const { jwtSecrets, tokens } = sandboxSecrets(sb);
    for (const s of [...jwtSecrets, ...tokens]) expect(r.stdout).not.toContain(s);
    for (const fp of [doc.host.jwtSecret.fingerprint, ...doc.members.map((m) => m.jwtSecret.fingerprint)])
      expect(r.stdout).not.toContain(fp);
    expect(r.stderr).toBe('');
  });

  it('-o prometheus is for diagnose: repair refuses it as an unknown format (exit 2)', async () => {
    const r = await runCli(['repair', '--host', 'host', '--dry-run', '-o', 'prometheus'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
