import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { runCli } from '../../helpers/cli.js';
import { FAST } from '../../helpers/fleet.js';
import { describeReal } from '../../helpers/real-tier.js';

/**
 * The RBAC manifests shipped in deploy/rbac/, enforced by a real kube-apiserver: a ServiceAccount bound by
 * them diagnoses with the read-only rules, is refused repair before anything changes (each missing write named
 * with the `kubectl auth can-i` that answers for it), repairs once bound to the repair Role; one rule taken away
 * is named by the exact check, which the real kubectl confirms.
 */
const KUBECTL = '/usr/bin/kubectl';
const RBAC = new URL('../../../deploy/rbac/', import.meta.url).pathname;
const CRONJOB = new URL('../../../deploy/cronjob.yaml', import.meta.url).pathname;
const NS = 'kubesphere-system';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], kubeconfig: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      args,
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describeReal(
  'RBAC manifests on a real kube-apiserver (KubeSphere 3.4, host + member)',
  () => {
    let sb: Sandbox;
    let dir: string;
    let admin: string;
    let sa: string;
    const asAdmin = async (context: string, ...args: string[]): Promise<string> => {
      const r = await kubectl(['--context', context, ...args], admin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const apply = (context: string, ...files: string[]) =>
      asAdmin(context, 'apply', ...files.flatMap((f) => ['-f', join(RBAC, f)]));
    /** `kubectl auth can-i …` as the ServiceAccount, the words as ks-restore printed them after `kubectl`. */
    const canI = async (command: string): Promise<string> =>
      (await kubectl(command.replace(/^kubectl /, '').split(' '), sa)).stdout.trim();
    /** RBAC changes reach the API server's authorizer through a watch: wait until it answers as expected. */
    const until = async (command: string, answer: 'yes' | 'no'): Promise<void> => {
      for (let i = 0; i < 100 && (await canI(command)) !== answer; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await canI(command)).toBe(answer);
    };
    /** resourceVersions of everything repair would change on the member. */
    const memberVersions = () =>
      asAdmin(
        'member',
        '-n',
        NS,
        'get',
        'configmap/kubesphere-config',
        'secret/kubesphere-secret',
        'clusterconfiguration.installer.kubesphere.io/ks-installer',
        'deployment/ks-apiserver',
        '-o',
        'jsonpath={.items[*].metadata.resourceVersion}',
      );
    const cli = (args: string[]) => runCli([...args, '--kubeconfig', sa], { HOME: dir });

    beforeAll(async () => {
      sb = await startSandbox({ ...FAST, controlPlane: 'real', ksVersion: '3.4', scenario: 'both' });
      admin = sb.kubeconfigPath;
      dir = mkdtempSync(join(tmpdir(), 'ks-restore-rbac-'));
      // Host: diagnose's reads and the Cluster list; member: diagnose's reads, and the repair Role (not bound yet).
      await apply('host', 'serviceaccount.yaml', 'diagnose.yaml', 'diagnose-host.yaml');
      await apply('host', 'bind-diagnose.yaml', 'bind-diagnose-host.yaml');
      await apply('member', 'serviceaccount.yaml', 'diagnose.yaml', 'repair.yaml');
      await apply('member', 'bind-diagnose.yaml');
      // The DevOps read applies where its namespace exists.
      await asAdmin('member', 'create', 'namespace', 'kubesphere-devops-system');
      await apply('member', 'diagnose-devops.yaml', 'bind-diagnose-devops.yaml');
      const users: unknown[] = [];
      const clusters: unknown[] = [];
      const contexts: unknown[] = [];
      for (const c of sb.clusters) {
        const token = (await asAdmin(c.name, '-n', 'ks-restore', 'create', 'token', 'ks-restore')).trim();
        clusters.push({
          name: c.name,
          cluster: {
            server: c.url,
            'certificate-authority-data': Buffer.from(c.caCertPem).toString('base64'),
          },
        });
        users.push({ name: `ks-restore@${c.name}`, user: { token } });
        contexts.push({ name: c.name, context: { cluster: c.name, user: `ks-restore@${c.name}` } });
      }
      sa = join(dir, 'kubeconfig');
      writeFileSync(
        sa,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters,
          users,
          contexts,
          'current-context': 'host',
        }),
        { mode: 0o600 },
      );
      await until('kubectl --context host auth can-i list clusters.cluster.kubesphere.io', 'yes');
      await until(`kubectl --context member auth can-i get configmaps/kubesphere-config -n ${NS}`, 'yes');
    }, 180_000);
    afterAll(async () => {
      await sb?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('diagnose with only the diagnose rights reads everything it needs: no request refused', async () => {
      const r = await cli(['diagnose', '-v=6', '-o', 'json']);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as {
        members: {
          context: string;
          status: string;
          cause: string;
          checks: { id: string; status: string }[];
        }[];
      };
      expect(doc.members).toHaveLength(1);
      expect(doc.members[0]).toMatchObject({
        context: 'member',
        status: 'unhealthy',
        cause: 'secret-mismatch-and-token-cache',
      });
      expect(doc.members[0]!.checks.filter((c) => c.status === 'error')).toEqual([]);
      // -v=6: every request it made (the host's Cluster list, logs, …) was answered 2xx or 404, none 403.
      const statuses = [...r.stderr.matchAll(/^(host|member): [A-Z]+ \S+ (\d{3}) in/gm)].map((m) => m[2]);
      expect(statuses.length).toBeGreaterThan(15);
      expect(statuses.filter((s) => !/^(2\d\d|404)$/.test(s))).toEqual([]);
    });

    it('repair with only the diagnose rights is refused before anything changes, naming each kubectl auth can-i', async () => {
      const before = await memberVersions();
      const r = await cli(['repair', '--yes', '--backup-dir', join(dir, 'backups')]);
      expect(r.code).toBe(3);
      const checks = [
        `kubectl --context member auth can-i update configmaps/kubesphere-config -n ${NS}`,
        `kubectl --context member auth can-i update secrets/kubesphere-secret -n ${NS}`,
        `kubectl --context member auth can-i update clusterconfigurations.installer.kubesphere.io/ks-installer -n ${NS}`,
        `kubectl --context member auth can-i patch deployments.apps/ks-apiserver -n ${NS}`,
      ];
      const named = r.stderr.split('\n').filter((l) => l.includes('auth can-i'));
      expect(named.map((l) => l.trim()).sort()).toEqual([...checks].sort());
      // Each is the check that answers for this account: the real kubectl says no.
      for (const c of checks) expect(await canI(c)).toBe('no');
      expect(await memberVersions()).toBe(before);
      expect(existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []).toEqual([]);
    });

    // Each rule of diagnose.yaml taken away in turn: the report names exactly the check for it, which the real
    // kubectl answers "no" to. (kubesphere-secret is not here: in this scenario durability already fails for
    // other reasons, so its read is not needed; the check warns with its hint where it is.)
    const member = (what: string) =>
      new RegExp(`^kubectl --context member auth can-i ${what}$`.replaceAll('.', '\\.'));
    it.each([
      {
        rule: 0,
        probe: `get configmaps/kubesphere-config -n ${NS}`,
        what: 'get configmaps/kubesphere-config',
        check: member(`get configmaps/kubesphere-config -n ${NS}`),
      },
      {
        rule: 2,
        probe: `get deployments.apps/ks-agent -n ${NS}`,
        what: 'get deployments',
        check: member(`get deployments.apps/(ks-agent|ks-apiserver|ks-installer) -n ${NS}`),
      },
      { rule: 3, probe: `list pods -n ${NS}`, what: 'list pods', check: member(`list pods -n ${NS}`) },
      {
        rule: 4,
        probe: `get pods/x --subresource=log -n ${NS}`,
        what: 'get pods/log',
        check: member(`get pods/ks-apiserver-[a-z0-9]+-[a-z0-9]{5} --subresource=log -n ${NS}`),
      },
      {
        rule: 5,
        probe: `get clusterconfigurations.installer.kubesphere.io/ks-installer -n ${NS}`,
        what: 'get clusterconfigurations',
        check: member(`get clusterconfigurations.installer.kubesphere.io/ks-installer -n ${NS}`),
      },
    ])('diagnose without $what names exactly that check', async ({ rule, probe, check }) => {
      const role = [
        '-n',
        NS,
        'get',
        'role',
        'ks-restore-diagnose',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      ];
      const version = await asAdmin('member', ...role);
      await asAdmin(
        'member',
        '-n',
        NS,
        'patch',
        'role',
        'ks-restore-diagnose',
        '--type=json',
        `-p=[{"op":"remove","path":"/rules/${rule}"}]`,
      );
      try {
        await until(`kubectl --context member auth can-i ${probe}`, 'no');
        const r = await cli(['diagnose', '--member', 'member', '-o', 'json']);
        const hints = [
          ...`${r.stdout}\n${r.stderr}`.matchAll(/kubectl --context \S+ auth can-i [^"\n]*/g),
        ].map((m) => m[0].trim());
        expect(hints.length).toBeGreaterThan(0);
        for (const h of hints) expect(h).toMatch(check);
        expect(await canI(hints[0]!)).toBe('no');
        // The report is not "healthy" for want of a read: an error, or the member's real problems.
        expect(r.code).not.toBe(0);
      } finally {
        await apply('member', 'diagnose.yaml');
      }
      expect(await asAdmin('member', ...role)).not.toBe(version);
      await until(`kubectl --context member auth can-i ${probe}`, 'yes');
    });

    it("fleet diagnose without the host's Cluster list names exactly that check", async () => {
      await asAdmin('host', 'delete', 'clusterrolebinding', 'ks-restore-diagnose-host');
      try {
        const check = 'kubectl --context host auth can-i list clusters.cluster.kubesphere.io';
        await until(check, 'no');
        const r = await cli(['diagnose']);
        expect(r.code).toBe(3);
        expect(r.stderr.split('\n').filter((l) => l.includes('auth can-i'))).toEqual([
          expect.stringMatching(new RegExp(`check with: ${check.replaceAll('.', '\\.')}$`)),
        ]);
      } finally {
        await apply('host', 'bind-diagnose-host.yaml');
      }
      await until('kubectl --context host auth can-i list clusters.cluster.kubesphere.io', 'yes');
    });

    it('repair with the repair rights but one (patch deployments): refused before any change, naming that check', async () => {
      await apply('member', 'bind-repair.yaml');
      await asAdmin(
        'member',
        '-n',
        NS,
        'patch',
        'role',
        'ks-restore-repair',
        '--type=json',
        '-p=[{"op":"remove","path":"/rules/3"}]',
      );
      await until(`kubectl --context member auth can-i update configmaps/kubesphere-config -n ${NS}`, 'yes');
      const before = await memberVersions();
      const r = await cli(['repair', '--yes', '--backup-dir', join(dir, 'backups')]);
      expect(r.code).toBe(3);
      const named = r.stderr.split('\n').filter((l) => l.includes('auth can-i'));
      expect(named).toHaveLength(1);
      expect(named[0]).toMatch(
        new RegExp(
          `check with: kubectl --context member auth can-i patch deployments.apps/ks-apiserver -n ${NS}$`,
        ),
      );
      expect(await memberVersions()).toBe(before);
    });

    it('repair with the repair rights changes, restarts, waits and verifies; diagnose then finds the member healthy', async () => {
      await apply('member', 'repair.yaml');
      await until(`kubectl --context member auth can-i patch deployments.apps/ks-apiserver -n ${NS}`, 'yes');
      const r = await cli(['repair', '--yes', '-v=6', '--backup-dir', join(dir, 'backups')]);
      expect(r.stderr).not.toMatch(/ 403 in /);
      expect(r.code).toBe(0);
      const after = await cli(['diagnose', '-o', 'json']);
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ members: [{ status: 'healthy' }] });
    });

    it('a person bound with the README commands (kubectl create … --user=NAME) can diagnose', async () => {
      // A ServiceAccount's user name stands in for a person's: system:serviceaccount:<namespace>:<name>.
      const user = 'system:serviceaccount:ks-restore:operator';
      for (const c of ['host', 'member']) {
        await asAdmin(c, '-n', 'ks-restore', 'create', 'serviceaccount', 'operator');
        await asAdmin(
          c,
          'create',
          'clusterrolebinding',
          'ks-restore-diagnose-operator',
          '--clusterrole=ks-restore-diagnose',
          `--user=${user}`,
        );
        await asAdmin(
          c,
          'create',
          'rolebinding',
          'ks-restore-diagnose-operator',
          '-n',
          NS,
          '--role=ks-restore-diagnose',
          `--user=${user}`,
        );
      }
      await asAdmin(
        'host',
        'create',
        'clusterrolebinding',
        'ks-restore-diagnose-host-operator',
        '--clusterrole=ks-restore-diagnose-host',
        `--user=${user}`,
      );
      const kc = join(dir, 'operator-kubeconfig');
      const text = (await kubectl(['config', 'view', '--raw', '-o', 'json'], sa)).stdout;
      const doc = JSON.parse(text) as { users: { name: string; user: { token: string } }[] };
      for (const u of doc.users) {
        const cluster = u.name.split('@')[1]!;
        u.user.token = (await asAdmin(cluster, '-n', 'ks-restore', 'create', 'token', 'operator')).trim();
      }
      writeFileSync(kc, JSON.stringify(doc), { mode: 0o600 });
      const probe = async () =>
        (
          await kubectl(['--context', 'host', 'auth', 'can-i', 'list', 'clusters.cluster.kubesphere.io'], kc)
        ).stdout.trim();
      for (let i = 0; i < 100 && (await probe()) !== 'yes'; i++) await new Promise((r) => setTimeout(r, 100));
      const r = await runCli(['diagnose', '--kubeconfig', kc, '-o', 'json'], { HOME: dir });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ members: [{ context: 'member', status: 'healthy' }] });
    });

    it('in a pod of the host as the ServiceAccount, as deploy/cronjob.yaml runs it: metrics of a healthy fleet', async () => {
      const host = sb.clusters.find((c) => c.role === 'host')!;
      const root = join(dir, 'pod');
      const files = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
      mkdirSync(files, { recursive: true });
      writeFileSync(
        join(files, 'token'),
        (await asAdmin('host', '-n', 'ks-restore', 'create', 'token', 'ks-restore')).trim(),
      );
      writeFileSync(join(files, 'ca.crt'), host.caCertPem);
      const url = new URL(host.url);
      const r = await runCli(['diagnose', '--all-members', '--use-host-credentials', '-o', 'prometheus'], {
        HOME: join(dir, 'pod-home'),
        KUBERNETES_SERVICE_HOST: url.hostname,
        KUBERNETES_SERVICE_PORT: url.port,
        KS_RESTORE_IN_CLUSTER_ROOT: root,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toContain(
        'ks_restore_member_healthy{host="in-cluster",member="member",cause="healthy"} 1',
      );
      // The example CronJob as shipped: the API server accepts it (server-side dry run), in the manifests' namespace.
      expect(await asAdmin('host', 'apply', '--dry-run=server', '-f', CRONJOB)).toMatch(
        /^cronjob\.batch\/ks-restore-diagnose created \(server dry run\)$/m,
      );
    });
  },
  // Each case is several kubectl runs and a diagnose against real kube-apiservers: minutes under load, not 30 s.
  { timeout: 120_000 },
);
