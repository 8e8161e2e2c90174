/* eslint-disable @typescript-eslint/no-explicit-any -- API and YAML documents, read field by field */
import { describe, expect, it } from 'vitest';
import { call, contextOf, type Ctx } from '../helpers/https.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';

// --- a kubectl-free client: the kubeconfig's CA, server and token over node:https -------------------------

const NS = '/api/v1/namespaces/kubesphere-system';
const DEPLOY = '/apis/apps/v1/namespaces/kubesphere-system/deployments';
const CC =
  '/apis/installer.kubesphere.io/v1alpha1/namespaces/kubesphere-system/clusterconfigurations/ks-installer';
const ERRORS = /token not found in cache|signature is invalid/;

async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function apiserverPods(ctx: Ctx): Promise<any[]> {
  const pods = await call(ctx, 'GET', `${NS}/pods`);
  return pods.json.items.filter((p: any) => ['ks-apiserver', 'ks-agent'].includes(p.metadata.labels.app));
}

const logOf = async (ctx: Ctx, pod: string, query = ''): Promise<string> =>
  (await call(ctx, 'GET', `${NS}/pods/${pod}/log?container=ks-apiserver${query}`)).text;

const configOf = async (ctx: Ctx): Promise<string> =>
  (await call(ctx, 'GET', `${NS}/configmaps/kubesphere-config`)).json.data['kubesphere.yaml'];

async function editConfig(ctx: Ctx, edit: (text: string) => string): Promise<void> {
  const cm = (await call(ctx, 'GET', `${NS}/configmaps/kubesphere-config`)).json;
  cm.data['kubesphere.yaml'] = edit(cm.data['kubesphere.yaml']);
  expect((await call(ctx, 'PUT', `${NS}/configmaps/kubesphere-config`, { body: cm })).status).toBe(200);
}

/** `kubectl rollout restart`: a strategic-merge patch of the template's restartedAt annotation. */
async function rolloutRestart(ctx: Ctx, name: string): Promise<void> {
  const patch = {
    spec: {
      template: {
        metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
      },
    },
  };
  const r = await call(ctx, 'PATCH', `${DEPLOY}/${name}`, {
    body: patch,
    contentType: 'application/strategic-merge-patch+json',
  });
  expect(r.status).toBe(200);
}

/** Pods that started after `since` and are Ready, once the old ones are gone. */
async function newReadyPods(ctx: Ctx, since: string[]): Promise<any[]> {
  return eventually(async () => {
    const pods = await apiserverPods(ctx);
    const ready = pods.every(
      (p) =>
        !since.includes(p.metadata.name) &&
        p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    );
    return pods.length > 0 && ready && pods;
  }, 'the rollout');
}

const FAST = {
  podStartMs: 20,
  podStopMs: 10,
  trafficIntervalMs: 15,
  apiserverBootMs: 10,
  hotReloadMs: 80,
  installerDelayMs: 40,
  crashBackoffMs: 80,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withSandbox(
  opts: Parameters<typeof startSandbox>[0],
  fn: (sb: Sandbox, member: Ctx) => Promise<void>,
): Promise<void> {
  const sb = await startSandbox({ ...FAST, ...opts });
  try {
    await fn(sb, contextOf(sb.kubeconfigPath, 'member'));
  } finally {
    await sb.stop();
  }
}

describe('ks-installer (3.x) owns kubesphere-config', () => {
  // roles/ks-core/init-token/tasks/main.yaml: a CC with a jwtSecret → delete and create kubesphere-secret on every
  // run; roles/ks-core/config/tasks/ks-restart.yaml (3.0–3.2 only): restart ks-apiserver and ks-controller-manager.
  it.each([
    ['3.2', true],
    ['3.3', false],
  ] as const)(
    '%s: each run recreates kubesphere-secret (same data, a new object); restarts both Deployments: %s',
    (ksVersion, restarts) =>
      withSandbox({ ksVersion, scenario: 'healthy', installerDelayMs: 600_000 }, async (sb, m) => {
        const before = (await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).json;
        await sb.rerunInstaller('member');
        const after = (await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).json;
        expect(after.metadata.uid).not.toBe(before.metadata.uid);
        expect(after.data).toEqual(before.data);
        // Members run no ks-controller-manager in the sandbox: the host's installer shows both restarts.
        await sb.rerunInstaller('host');
        const host = contextOf(sb.kubeconfigPath, 'host');
        for (const name of ['ks-apiserver', 'ks-controller-manager']) {
          const d = (await call(host, 'GET', `${DEPLOY}/${name}`)).json;
          const annotations = d.spec.template.metadata.annotations ?? {};
          expect([name, 'kubectl.kubernetes.io/restartedAt' in annotations]).toEqual([name, restarts]);
        }
      }),
  );

  it('3.1 installer-revert: the hand fix works until ks-installer runs again and restarts ks-apiserver', () =>
    withSandbox({ ksVersion: '3.1', scenario: 'installer-revert' }, async (sb, m) => {
      const before = await configOf(m);
      expect(before).toContain('# same as host cluster (FAQ)');
      const cm = (await call(m, 'GET', `${NS}/configmaps/kubesphere-config`)).json;
      expect(cm.metadata.managedFields.at(-1)).toMatchObject({ manager: 'kubectl-edit' });
      const [pod] = await apiserverPods(m);
      await sleep(100);
      expect(await logOf(m, pod.metadata.name)).not.toMatch(ERRORS);

      await sb.rerunInstaller('member');
      const after = await configOf(m);
      expect(after).not.toContain('accessTokenMaxAge');
      expect(after).not.toContain('# same as host');
      const secret = Buffer.from(
        (await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).json.data.secret,
        'base64',
      ).toString();
      expect(after).toContain(`jwtSecret: "${secret}"`);
      const reverted = (await call(m, 'GET', `${NS}/configmaps/kubesphere-config`)).json;
      expect(reverted.metadata.managedFields.at(-1)).toMatchObject({ manager: 'kubectl-client-side-apply' });
      const d = (await call(m, 'GET', `${DEPLOY}/ks-apiserver`)).json;
      expect(d.spec.template.metadata.annotations).toHaveProperty('kubectl.kubernetes.io/restartedAt');

      const [fresh] = await newReadyPods(m, [pod.metadata.name]);
      const log = await eventually(async () => {
        const l = await logOf(m, fresh.metadata.name);
        return /jwt_token\.go:52\] signature is invalid/.test(l) && l;
      }, 'errors from the reverted config');
      expect(log).toMatch(/options\.go:180\] ks-apiserver starts without redis provided/);
    }));

  it('3.4 installer-revert: no restart, the pods hot-reload the reverted file', () =>
    withSandbox({ ksVersion: '3.4', scenario: 'installer-revert' }, async (sb, m) => {
      const [pod] = await apiserverPods(m);
      await sb.rerunInstaller('member');
      const text = await configOf(m);
      // The CC carries oauthOptions.accessTokenMaxAge 2h and clusterRole none: the template file, 2h wins.
      expect(text).toContain('    accessTokenMaxAge: 2h\n');
      expect(text).toContain('  clusterRole: none\n');
      const d = (await call(m, 'GET', `${DEPLOY}/ks-apiserver`)).json;
      expect(d.spec.template.metadata.annotations ?? {}).not.toHaveProperty(
        'kubectl.kubernetes.io/restartedAt',
      );
      const log = await eventually(async () => {
        const l = await logOf(m, pod.metadata.name);
        return /issuer\.go:182\] jwt: failed to parse token: signature is invalid/.test(l) && l;
      }, 'errors after the hot reload');
      // The reload restarted the server in-process: a second round of start-up lines in the same container.
      expect(log.match(/Start listening on :9090/g)!.length).toBe(2);
      expect((await apiserverPods(m))[0].metadata.name).toBe(pod.metadata.name);
    }));

  it('3.2: a ClusterConfiguration edit is the durable repair (secret, 0, restart)', () =>
    withSandbox({ ksVersion: '3.2', scenario: 'both' }, async (sb, m) => {
      const host = contextOf(sb.kubeconfigPath, 'host');
      const hostSecret = /jwtSecret: "([^"]+)"/.exec(await configOf(host))![1]!;
      const [pod] = await apiserverPods(m);
      const oldSecret = (await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).json;
      const cc = (await call(m, 'GET', CC)).json;
      cc.spec.authentication.jwtSecret = hostSecret;
      cc.spec.multicluster.clusterRole = 'member';
      expect((await call(m, 'PUT', CC, { body: cc })).status).toBe(200);

      const text = await eventually(async () => {
        const t = await configOf(m);
        return t.includes(hostSecret) && t;
      }, 'the installer run');
      expect(text).toContain('  oauthOptions:\n    accessTokenMaxAge: 0\n');
      const secret = (await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).json;
      expect(Buffer.from(secret.data.secret, 'base64').toString()).toBe(hostSecret);
      expect(secret.metadata.uid).not.toBe(oldSecret.metadata.uid);

      const [fresh] = await newReadyPods(m, [pod.metadata.name]);
      await sleep(150);
      const log = await logOf(m, fresh.metadata.name);
      expect(log).toMatch(/Start listening on :9090/);
      expect(log).not.toMatch(ERRORS);
    }));

  it('3.3: a rollout restart of ks-installer re-runs it and reverts a ConfigMap-only fix', () =>
    withSandbox({ ksVersion: '3.3', scenario: 'token-cache' }, async (_sb, m) => {
      await editConfig(m, (t) => t.replace(/accessTokenMaxAge: 2h0m0s/, 'accessTokenMaxAge: 0s'));
      expect(await configOf(m)).toContain('accessTokenMaxAge: 0s');
      await rolloutRestart(m, 'ks-installer');
      const text = await eventually(async () => {
        const t = await configOf(m);
        return !t.includes('accessTokenMaxAge: 0s') && t;
      }, 'the installer run');
      expect(text).toContain('    accessTokenMaxAge: 2h\n');
    }));

  it('rerunInstaller refuses 4.1 clusters and unknown names', async () => {
    const sb = await startSandbox({ ...FAST, ksVersion: '4.1' });
    try {
      await expect(sb.rerunInstaller('member')).rejects.toThrow(/no ks-installer/);
      await expect(sb.rerunInstaller('nope')).rejects.toThrow(/no cluster named/);
    } finally {
      await sb.stop();
    }
  });
});

describe('ks-apiserver loads its configuration when it starts', () => {
  it('3.1: a ConfigMap fix takes effect only after a rollout restart', () =>
    withSandbox({ ksVersion: '3.1', scenario: 'token-cache' }, async (_sb, m) => {
      const [pod] = await apiserverPods(m);
      await editConfig(m, (t) =>
        t.replace('  jwtSecret:', '  oauthOptions:\n    accessTokenMaxAge: 0\n  jwtSecret:'),
      );
      const mark = (await logOf(m, pod.metadata.name)).length;
      await sleep(200);
      expect((await logOf(m, pod.metadata.name)).slice(mark)).toMatch(
        /jwt_token\.go:52\] token not found in cache/,
      );

      await rolloutRestart(m, 'ks-apiserver');
      const [fresh] = await newReadyPods(m, [pod.metadata.name]);
      await sleep(200);
      const log = await logOf(m, fresh.metadata.name);
      expect(log).toMatch(/apiserver\.go:297\] Start listening on :9090/);
      expect(log).not.toMatch(ERRORS);
    }));

  it('4.1: the same fix on ks-agent, the Deployment a member runs', () =>
    withSandbox({ ksVersion: '4.1', scenario: 'token-cache' }, async (sb, m) => {
      const [pod] = await apiserverPods(m);
      await editConfig(m, (t) => t.replace('accessTokenMaxAge: 2h', 'accessTokenMaxAge: 0s'));
      await rolloutRestart(m, 'ks-agent');
      const [fresh] = await newReadyPods(m, [pod.metadata.name]);
      await sleep(200);
      expect(await logOf(m, fresh.metadata.name)).not.toMatch(ERRORS);
      const hostLog = (
        await Promise.all(
          (await apiserverPods(contextOf(sb.kubeconfigPath, 'host'))).map((p) =>
            logOf(contextOf(sb.kubeconfigPath, 'host'), p.metadata.name),
          ),
        )
      ).join('');
      expect(hostLog).toContain('Request unauthorized');
    }));

  it('3.4: an empty jwtSecret crash-loops ks-apiserver until the file is fixed', () =>
    withSandbox({ ksVersion: '3.4', scenario: 'healthy' }, async (_sb, m) => {
      const [pod] = await apiserverPods(m);
      const good = await configOf(m);
      await editConfig(m, (t) => t.replace(/jwtSecret: \S+/, 'jwtSecret: ""'));
      const crashed = await eventually(async () => {
        const [p] = await apiserverPods(m);
        return p.status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff' && p;
      }, 'CrashLoopBackOff');
      expect(crashed.metadata.name).toBe(pod.metadata.name);
      const crashLog = async () =>
        (await logOf(m, pod.metadata.name)) + (await logOf(m, pod.metadata.name, '&previous=true'));
      await eventually(
        async () => /run\.go:74\] "command failed" err="JWT secret MUST not be empty"/.test(await crashLog()),
        'the crash line',
      );

      await editConfig(m, () => good);
      await eventually(async () => {
        const [p] = await apiserverPods(m);
        return (
          p.status.containerStatuses[0].ready === true && p.status.containerStatuses[0].restartCount >= 1
        );
      }, 'recovery');
      expect(await logOf(m, pod.metadata.name)).toMatch(/Start listening on :9090/);
    }));
});
