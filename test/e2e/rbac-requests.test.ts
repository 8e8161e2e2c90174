import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type KsVersion, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { FAST } from '../helpers/fleet.js';

/**
 * deploy/rbac/ against what ks-restore really requests: every request `-v=6` logs while diagnose and repair run
 * on each KubeSphere version is allowed by the rules for that cluster's role (Kubernetes' RBAC matching), and
 * every rule is used by some request: the manifests are exactly what the tool needs. The real kube-apiserver
 * enforces the same manifests in test/e2e/real/rbac.test.ts.
 */
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}
interface Grant extends Rule {
  file: string;
  namespace: string | undefined;
  used: boolean;
  namesUsed: Set<string>;
}

function grants(file: string): Grant[] {
  const docs = yaml.loadAll(readFileSync(new URL(`../../deploy/rbac/${file}`, import.meta.url), 'utf8')) as {
    kind: string;
    metadata: { namespace?: string };
    rules?: Rule[];
  }[];
  return docs
    .filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')
    .flatMap((d) =>
      (d.rules ?? []).map((r) => ({
        ...r,
        file,
        namespace: d.metadata.namespace,
        used: false,
        namesUsed: new Set<string>(),
      })),
    );
}

interface Request {
  cluster: string;
  verb: string;
  group: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  path: string;
}

/** `member: GET /api/v1/namespaces/ns/pods/p/log?… 200 in 3 ms` as RBAC sees it. */
function request(line: string): Request | undefined {
  const m = /^(\S+): (GET|PUT|PATCH|POST|DELETE) (\S+) \S+ in \d+ ms$/.exec(line);
  if (!m) return undefined;
  const [, cluster, method, full] = m as unknown as [string, string, string, string];
  const path = full.split('?')[0]!;
  const parts = path.split('/').filter(Boolean);
  const base = { cluster: cluster!, path };
  if (parts[0] !== 'api' && parts[0] !== 'apis')
    return {
      ...base,
      verb: method.toLowerCase(),
      group: '',
      resource: '',
      namespace: undefined,
      name: undefined,
    };
  const group = parts[0] === 'api' ? '' : parts[1]!;
  let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, named, sub] = rest;
  // As kube-apiserver's RequestInfo: a collection GET with watch=1 is a watch, and a list or watch whose field
  // selector names one object is authorized against resourceNames with that name.
  const query = new URLSearchParams(full.split('?')[1] ?? '');
  const watch = !named && ['1', 'true'].includes(query.get('watch') ?? '');
  const selected = /^metadata\.name=([^,]+)$/.exec(query.get('fieldSelector') ?? '')?.[1];
  const name = named ?? selected;
  const verb = {
    GET: named ? 'get' : watch ? 'watch' : 'list',
    PUT: 'update',
    PATCH: 'patch',
    POST: 'create',
    DELETE: 'delete',
  }[method]!;
  return { ...base, verb, group, resource: sub ? `${resource}/${sub}` : resource!, namespace, name };
}

function allows(g: Grant, r: Request): boolean {
  if (!g.verbs.includes(r.verb)) return false;
  if (!r.resource) return (g.nonResourceURLs ?? []).includes(r.path);
  if (g.nonResourceURLs) return false;
  if (g.namespace !== undefined && g.namespace !== r.namespace) return false;
  if (!(g.apiGroups ?? []).includes(r.group) || !(g.resources ?? []).includes(r.resource)) return false;
  return !g.resourceNames || (r.name !== undefined && g.resourceNames.includes(r.name));
}

const BY_ROLE = {
  host: ['diagnose.yaml', 'diagnose-host.yaml'],
  member: ['diagnose.yaml', 'diagnose-devops.yaml', 'repair.yaml'],
};
const rules = {
  host: BY_ROLE.host.flatMap(grants),
  member: BY_ROLE.member.flatMap(grants),
};

const RUNS: { version: KsVersion; scenario: string }[] = [
  ...(['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'] as const).map((version) => ({ version, scenario: 'both' })),
  { version: '3.4', scenario: 'devops-stale' },
];

describe('deploy/rbac/ allows every request diagnose and repair make, and nothing they do not', () => {
  const refused: string[] = [];
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ks-restore-rbac-requests-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(RUNS)(
    'KubeSphere $version, $scenario: diagnose, repair --dry-run, repair',
    async ({ version, scenario }) => {
      let sb: Sandbox | undefined;
      try {
        sb = await startSandbox({ ksVersion: version, scenario, ...FAST });
        const env = { KUBECONFIG: sb.kubeconfigPath, HOME: work };
        const runs = [
          await runCli(['diagnose', '-v=6', '-o', 'json'], env),
          await runCli(['repair', '--dry-run', '-v=6', '-o', 'json'], env),
          await runCli(['repair', '--yes', '-v=6', '-o', 'json', '--backup-dir', join(work, version)], env),
        ];
        expect(runs.map((r) => r.code)).not.toContain(3);
        const requests = runs
          .flatMap((r) => r.stderr.split('\n').map(request))
          .filter((r) => r !== undefined);
        expect(requests.length).toBeGreaterThan(30);
        for (const r of requests) {
          const role = r.cluster === 'host' ? 'host' : 'member';
          const by = rules[role].filter((g) => allows(g, r));
          if (by.length === 0) refused.push(`${version} ${r.cluster}: ${r.verb} ${r.path}`);
          for (const g of by) {
            g.used = true;
            if (r.name) g.namesUsed.add(r.name);
          }
          // The host is only read.
          if (role === 'host') expect(['get', 'list']).toContain(r.verb);
        }
      } finally {
        await sb?.stop();
      }
    },
  );

  it('no request was outside the rules, and every rule (each named object) was needed by one', () => {
    expect(refused).toEqual([]);
    const unused = [...rules.host, ...rules.member]
      .filter((g) => !g.used)
      .map((g) => `${g.file}: ${g.verbs.join(',')} ${g.resources ?? g.nonResourceURLs}`);
    expect(unused).toEqual([]);
    // Each resourceName too: no object is granted that no request named.
    const unusedNames = [...rules.host, ...rules.member].flatMap((g) =>
      (g.resourceNames ?? [])
        .filter((n) => !g.namesUsed.has(n))
        .map((n) => `${g.file}: ${g.verbs} ${g.resources} ${n}`),
    );
    expect(unusedNames).toEqual([]);
  });
});
