/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { assertSchema } from '../helpers/schema.js';
import { CLUSTERS, expectNone, FAST, filesUnder, twentyMemberFleet } from '../helpers/fleet.js';

/** Fleet mode through the built binary; the 20-member fleet is defined in test/helpers/fleet.ts. */
twentyMemberFleet('embedded');

describe('fleet mode: --use-host-credentials', () => {
  let sb: Sandbox;
  let work: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'token-cache',
      members: [
        { name: 'seen' },
        { name: 'unseen', noContext: true },
        { name: 'towered', connection: 'proxy' },
      ],
      ...FAST,
    });
    work = mkdtempSync(join(tmpdir(), 'ks-restore-hostcred-'));
    env = {
      KUBECONFIG: sb.kubeconfigPath,
      XDG_STATE_HOME: join(work, 'state'),
      HOME: join(work, 'home'),
      TMPDIR: join(work, 'tmp'),
    };
  });
  afterAll(async () => {
    await sb?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the text report gives one repair command for both broken members, which repairs exactly them', async () => {
    const r = await runCli(['diagnose', '--host', 'host', '--use-host-credentials'], env);
    const commands = r.stdout.split('\n').filter((l) => /^\s*ks-restore repair /.test(l));
    // --member for the member a context reaches; --cluster and --use-host-credentials for the other.
    expect(commands).toEqual([
      '  ks-restore repair --host host --member seen --cluster unseen --use-host-credentials',
    ]);
    expect(r.stdout).toMatch(/^ {2}towered +Add a kubeconfig context .*--member towered=CONTEXT/m);
    const dry = await runCli([...commands[0]!.trim().split(' ').slice(1), '--dry-run', '-o', 'json'], env);
    const doc = JSON.parse(dry.stdout);
    expect(doc.members.map((m: any) => [m.server, m.causeBefore, m.refusal])).toEqual(
      ['seen', 'unseen'].map((n) => [sb.clusters.find((c) => c.name === n)!.url, 'token-cache', undefined]),
    );
    expect(dry.code).toBe(1); // changes pending
  });

  it('reaches the member without a context in memory only, and writes or prints nothing of its kubeconfig', async () => {
    const stored = sb.clusters[0]!.store.get(CLUSTERS, undefined, 'unseen') as any;
    const blob: string = stored.spec.connection.kubeconfig;
    const kc = yaml.load(Buffer.from(blob, 'base64').toString()) as any;
    const leaks = [blob, kc.users[0].user.token, kc.clusters[0].cluster['certificate-authority-data']];

    const without = await runCli(['diagnose', '--host', 'host', '-o', 'json'], env);
    const before = JSON.parse(without.stdout).members.find((m: any) => m.discovery.cluster === 'unseen');
    expect(before.checks.find((c: any) => c.id === 'reachable').code).toBe('no-route-no-context');

    const diag = await runCli(['diagnose', '--host', 'host', '--use-host-credentials', '-o', 'json'], env);
    const doc = JSON.parse(diag.stdout);
    assertSchema('diagnose', doc);
    const unseen = doc.members.find((m: any) => m.discovery.cluster === 'unseen');
    expect(unseen.discovery).toMatchObject({ method: 'host-credentials', connection: 'direct' });
    expect(unseen.cause).toBe('token-cache');
    // A proxy member's stored address works only inside the host's network: not tried even so.
    const towered = doc.members.find((m: any) => m.discovery.cluster === 'towered');
    expect(towered.checks.find((c: any) => c.id === 'reachable').code).toBe('no-route-proxy');

    const repair = await runCli(
      ['repair', '--host', 'host', '--use-host-credentials', '--yes', '-o', 'json', '--timeout', '60s'],
      env,
    );
    const rdoc = JSON.parse(repair.stdout);
    assertSchema('repair', rdoc);
    const url = sb.clusters.find((c) => c.name === 'unseen')!.url;
    const fixed = rdoc.members.find((m: any) => m.server === url);
    expect(fixed.causeBefore).toBe('token-cache');
    expect(fixed.verification).toMatchObject({ status: 'healthy' });

    for (const r of [without, diag, repair]) for (const text of [r.stdout, r.stderr]) expectNone(text, leaks);
    const written = filesUnder(work);
    expect(written.length).toBeGreaterThan(0); // the repair's backup
    for (const f of [...written, ...filesUnder(join(sb.kubeconfigPath, '..'))])
      expectNone(readFileSync(f, 'utf8'), leaks);
  }, 120_000);
});

describe('fleet mode: a context named like a Cluster points at another cluster', () => {
  // Cluster alpha is reached through context alpha-prod (its API server URL); the context named "alpha" is a
  // decoy that points at cluster beta. Discovery by URL comes before discovery by name.
  let sb: Sandbox;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const sim = (name: string) => sb.clusters.find((c) => c.name === name)!;
  /** Everything repair could change on a cluster, as stored: the objects it edits, the Deployment it restarts. */
  const state = (name: string) =>
    JSON.stringify([
      sim(name).store.get('configmaps', 'kubesphere-system', 'kubesphere-config'),
      sim(name).store.get('secrets', 'kubesphere-system', 'kubesphere-secret'),
      sim(name).store.get(
        'clusterconfigurations.installer.kubesphere.io',
        'kubesphere-system',
        'ks-installer',
      ),
      // Its spec only: a restart would stamp the pod template; the status moves on its own.
      (sim(name).store.get('deployments.apps', 'kubesphere-system', 'ks-apiserver') as any)?.spec,
    ]);

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'token-cache',
      members: [{ name: 'alpha' }, { name: 'beta' }],
      contextNames: { alpha: 'alpha-prod', beta: 'alpha' },
      ...FAST,
    });
    work = mkdtempSync(join(tmpdir(), 'ks-restore-decoy-'));
    env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: join(work, 'state'), HOME: work };
  });
  afterAll(async () => {
    await sb?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the sandbox wrote the decoy: context "alpha" has beta\'s server', () => {
    const kc = yaml.load(readFileSync(sb.kubeconfigPath, 'utf8')) as any;
    const server = (ctx: string) =>
      kc.clusters.find((c: any) => c.name === kc.contexts.find((x: any) => x.name === ctx).context.cluster)
        .cluster.server;
    expect([server('alpha-prod'), server('alpha')]).toEqual([sim('alpha').url, sim('beta').url]);
    expect([sim('alpha').context, sim('beta').context]).toEqual(['alpha-prod', 'alpha']);
  });

  it('diagnose reaches each Cluster through the context with its API server URL, not the one with its name', async () => {
    const r = await runCli(['diagnose', '--host', 'host', '-o', 'json'], env);
    const doc = JSON.parse(r.stdout);
    assertSchema('diagnose', doc);
    expect(
      doc.members.map((m: any) => [m.discovery.cluster, m.discovery.method, m.context, m.server]),
    ).toEqual([
      ['alpha', 'server-url', 'alpha-prod', sim('alpha').url],
      ['beta', 'server-url', 'alpha', sim('beta').url],
    ]);
    expect(r.code).toBe(1);
  });

  it('repair --cluster alpha repairs alpha through alpha-prod and never touches the decoy', async () => {
    const decoy = state('beta');
    const target = state('alpha');
    const r = await runCli(
      ['repair', '--host', 'host', '--cluster', 'alpha', '--yes', '-o', 'json', '--timeout', '60s'],
      env,
    );
    const doc = JSON.parse(r.stdout);
    assertSchema('repair', doc);
    expect(doc.members.map((m: any) => [m.context, m.server, m.causeBefore])).toEqual([
      ['alpha-prod', sim('alpha').url, 'token-cache'],
    ]);
    expect(doc.members[0].verification).toMatchObject({ status: 'healthy' });
    expect({ code: r.code, status: doc.status }).toEqual({ code: 0, status: 'repaired' });
    expect(state('alpha')).not.toBe(target);
    expect(state('beta')).toBe(decoy);

    // Afterwards alpha is healthy and beta still has its own, untouched, fault.
    const after = await runCli(['diagnose', '--host', 'host', '-o', 'json'], env);
    expect(JSON.parse(after.stdout).members.map((m: any) => [m.discovery.cluster, m.cause])).toEqual([
      ['alpha', 'healthy'],
      ['beta', 'token-cache'],
    ]);
  }, 120_000);
});
