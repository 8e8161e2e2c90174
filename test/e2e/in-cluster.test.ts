import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { FAST } from '../helpers/fleet.js';

/**
 * In-cluster mode (issue 11): in a pod, with no kubeconfig anywhere, ks-restore runs as the pod's service
 * account (client-node's in-cluster config) against the host, and reaches members through the host's Cluster
 * objects. The service account's files come from a directory standing for `/` (KS_RESTORE_IN_CLUSTER_ROOT, the
 * one test seam); the token is the sandbox host's (the embedded server has no RBAC to bind; test/e2e/real/rbac.test.ts runs
 * it as the ServiceAccount bound by deploy/rbac/), the CA the host's own.
 */
let sb: Sandbox;
let work: string;
let root: string;
let inPod: NodeJS.ProcessEnv;

interface Report {
  host: { context: string };
  members: { context: string | null; status: string; cause: string; discovery: { method: string | null } }[];
}

beforeAll(async () => {
  sb = await startSandbox({ ksVersion: '3.4', scenario: 'token-cache', ...FAST });
  work = mkdtempSync(join(tmpdir(), 'ks-restore-in-cluster-'));
  root = join(work, 'root');
  const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(sa, { recursive: true });
  const kc = yaml.load(readFileSync(sb.kubeconfigPath, 'utf8')) as {
    contexts: { name: string; context: { user: string } }[];
    users: { name: string; user: { token: string } }[];
  };
  const user = kc.contexts.find((c) => c.name === 'host')!.context.user;
  const host = sb.clusters.find((c) => c.role === 'host')!;
  writeFileSync(join(sa, 'token'), kc.users.find((u) => u.name === user)!.user.token);
  writeFileSync(join(sa, 'ca.crt'), host.caCertPem);
  writeFileSync(join(sa, 'namespace'), 'ks-restore');
  mkdirSync(join(work, 'home'));
  const url = new URL(host.url);
  inPod = {
    HOME: join(work, 'home'), // no ~/.kube/config
    KUBERNETES_SERVICE_HOST: url.hostname,
    KUBERNETES_SERVICE_PORT: url.port,
    KS_RESTORE_IN_CLUSTER_ROOT: root,
  };
});
afterAll(async () => {
  await sb?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('in a pod, without a kubeconfig', () => {
  it("diagnoses as the pod's service account, members through the host's stored kubeconfigs", async () => {
    const r = await runCli(['diagnose', '--use-host-credentials', '-o', 'json'], inPod);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.host.context).toBe('in-cluster');
    expect(doc.members).toMatchObject([
      { status: 'unhealthy', cause: 'token-cache', discovery: { method: 'host-credentials' } },
    ]);
  });

  it('without --use-host-credentials the member has no way in, and the report says so', async () => {
    const r = await runCli(['diagnose', '-o', 'json'], inPod);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Report).members).toMatchObject([
      { status: 'error', discovery: { method: null } },
    ]);
  });

  it('--host naming a context is a usage error naming the in-cluster context', async () => {
    const r = await runCli(['diagnose', '--host', 'host'], inPod);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"in-cluster"');
  });
});

describe('which wins: a kubeconfig, as kubectl decides', () => {
  it('~/.kube/config wins over the service account', async () => {
    mkdirSync(join(work, 'home2/.kube'), { recursive: true });
    copyFileSync(sb.kubeconfigPath, join(work, 'home2/.kube/config'));
    const r = await runCli(['diagnose', '--host', 'host', '-o', 'json'], {
      ...inPod,
      HOME: join(work, 'home2'),
    });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).host.context).toBe('host');
  });

  it('KUBECONFIG wins; when none of its files exists, the service account is used (kubectl: nothing loaded)', async () => {
    const set = await runCli(['diagnose', '--host', 'host', '-o', 'json'], {
      ...inPod,
      KUBECONFIG: sb.kubeconfigPath,
    });
    expect((JSON.parse(set.stdout) as Report).host.context).toBe('host');
    const missing = await runCli(['diagnose', '--use-host-credentials', '-o', 'json'], {
      ...inPod,
      KUBECONFIG: join(work, 'nope'),
    });
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout) as Report).host.context).toBe('in-cluster');
  });

  it('--kubeconfig always wins; and outside a pod (no token file) nothing falls back', async () => {
    const flag = await runCli(
      ['diagnose', '--kubeconfig', sb.kubeconfigPath, '--host', 'host', '-o', 'json'],
      inPod,
    );
    expect((JSON.parse(flag.stdout) as Report).host.context).toBe('host');
    const noPod = await runCli(['diagnose'], { ...inPod, KS_RESTORE_IN_CLUSTER_ROOT: join(work, 'empty') });
    expect(noPod.code).toBe(2);
    expect(noPod.stderr).toMatch(/kubeconfig file .*\.kube\/config does not exist/);
  });
});
