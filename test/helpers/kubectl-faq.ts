import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';

/**
 * The KubeSphere FAQ "Restore the Host Cluster Access to A Member Cluster", command for command, with the
 * real kubectl against the sandbox: what a person would do by hand, and what ks-restore replaces.
 */
function findKubectl(): string | undefined {
  for (const dir of ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return join(dir, 'kubectl');
    } catch {
      // not here
    }
  }
  return undefined;
}

const kubectl = findKubectl();
if (!kubectl) process.stderr.write('kubectl-faq: skipped, no kubectl executable in /usr/bin or on PATH\n');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A shell command line as the FAQ prints it; asynchronous, so the in-process API servers keep serving. */
function sh(command: string, env: Record<string, string>, timeout = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { env: { ...process.env, ...env }, timeout }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const FAST = { podStartMs: 150, podStopMs: 50, trafficIntervalMs: 40, apiserverBootMs: 20 };
/** A real kube-apiserver per cluster takes seconds to start on two loaded cores. */
const HOOK_TIMEOUT = { embedded: 30_000, real: 180_000 };

/**
 * Defines the FAQ's kubectl session on one control plane: the embedded API server (test/e2e/kubectl-faq.test.ts)
 * or the real kube-apiserver (test/e2e/real/kubectl-faq.test.ts); the same commands and expectations on both.
 */
export function kubectlFaq(controlPlane: 'embedded' | 'real'): void {
  describe.skipIf(!kubectl)(
    `${controlPlane} control plane: the FAQ with kubectl, KubeSphere 3.0 (the FAQ’s own log lines)`,
    () => {
      let sb: Sandbox;
      let dir: string;
      let kc: string;
      const run = (command: string, extra: Record<string, string> = {}, timeout?: number) =>
        sh(command, { KUBECONFIG: kc, ...extra }, timeout);

      beforeAll(async () => {
        sb = await startSandbox({ ...FAST, controlPlane, ksVersion: '3.0', scenario: 'token-cache' });
        dir = mkdtempSync(join(tmpdir(), 'kubectl-faq-'));
        kc = join(dir, 'config');
        // A private copy: `kubectl config use-context` writes to it.
        copyFileSync(sb.kubeconfigPath, kc);
      }, HOOK_TIMEOUT[controlPlane]);
      afterAll(async () => {
        await sb?.stop();
        rmSync(dir, { recursive: true, force: true });
      }, HOOK_TIMEOUT[controlPlane]);

      it('kubectl get clusters prints the Cluster CRD’s columns on the host', async () => {
        const r = await run('kubectl get clusters');
        expect(r.code).toBe(0);
        const [header, ...rows] = r.stdout.trim().split('\n');
        expect(header!.split(/\s+/)).toEqual(['NAME', 'FEDERATED', 'PROVIDER', 'ACTIVE', 'VERSION']);
        expect(rows.map((l) => l.split(/\s+/))).toEqual([
          ['host', 'true', 'kubesphere', 'true', 'v1.18.6'],
          ['member', 'true', 'kubesphere', 'true', 'v1.18.6'],
        ]);
      });

      it('step 1: the jwtSecret lines of host and member (the last-applied annotation filtered out)', async () => {
        const faq =
          'kubectl -n kubesphere-system get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep jwtSecret';
        const onHost = await run(faq);
        expect(await run('kubectl config use-context member')).toMatchObject({ code: 0 });
        const onMember = await run(faq);
        for (const r of [onHost, onMember]) {
          expect(r.code).toBe(0);
          expect(r.stdout).toMatch(/^ {6}jwtSecret: "[A-Za-z0-9]{32}"\n$/);
        }
        // token-cache: the secrets already match; the cache is the problem.
        expect(onMember.stdout).toBe(onHost.stdout);
      });

      it('the member’s ks-apiserver log shows the FAQ’s error lines', async () => {
        await run('kubectl config use-context member');
        const pod = (
          await run(
            "kubectl -n kubesphere-system get pods -l app=ks-apiserver -o jsonpath='{.items[0].metadata.name}'",
          )
        ).stdout;
        expect(pod).toMatch(/^ks-apiserver-[a-z0-9]+-[a-z0-9]{5}$/);
        const r = await run(`kubectl -n kubesphere-system logs ${pod}`);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(
          /^E\d{4} [\d:.]{15} {7}1 token\.go:65\] token not found in cache\nE\d{4} [\d:.]{15} {7}1 jwt_token\.go:45\] token not found in cache\nE\d{4} [\d:.]{15} {7}1 authentication\.go:60\] Unable to authenticate the request due to error: token not found in cache$/m,
        );
      });

      it('step 2: accessTokenMaxAge is not 0, so edit it, restart ks-apiserver, and the errors stop', async () => {
        await run('kubectl config use-context member');
        const grepMaxAge =
          'kubectl -n kubesphere-system get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep accessTokenMaxAge';
        expect((await run(grepMaxAge)).stdout).toBe('');

        // `kubectl edit` with an editor that adds the FAQ's setting under authentication.
        const editor = `sed -i 's/^\\( *\\)jwtSecret: \\(.*\\)$/\\1jwtSecret: \\2\\n\\1oauthOptions:\\n\\1  accessTokenMaxAge: 0/'`;
        // kubectl re-opens the editor after a failed save; a short timeout turns that loop into a failure.
        const edit = await run(
          'kubectl -n kubesphere-system edit cm kubesphere-config -o yaml',
          { EDITOR: editor, KUBE_EDITOR: editor },
          15_000,
        );
        expect(edit.code).toBe(0);
        expect((await run(grepMaxAge)).stdout).toMatch(/^ {8}accessTokenMaxAge: 0\n$/);

        const restart = await run('kubectl -n kubesphere-system rollout restart deploy ks-apiserver');
        expect(restart).toMatchObject({ code: 0, stdout: 'deployment.apps/ks-apiserver restarted\n' });
        const status = await run('kubectl -n kubesphere-system rollout status deploy ks-apiserver');
        expect(status.code).toBe(0);
        expect(status.stdout).toContain('deployment "ks-apiserver" successfully rolled out');

        const pods = await run(
          "kubectl -n kubesphere-system get pods -l app=ks-apiserver -o jsonpath='{.items[*].metadata.name}'",
        );
        const names = pods.stdout.split(' ').filter(Boolean);
        expect(names).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 300));
        const log = await run(`kubectl -n kubesphere-system logs ${names[0]}`);
        expect(log.stdout).toMatch(/apiserver\.go:232\] Start listening on :9090/);
        expect(log.stdout).not.toMatch(/token not found in cache/);
      });
    },
  );

  describe.skipIf(!kubectl)(`${controlPlane} control plane: the FAQ with kubectl, KubeSphere 4.1`, () => {
    let sb: Sandbox;
    const run = (command: string) => sh(command, { KUBECONFIG: sb.kubeconfigPath });

    beforeAll(async () => {
      sb = await startSandbox({ ...FAST, controlPlane, ksVersion: '4.1', scenario: 'secret-mismatch' });
    }, HOOK_TIMEOUT[controlPlane]);
    afterAll(() => sb?.stop(), HOOK_TIMEOUT[controlPlane]);

    it('kubectl get clusters prints the 4.x columns', async () => {
      const r = await run('kubectl get clusters');
      expect(r.stdout.trim().split('\n')[0]!.split(/\s+/)).toEqual(['NAME', 'PROVIDER', 'VERSION']);
    });

    it('the secrets differ; ks-agent (not ks-apiserver) is what a member restarts', async () => {
      const faq =
        'kubectl -n kubesphere-system get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep jwtSecret';
      const host = await run(faq);
      const member = await run(
        `kubectl --context member -n kubesphere-system get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep jwtSecret`,
      );
      expect(host.stdout).toMatch(/^ {8}jwtSecret: "\w{32}"\n$/);
      expect(member.stdout).not.toBe(host.stdout);
      const logs = await run(
        'kubectl --context member -n kubesphere-system logs deploy/ks-agent -c ks-apiserver',
      );
      expect(logs.stdout).toMatch(/issuer\.go:171\] jwt: failed to parse token: signature is invalid/);
      expect(
        (await run('kubectl --context member -n kubesphere-system rollout restart deploy ks-apiserver')).code,
      ).not.toBe(0);
      expect(
        (await run('kubectl --context member -n kubesphere-system rollout restart deploy ks-agent')).code,
      ).toBe(0);
      const status = await run(
        'kubectl --context member -n kubesphere-system rollout status deploy ks-agent',
      );
      expect(status).toMatchObject({ code: 0 });
      expect(status.stdout).toContain('successfully rolled out');
    });
  });
}
