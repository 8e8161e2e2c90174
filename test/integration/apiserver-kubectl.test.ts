import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinTypes } from '../../src/sandbox/apiserver/builtins.js';
import { DeploymentController } from '../../src/sandbox/apiserver/deployments.js';
import { LogStore } from '../../src/sandbox/apiserver/logs.js';
import { startApiServer } from '../../src/sandbox/apiserver/server.js';
import type { RunningApiServer } from '../../src/sandbox/apiserver/server.js';
import { ClusterStore } from '../../src/sandbox/apiserver/store.js';
import type { KubeObject } from '../../src/sandbox/apiserver/store.js';

const KUBECTL = '/usr/bin/kubectl';
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`skipping kubectl tests: ${KUBECTL} not found`);

const NS = 'kubesphere-system';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function deployment(name: string, containers: string[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: containers.map((c) => ({ name: c, image: `kubesphere/${c}:v3.4.1` })) },
      },
    },
  };
}

// The gcloud kubectl dispatcher picks its client by server version: 1.27 and 1.32 clients both get exercised.
describe.skipIf(!hasKubectl).each(['v1.27.10', 'v1.32.4'])('real kubectl against a %s sandbox', (version) => {
  let dir: string;
  let srv: RunningApiServer;
  let controller: DeploymentController;
  let store: ClusterStore;

  const kubeconfig = (token: string): string => {
    const file = join(dir, `kubeconfig-${token}`);
    const ca = Buffer.from(srv.caCertPem).toString('base64');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: sandbox, cluster: {server: "${srv.url}", certificate-authority-data: ${ca}}}]`,
        `users: [{name: u, user: {token: ${token}}}]`,
        `contexts: [{name: sandbox, context: {cluster: sandbox, user: u, namespace: ${NS}}}]`,
        'current-context: sandbox',
      ].join('\n'),
    );
    return file;
  };

  const kubectl = (args: string[], token = 'admin', env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfig(token), '--cache-dir', join(dir, 'cache'), ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ks-apiserver-kubectl-'));
    store = new ClusterStore();
    registerBuiltinTypes(store);
    store.registerType({
      group: 'cluster.kubesphere.io',
      version: 'v1alpha1',
      resource: 'clusters',
      kind: 'Cluster',
      singular: 'cluster',
      namespaced: false,
      printerColumns: [
        { name: 'Federated', type: 'boolean', jsonPath: '.spec.joinFederation' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    });
    const logs = new LogStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubesphere-config', namespace: NS },
      data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: abc\n' },
    });
    store.create({
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'host' },
      spec: { joinFederation: true },
    });
    controller = new DeploymentController({
      store,
      logs,
      podStartMs: 100,
      podStopMs: 50,
      onPodStarted: (pod) => {
        for (const c of (pod.spec as { containers: { name: string }[] }).containers) {
          logs.append(NS, pod.metadata.name, c.name, { time: new Date(), text: `${c.name} started` });
        }
      },
    });
    controller.seed(deployment('ks-apiserver', ['ks-apiserver']));
    controller.seed(deployment('ks-console', ['ks-console', 'sidecar']));
    controller.start();
    srv = await startApiServer({
      name: 'host',
      store,
      logs,
      adminToken: 'admin',
      readonlyToken: 'readonly',
      kubernetesVersion: version,
    });
  });

  afterAll(async () => {
    controller?.stop();
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gets a ConfigMap as YAML', async () => {
    const r = await kubectl(['get', 'cm', '-n', NS, 'kubesphere-config', '-o', 'yaml']);
    expect(r.stderr).toBe('');
    const cm = load(r.stdout) as KubeObject;
    expect(cm).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'kubesphere-config', namespace: NS } });
    expect((cm.data as Record<string, string>)['kubesphere.yaml']).toContain('jwtSecret: abc');
  });

  it.each([
    [['get', 'pods'], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/],
    [['get', 'deploy'], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/],
    [['get', 'cm'], /^NAME\s+DATA\s+AGE$/],
    [['get', 'rs'], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/],
    [['get', 'clusters'], /^NAME\s+FEDERATED\s+AGE$/],
  ])('kubectl %j prints the real columns', async (args, header) => {
    const r = await kubectl(args);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(header);
  });

  it('lists running pods', async () => {
    const r = await kubectl(['get', 'pods', '-l', 'app=ks-console', '--no-headers']);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^ks-console-\w+-\w{5}\s+2\/2\s+Running\s+0\s+3d$/);
  });

  it('reads logs of a named container', async () => {
    const pod = store.list('pods', NS, { labelSelector: 'app=ks-console' })[0]!.metadata.name;
    const r = await kubectl(['logs', pod, '-c', 'sidecar']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sidecar started\n');
  });

  it('restarts a deployment and waits for the rollout (maxSurge 0, 3 replicas)', async () => {
    const before = store.list('pods', NS, { labelSelector: 'app=ks-apiserver' }).map((p) => p.metadata.name);
    const restart = await kubectl(['rollout', 'restart', 'deploy', 'ks-apiserver']);
    expect(restart.stdout).toBe('deployment.apps/ks-apiserver restarted\n');
    const status = await kubectl(['rollout', 'status', 'deploy', 'ks-apiserver', '--timeout=30s']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "ks-apiserver" successfully rolled out');
    const after = store.list('pods', NS, { labelSelector: 'app=ks-apiserver' });
    expect(after).toHaveLength(3);
    expect(after.some((p) => before.includes(p.metadata.name))).toBe(false);
    const d = store.get('deployments.apps', NS, 'ks-apiserver')!;
    expect(d.metadata.managedFields?.map((m) => m.manager)).toContain('kubectl-rollout');
  });

  it('waits on a paused deployment with a pending change until the timeout, as real', async () => {
    expect((await kubectl(['rollout', 'pause', 'deploy', 'ks-console'])).code).toBe(0);
    expect((await kubectl(['rollout', 'status', 'deploy', 'ks-console', '--timeout=5s'])).code).toBe(0);
    expect(
      (await kubectl(['set', 'image', 'deploy/ks-console', 'ks-console=kubesphere/ks-console:v3.4.2'])).code,
    ).toBe(0);
    const waiting = await kubectl(['rollout', 'status', 'deploy', 'ks-console', '--timeout=1s']);
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toContain(
      'Waiting for deployment "ks-console" rollout to finish: 0 out of 3 new replicas have been updated...',
    );
    expect(waiting.stderr).toContain('timed out waiting for the condition');
    expect((await kubectl(['rollout', 'resume', 'deploy', 'ks-console'])).code).toBe(0);
    expect((await kubectl(['rollout', 'status', 'deploy', 'ks-console', '--timeout=30s'])).code).toBe(0);
  });

  it('applies and edits through the client-side paths (which download OpenAPI first)', async () => {
    const file = join(dir, 'cm.yaml');
    writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: ${NS}}\ndata: {k: v}\n`,
    );
    expect((await kubectl(['apply', '-f', file])).stdout).toBe('configmap/applied created\n');
    expect((await kubectl(['apply', '-f', file])).stdout).toBe('configmap/applied unchanged\n');
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/jwtSecret: abc/jwtSecret: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    const edit = await kubectl(['edit', 'cm', 'kubesphere-config'], 'admin', { KUBE_EDITOR: editor });
    expect(edit.stdout).toBe('configmap/kubesphere-config edited\n');
    expect(
      (store.get('configmaps', NS, 'kubesphere-config')!.data as Record<string, string>)['kubesphere.yaml'],
    ).toContain('jwtSecret: edited');
  });

  it('refuses writes with the read-only token', async () => {
    const restart = await kubectl(['rollout', 'restart', 'deploy', 'ks-apiserver'], 'readonly');
    expect(restart.code).toBe(1);
    // kubectl rollout restart wraps the Forbidden Status as "failed to patch: …".
    expect(restart.stderr).toContain(
      'deployments.apps "ks-apiserver" is forbidden: User "readonly" cannot patch resource "deployments" in API group "apps" in the namespace "kubesphere-system"',
    );
    const patch = await kubectl(['patch', 'cm', 'kubesphere-config', '-p', '{"data":{"x":"y"}}'], 'readonly');
    expect(patch.stderr).toContain(
      'Error from server (Forbidden): configmaps "kubesphere-config" is forbidden',
    );
    expect((await kubectl(['get', 'cm', 'kubesphere-config'], 'readonly')).code).toBe(0);
  });

  it('reports a wrong token as unauthenticated', async () => {
    const r = await kubectl(['get', 'pods'], 'wrong');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('You must be logged in to the server');
  });
});
