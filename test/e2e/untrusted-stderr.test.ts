import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A kubeconfig whose exec credential plugin fails with an OSC 52 clipboard write, a clear screen, RLO and a C1 CSI. */
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
- name: m
  cluster: {server: "https://127.0.0.1:2"}
contexts:
- {name: host, context: {cluster: c, user: u}}
- {name: member, context: {cluster: m, user: u}}
current-context: host
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: sh
      args: ["-c", "printf 'boom \\\\033]52;c;ZXZpbA==\\\\007\\\\033[2J\\\\342\\\\200\\\\256 \\\\302\\\\233 end' >&2; exit 1"]
      interactiveMode: Never
`;

describe('an exec plugin whose stderr carries terminal escape sequences', () => {
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ksr-esc-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfig, KUBECONFIG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['diagnose (the finding)', ['diagnose']],
    ['repair (the error boundary)', ['repair', '--dry-run']],
  ])('%s: shown as visible escapes, never sent to the terminal', async (_name, args) => {
    const r = await runCli([...args, '--kubeconfig', kubeconfig, '--host', 'host', '--member', 'member']);
    expect(r.code).toBe(3);
    expect(`${r.stdout}${r.stderr}`).toContain(
      'boom \\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\u202e \\u009b end',
    );
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stderr).not.toMatch(RAW);
  });
});
