import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { FAST } from '../helpers/fleet.js';

/** kubectl's habits (issue 11): --context, -v=6, --no-headers, --request-timeout 0, shell completion, help. */
let sb: Sandbox;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sb = await startSandbox({
    ksVersion: '3.4',
    scenario: 'token-cache',
    members: [{ name: 'm1' }, { name: 'm2' }],
    ...FAST,
  });
  work = mkdtempSync(join(tmpdir(), 'ks-restore-native-'));
  // The completion scripts run `ks-restore` from the PATH, as an installed copy would be.
  writeFileSync(join(work, 'ks-restore'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(work, 'ks-restore'), 0o755);
  // kubectl finds plugins on the PATH: the kubectl-ks_restore entry, as npm or krew would link it.
  const plugin = join(BIN, '..', 'kubectl-ks_restore.cjs');
  writeFileSync(join(work, 'kubectl-ks_restore'), `#!/bin/sh\nexec "${process.execPath}" "${plugin}" "$@"\n`);
  chmodSync(join(work, 'kubectl-ks_restore'), 0o755);
  env = { KUBECONFIG: sb.kubeconfigPath, HOME: work, XDG_STATE_HOME: join(work, 'state') };
});
afterAll(async () => {
  await sb?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Sources `ks-restore completion bash` in a bash subprocess and completes each line as if Tab was pressed. */
function bashComplete(lines: string[]): Promise<string[][]> {
  const script = [
    'source <(ks-restore completion bash) || exit 9',
    't() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _ks_restore_complete; printf "%s\\n" "${COMPREPLY[*]}"; }',
    ...lines.map((l) => `t '${l}'`),
  ].join('\n');
  return shell('bash', ['--norc', '--noprofile', '-c', script], lines.length);
}

const onPath = (name: string): boolean =>
  (process.env.PATH ?? '').split(delimiter).some((d) => existsSync(join(d, name)));

/** Runs a shell script; each of the first `n` lines of its output, split into words. */
function shell(cmd: string, args: string[], n: number): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    // Never spawnSync: the sandbox serves from this process.
    const child = spawn(cmd, args, {
      env: { ...env, PATH: `${work}${delimiter}${process.env.PATH ?? ''}` },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(
            out
              .split('\n')
              .slice(0, n)
              .map((l) => l.split(' ').filter(Boolean)),
          )
        : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
  });
}

describe('ks-restore completion bash', () => {
  it('completes subcommands, contexts from the kubeconfig, the host’s Cluster names and flag values', async () => {
    const contexts = (
      yaml.load(readFileSync(sb.kubeconfigPath, 'utf8')) as { contexts: { name: string }[] }
    ).contexts
      .map((c) => c.name)
      .sort();
    const [commands, host, member, clusters, output, inline, scenario] = await bashComplete([
      'ks-restore di',
      'ks-restore diagnose --context ',
      'ks-restore repair --member m',
      'ks-restore diagnose --host host --cluster ',
      'ks-restore diagnose -o y',
      'ks-restore diagnose --output=j',
      'ks-restore demo --scenario secret-',
    ]);
    expect(commands).toEqual(['diagnose']);
    expect(host!.sort()).toEqual(contexts);
    expect(member!.sort()).toEqual(contexts.filter((c) => c.startsWith('m')));
    expect(clusters!.sort()).toEqual(['m1', 'm2']);
    expect(output).toEqual(['yaml']);
    expect(inline).toEqual(['json']);
    expect(scenario).toEqual(['secret-mismatch']);
  });

  it('completes a context named with colons (EKS ARNs) as bash splits it, from --kubeconfig', async () => {
    const kc = join(work, 'eks.yaml');
    writeFileSync(
      kc,
      yaml.dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: {} }],
        contexts: ['prod-host', 'prod-member'].map((n) => ({
          name: `arn:aws:eks:us-east-1:123:cluster/${n}`,
          context: { cluster: 'c', user: 'u' },
        })),
      }),
    );
    const [member, inline] = await bashComplete([
      `ks-restore diagnose --kubeconfig ${kc} --member arn:aws:eks:us-east-1:123:cluster/prod-m`,
      `ks-restore diagnose --kubeconfig=${kc} --host=arn:aws:eks:us-east-1:123:cluster/prod-h`,
    ]);
    // bash replaces only what follows the word's last ':' (COMP_WORDBREAKS)
    expect(member).toEqual(['cluster/prod-member']);
    expect(inline).toEqual(['cluster/prod-host']);
  });

  it.skipIf(!onPath('zsh'))('zsh: the script completes contexts, values and commands', async () => {
    // compadd and _files stand in for zsh's completion system, which needs a terminal.
    const script = [
      'source <(ks-restore completion zsh) || exit 9',
      'compadd() { shift; [[ $1 == -- ]] && shift; print -r -- "$*"; }',
      '_files() { print FILES; }',
      't() { words=("$@"); CURRENT=$#; _ks_restore; }',
      't ks-restore diagnose --member m1',
      't ks-restore diagnose -o y',
      't ks-restore diagnose --kubeconfig ""',
      't ks-restore rep',
    ].join('\n');
    expect(await shell('zsh', ['-f', '-c', script], 4)).toEqual([
      ['m1', 'm1-readonly'],
      ['yaml'],
      ['FILES'],
      ['repair'],
    ]);
  });

  it.skipIf(!onPath('fish'))('fish: the script completes contexts and values', async () => {
    const script =
      'ks-restore completion fish | source; and complete -C "ks-restore diagnose --member m1" | string join " "; and complete -C "ks-restore diagnose -o j"';
    expect(await shell('fish', ['-N', '-c', script], 2)).toEqual([['m1', 'm1-readonly'], ['json']]);
  });

  it('prints a script for zsh and fish too, and refuses another shell (exit 2)', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await runCli(['completion', shell], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('__complete');
    }
    const bad = await runCli(['completion', 'csh'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });
});

describe("kubectl's flags", () => {
  it('--context is --host; the two naming different contexts is a usage error', async () => {
    const same = await runCli(['diagnose', '--context', 'host', '--member', 'm1', '-o', 'json'], env);
    expect(same.code).toBe(1); // token-cache: unhealthy
    expect(JSON.parse(same.stdout).host.context).toBe('host');
    const both = await runCli(['diagnose', '--host', 'host', '--context', 'm1'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--context/);
  });

  it('-v=6 logs each request (method, path, status, latency) on stderr, and nothing of a credential', async () => {
    const r = await runCli(['diagnose', '--context', 'host', '--member', 'm1', '-v=6', '-o', 'json'], env);
    expect(r.code).toBe(1);
    JSON.parse(r.stdout); // stdout stays pure JSON
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^host: GET \/version 200 in \d+ ms$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^m1: GET \/api\/v1\/namespaces\/kubesphere-system\/configmaps\/kubesphere-config 200 in \d+ ms$/,
      ),
    );
    // The log reads too (streamed, not buffered): every request is on the list, which deploy/rbac/ is checked against.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^m1: GET \/api\/v1\/namespaces\/kubesphere-system\/pods\/ks-apiserver-[a-z0-9-]+\/log\?container=ks-apiserver&\S+ 200 in \d+ ms$/,
      ),
    );
    expect(lines.every((l) => /^\S+: (GET|PUT|PATCH|POST|DELETE) \/\S* (\d{3}|\w+) in \d+ ms$/.test(l))).toBe(
      true,
    );
    const kc = yaml.load(readFileSync(sb.kubeconfigPath, 'utf8')) as {
      users: { user: { token?: string } }[];
    };
    for (const u of kc.users) if (u.user.token) expect(r.stderr).not.toContain(u.user.token);
    // The old boolean -v still works, and logs no requests.
    const old = await runCli(['diagnose', '--context', 'host', '--member', 'm1', '-v', '-o', 'json'], env);
    expect(old.code).toBe(1);
    expect(old.stderr).toBe('');
  });

  it('--no-headers drops the fleet summary header; --request-timeout 0 means no timeout', async () => {
    const withHeaders = await runCli(['diagnose', '--context', 'host', '--no-color'], env);
    const without = await runCli(
      ['diagnose', '--context', 'host', '--no-color', '--no-headers', '--request-timeout', '0'],
      env,
    );
    expect(withHeaders.code).toBe(1);
    expect(without.code).toBe(1);
    expect(withHeaders.stdout).toMatch(/^MEMBER +VERSION/m);
    expect(without.stdout).not.toMatch(/MEMBER +VERSION/);
    expect(without.stdout).toMatch(
      /^m1 +v3\.4\.\d+ +direct +unhealthy +token cache on \(accessTokenMaxAge not 0\)$/m,
    );
  });
});

/** Runs the real kubectl with the plugin on the PATH (never spawnSync: the sandbox serves from this process). */
function kubectl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/kubectl', args, {
      env: { ...env, PATH: `${work}${delimiter}${process.env.PATH ?? ''}` },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!existsSync('/usr/bin/kubectl'))('kubectl ks-restore (the kubectl plugin)', () => {
  it('suggests commands as the user typed them: kubectl ks-restore repair …, not a ks-restore krew never installed', async () => {
    const r = await kubectl(['ks-restore', 'diagnose', '--context', 'host', '--member', 'm1', '--no-color']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}Fix: +kubectl ks-restore repair --host host --member m1$/m);
    const help = await kubectl(['ks-restore', 'repair', '--help']);
    expect(help.stdout).toMatch(/^Usage: kubectl ks-restore repair \[options\]$/m);
    expect(help.stdout).toMatch(/\nExamples:\n {2}kubectl ks-restore repair /);
  });
});

describe('--help', () => {
  it('shows examples for every command', async () => {
    for (const command of ['diagnose', 'repair', 'rollback', 'demo', 'sandbox', 'completion']) {
      const r = await runCli([command, '--help'], env);
      expect(r.code).toBe(0);
      expect(r.stdout, command).toMatch(/\nExamples:\n {2}(source <\()?ks-restore /);
    }
  });

  it("lists the exit codes of README's table, with the same meanings", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('### Exit codes'));
    const rows = [...table.matchAll(/^\| ([\d/]+) +\| (.+?) +\|$/gm)].map((m) => [
      m[1],
      m[2]!.replace(/`/g, ''),
    ]);
    expect(rows.length).toBeGreaterThanOrEqual(7);
    const help = (await runCli(['--help'], env)).stdout;
    const listed = [...help.slice(help.indexOf('Exit codes:')).matchAll(/^ {2}([\d/]+) +(.+)$/gm)].map(
      (m) => [m[1], m[2]],
    );
    expect(listed).toEqual(rows);
  });
});
