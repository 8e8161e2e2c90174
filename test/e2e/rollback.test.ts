import { mkdtemp, readFile, rm, symlink, writeFile, mkdir, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';

const NS = 'kubesphere-system';
const CC = 'clusterconfigurations.installer.kubesphere.io';

interface JsonRow {
  context: string;
  target: string;
  status: string;
  reason?: string;
  diff?: string;
}

describe('rollback through the built binary', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let tmp: string;
  const store = () => sb.clusters.find((c) => c.name === 'member-1')!.store;
  const objects = () => ({
    cm: store().get('configmaps', NS, 'kubesphere-config')!,
    secret: store().get('secrets', NS, 'kubesphere-secret')!,
    cc: store().get(CC, NS, 'ks-installer')!,
  });
  /** What rollback restores (data, spec), and everything it could change (resourceVersions). */
  const content = () => {
    const o = objects();
    return { cm: o.cm.data, secret: o.secret.data, cc: o.cc.spec };
  };
  const versions = () => {
    const o = objects();
    const dep = store().get('deployments.apps', NS, 'ks-apiserver')!;
    return [o.cm, o.secret, o.cc, dep].map((x) => x.metadata.resourceVersion);
  };
  /** Every secret either cluster holds or held: jwtSecrets, Secret data, the static token, base64 forms too. */
  const seen = new Set<string>();
  const recordSecrets = () => {
    for (const c of sb.clusters) {
      const cm = c.store.get('configmaps', NS, 'kubesphere-config');
      const text = (cm?.data as Record<string, string> | undefined)?.['kubesphere.yaml'] ?? '';
      for (const m of text.matchAll(/jwtSecret:\s*"?([^"\s]+)/g)) seen.add(m[1]!);
      const data = (c.store.get('secrets', NS, 'kubesphere-secret')?.data ?? {}) as Record<string, string>;
      for (const v of Object.values(data)) {
        seen.add(v);
        seen.add(Buffer.from(v, 'base64').toString('utf8'));
      }
    }
  };
  const expectNoSecret = (text: string) => {
    for (const s of seen) if (s.length >= 6) expect(text.includes(s), 'a secret was printed').toBe(false);
  };
  /** Repairs member-1 (from the scenario's broken state) and returns the backup directory. */
  const repair = async (): Promise<string> => {
    recordSecrets();
    const res = await runCli(
      ['repair', '--member', 'member-1', '--yes', '-o', 'json', '--timeout', '30s'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    recordSecrets();
    return JSON.parse(res.stdout).backup as string;
  };

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'both',
      members: [{ name: 'member-1' }],
      podStartMs: 40,
      podStopMs: 20,
      trafficIntervalMs: 0,
      installerDelayMs: 600_000,
      apiserverBootMs: 20,
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-rollback-'));
    env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: path.join(tmp, 'state') };
  });
  // Each test starts from the scenario's broken objects, whatever the one before left.
  let pristine: ReturnType<typeof objects>;
  beforeEach(() => {
    sb.faults.set([]);
    pristine ??= structuredClone(objects());
    const now = objects();
    for (const k of ['cm', 'secret', 'cc'] as const) {
      const { data, spec } = pristine[k];
      store().update({ ...now[k], ...(data ? { data } : {}), ...(spec ? { spec } : {}) });
    }
  });
  afterAll(async () => {
    await sb?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('--dry-run shows each object it would restore with a masked diff, validates it, changes nothing, exits 1', async () => {
    const original = content();
    const backup = await repair();
    const before = versions();

    const text = await runCli(['rollback', '--backup', backup, '--dry-run'], env);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/^ {2}restore +configmap\/kubesphere-config/m);
    expect(text.stdout).toMatch(/^ {2}restore +secret\/kubesphere-secret/m);
    expect(text.stdout).toMatch(/^ {2}restart +deployment\/ks-apiserver/m);
    expect(text.stdout).toMatch(/^ {2}- {4}accessTokenMaxAge: 0s$/m);
    expect(text.stdout).toMatch(/^ {2}\+ {4}accessTokenMaxAge: 2h0m0s$/m);
    expect(text.stdout).toMatch(/jwtSecret: \*{8} \(fp [0-9a-f]{8}\)/);
    expect(text.stdout).toMatch(/data\.secret: \*{8} \(fp [0-9a-f]{8}\) → \*{8} \(fp [0-9a-f]{8}\)/);

    // Validated by the API server (dryRun=All): a write it refuses fails the dry run, still changing nothing.
    sb.faults.set([
      {
        cluster: 'member-1',
        method: 'PUT',
        path: '/configmaps/kubesphere-config',
        kind: 'status',
        status: 403,
      },
    ]);
    const refused = await runCli(['rollback', '--backup', backup, '--dry-run'], env);
    expect(sb.faults.fired).toBe(1);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/forbidden|not allowed/i);
    sb.faults.set([]);

    const json = await runCli(['rollback', '--backup', backup, '--dry-run', '-o', 'json'], env);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ command: 'rollback', status: 'planned', exitCode: 1, dryRun: true, backup });
    expect(doc.objects.map((o: JsonRow) => o.status)).toEqual(['to-restore', 'to-restore', 'to-restore']);
    expect(doc.objects.find((o: JsonRow) => o.target.startsWith('configmap/')).diff).toMatch(
      /accessTokenMaxAge/,
    );
    expect(doc.restarts).toEqual([expect.objectContaining({ context: 'member-1', status: 'planned' })]);

    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) expectNoSecret(out);
    expect(versions()).toEqual(before);

    // The consent error's advice works: --dry-run is a flag of rollback.
    const noConsent = await runCli(['rollback', '--backup', backup], env);
    expect(noConsent.code).toBe(2);
    expect(noConsent.stderr).toContain('--dry-run');
    expect(versions()).toEqual(before);

    expect((await runCli(['rollback', '--backup', backup, '--yes'], env)).code).toBe(0);
    expect(content()).toEqual(original);
  });

  it('reports a line per object and the rollout; a second run has nothing to restore and exits 0', async () => {
    const original = content();
    const backup = await repair();
    const res = await runCli(['rollback', '--backup', backup, '--yes', '--timeout', '30s'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(content()).toEqual(original);
    const result = res.stdout.slice(res.stdout.indexOf('Result for member-1'));
    expect(result).toMatch(/^ {2}✔ restored +configmap\/kubesphere-config \(kubesphere-system\)$/m);
    expect(result).toMatch(/^ {2}✔ restored +secret\/kubesphere-secret \(kubesphere-system\)$/m);
    expect(result).toMatch(/^ {2}✔ restored +clusterconfiguration\/ks-installer \(kubesphere-system\)$/m);
    expect(result).toMatch(/^ {2}✔ restart +deployment\/ks-apiserver \(kubesphere-system\) +\d+\/\d+ pods/m);

    const again = await runCli(['rollback', '--backup', backup, '--yes'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}unchanged +configmap\/kubesphere-config/m);
    expect(again.stdout).toMatch(/Nothing to restore/);
    expect(again.stdout).not.toMatch(/restart/);
    const json = JSON.parse(
      (await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env)).stdout,
    );
    expect(json).toMatchObject({ status: 'nothing-to-do', exitCode: 0, restarts: [] });
  });

  it('a 409 on a write whose object is still as the repair left it: re-read and restored with the fresh resourceVersion', async () => {
    const original = content();
    const backup = await repair();
    // The second PUT of the ConfigMap (the first is the dryRun=All validation) meets another client's
    // annotation: a 409, and on re-read the same data.
    sb.faults.set([
      {
        cluster: 'member-1',
        method: 'PUT',
        path: '/configmaps/kubesphere-config',
        nth: 2,
        kind: 'concurrent-edit',
      },
    ]);
    const res = await runCli(
      ['rollback', '--backup', backup, '--yes', '-o', 'json', '--timeout', '30s'],
      env,
    );
    expect(sb.faults.fired).toBe(1);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.status).toBe('rolled-back');
    expect(doc.objects.find((o: JsonRow) => o.target.startsWith('configmap/'))).toMatchObject({
      status: 'restored',
      reason: 'retried-after-conflict',
    });
    expect(content()).toEqual(original);
  });

  it('someone changes an object while rolling back: refused, not overwritten; exit 4 as an earlier object was restored', async () => {
    const original = content();
    const backup = await repair();
    const manifest = JSON.parse(await readFile(path.join(backup, 'manifest.json'), 'utf8'));
    const [first, second] = manifest.members[0].objects as Array<{ target: string; name: string }>;
    // When rollback writes its first object, someone edits the data of the second.
    const stop = store().subscribe((e) => {
      if (e.type !== 'MODIFIED' || e.object.metadata.name !== first!.name) return;
      stop();
      const key =
        second!.target === 'secret' ? 'secrets' : second!.target === 'configmap' ? 'configmaps' : CC;
      const obj = store().get(key, NS, second!.name)!;
      // base64 of "edited", valid in a Secret's data too.
      if (obj.data) obj.data = { ...obj.data, edited: 'ZWRpdGVk' };
      else obj.spec = { ...(obj.spec as Record<string, unknown>), edited: 'ZWRpdGVk' };
      store().update(obj);
    });
    const run = await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env);
    stop();
    expect(run.code, run.stderr).toBe(4);
    const doc = JSON.parse(run.stdout);
    expect(doc.status).toBe('partial');
    expect(doc.objects.map((o: JsonRow) => o.status)).toEqual(['restored', 'refused', 'skipped']);
    expect(doc.objects[1].reason).toBe('changed-since-repair');
    expect(doc.restarts[0].status).toBe('skipped');
    const key = second!.target === 'secret' ? 'secrets' : second!.target === 'configmap' ? 'configmaps' : CC;
    const kept = store().get(key, NS, second!.name)!;
    expect(JSON.stringify(kept.data ?? kept.spec)).toContain('ZWRpdGVk');

    // Put member-1 back for the next tests.
    expect((await runCli(['rollback', '--backup', backup, '--yes', '--force'], env)).code).toBe(0);
    expect(content()).toEqual(original);
  });

  it('a failure before anything was changed is exit 3, not 4 ("a change was made")', async () => {
    const original = content();
    const backup = await repair();
    const before = versions();
    const manifest = JSON.parse(await readFile(path.join(backup, 'manifest.json'), 'utf8'));
    const first = manifest.members[0].objects[0] as { target: string; name: string };
    const plural =
      first.target === 'secret'
        ? 'secrets'
        : first.target === 'configmap'
          ? 'configmaps'
          : 'clusterconfigurations';
    // Every write of the first object is answered 409: from its validation on (nth 1), or from its real
    // write on (nth 2). Either way nothing was changed.
    for (const nth of [1, 2]) {
      sb.faults.set([
        {
          cluster: 'member-1',
          method: 'PUT',
          path: `/${plural}/${first.name}`,
          nth,
          times: 0,
          kind: 'status',
          status: 409,
        },
      ]);
      const res = await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env);
      expect(sb.faults.fired).toBeGreaterThan(1);
      expect(res.code, `nth ${nth}: ${res.stderr}`).toBe(3);
      const doc = JSON.parse(res.stdout);
      expect(doc.status).toBe('failed');
      expect(versions()).toEqual(before);
    }
    sb.faults.set([]);
    expect((await runCli(['rollback', '--backup', backup, '--yes'], env)).code).toBe(0);
    expect(content()).toEqual(original);
  });

  it('a write whose reply was lost counts as a change: a later failure is exit 4, not 3', async () => {
    const backup = await repair();
    const manifest = JSON.parse(await readFile(path.join(backup, 'manifest.json'), 'utf8'));
    const [first, second] = manifest.members[0].objects as Array<{ target: string; name: string }>;
    const plural = (t: string) =>
      t === 'secret' ? 'secrets' : t === 'configmap' ? 'configmaps' : 'clusterconfigurations';
    // The first real write applies but its reply is cut off; the second is refused (403).
    sb.faults.set([
      {
        cluster: 'member-1',
        method: 'PUT',
        path: `/${plural(first!.target)}/${first!.name}`,
        nth: 2,
        kind: 'truncate',
      },
      {
        cluster: 'member-1',
        method: 'PUT',
        path: `/${plural(second!.target)}/${second!.name}`,
        nth: 2,
        kind: 'status',
        status: 403,
      },
    ]);
    const res = await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env);
    expect(sb.faults.fired).toBe(2);
    expect(res.code, res.stderr).toBe(4);
    const doc = JSON.parse(res.stdout);
    expect(doc.status).toBe('partial');
    expect(doc.objects.map((o: JsonRow) => o.status)).toEqual(['restored', 'failed', 'skipped']);
  });

  it('a manifest entry that points outside the backup directory is refused (exit 2) without quoting that file', async () => {
    const backup = await repair();
    const marker = 'TOP-SECRET-CONTENT-OF-ANOTHER-FILE';
    const outside = path.join(tmp, 'outside.json');
    await writeFile(outside, `${marker}\n`);
    const manifest = JSON.parse(await readFile(path.join(backup, 'manifest.json'), 'utf8'));
    const forged = async (name: string, file: string, link?: string) => {
      const dir = path.join(tmp, name);
      await mkdir(dir);
      for (const o of manifest.members[0].objects)
        await copyFile(path.join(backup, o.file), path.join(dir, o.file));
      const m = structuredClone(manifest);
      m.members[0].objects[0].file = file;
      if (link) await symlink(outside, path.join(dir, link));
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
      return dir;
    };
    const before = versions();
    for (const dir of [
      await forged('dotdot', '../outside.json'),
      await forged('absolute', outside),
      await forged('symlink', 'link.json', 'link.json'),
    ]) {
      const res = await runCli(['rollback', '--backup', dir, '--yes'], env);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(path.join(dir, 'manifest.json'));
      expect(res.stdout + res.stderr).not.toContain(marker);
      expect(res.stderr).not.toMatch(/\n\s+at |internal error/);
    }
    // A listed file inside the directory that is not what repair saved: named, not quoted.
    const garbled = await forged('garbled', manifest.members[0].objects[0].file);
    await writeFile(path.join(garbled, manifest.members[0].objects[0].file), `${marker}\n`);
    const res = await runCli(['rollback', '--backup', garbled, '--yes'], env);
    expect(res.code).toBe(2);
    expect(res.stdout + res.stderr).not.toContain(marker);
    expect(versions()).toEqual(before);
    expect((await runCli(['rollback', '--backup', backup, '--yes'], env)).code).toBe(0);
  });
});
