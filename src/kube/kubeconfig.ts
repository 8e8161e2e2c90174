import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { Cluster, Context, KubeConfig, User } from './client-node.js';
import { UsageError } from '../errors.js';
import { inClusterPossible, loadInCluster } from './in-cluster.js';
import { proxyFromEnvironment } from './proxy-env.js';

/** A context as `kubectl config get-contexts` shows it. Never holds credentials. */
export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
  server?: string;
}

export interface LoadedKubeconfig {
  /** The files that were read, in precedence order (missing $KUBECONFIG entries left out). */
  readonly files: string[];
  readonly currentContext?: string;
  readonly contexts: ContextInfo[];
  /** Entries ignored because an earlier one has the same name, as kubectl ignores them. */
  readonly warnings: string[];
  /** A new KubeConfig holding only this context, its cluster and its user, with current-context set. */
  forContext(name: string): KubeConfig;
}

type Rec = Record<string, unknown>;
interface Named {
  name: string;
  body: Rec;
  file: string;
}
type Section = 'clusters' | 'users' | 'contexts';
const FIELD: Record<Section, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

/** Loads kubeconfig files by kubectl's rules: --kubeconfig, else $KUBECONFIG (first file wins), else ~/.kube/config. */
export async function loadKubeconfig(
  opts: { kubeconfigPath?: string; env?: NodeJS.ProcessEnv; homedir?: string } = {},
): Promise<LoadedKubeconfig> {
  const env = opts.env ?? process.env;
  const docs: { file: string; doc: Rec }[] = [];
  if (opts.kubeconfigPath !== undefined) {
    const file = path.resolve(opts.kubeconfigPath);
    const text = await readKubeconfig(file, 'explicit');
    docs.push({ file, doc: parseKubeconfig(file, text!) });
  } else if (env.KUBECONFIG) {
    const files = [
      ...new Set(
        env.KUBECONFIG.split(path.delimiter)
          .filter(Boolean)
          .map((f) => path.resolve(f)),
      ),
    ];
    for (const file of files) {
      const text = await readKubeconfig(file, 'list');
      if (text !== undefined) docs.push({ file, doc: parseKubeconfig(file, text) });
    }
    // kubectl: none of them exists, so nothing was loaded; in a pod, its service account then.
    if (docs.length === 0 && inClusterPossible(env)) return loadInCluster(env);
    if (docs.length === 0) {
      throw new UsageError(
        `none of the kubeconfig files in KUBECONFIG exist: ${files.join(', ')}`,
        'fix the KUBECONFIG variable, or pass --kubeconfig PATH',
      );
    }
  } else {
    const file = path.join(opts.homedir ?? os.homedir(), '.kube', 'config');
    // No kubeconfig anywhere, in a pod: its service account (kubectl's and client-go's last resort too).
    if (!existsSync(file) && inClusterPossible(env)) return loadInCluster(env);
    const text = await readKubeconfig(file, 'default');
    docs.push({ file, doc: parseKubeconfig(file, text!) });
  }
  const { KubeConfig: KubeConfigClass } = await import('./client-node.js');
  return mergeKubeconfigs(docs, () => new KubeConfigClass(), env);
}

async function readKubeconfig(
  file: string,
  how: 'explicit' | 'list' | 'default',
): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code === 'ENOENT' && how === 'list') return undefined; // kubectl skips missing $KUBECONFIG entries
    if (code === 'ENOENT') {
      throw new UsageError(
        `kubeconfig file ${file} does not exist`,
        how === 'explicit' ? 'check the --kubeconfig path' : 'pass --kubeconfig PATH or set KUBECONFIG',
      );
    }
    throw new UsageError(
      `cannot read kubeconfig file ${file} (${code})`,
      'check the path and its permissions',
    );
  }
}

function parseKubeconfig(file: string, text: string): Rec {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
  } catch (err) {
    // The exception's own message quotes the surrounding lines, which can hold a token: use reason and position only.
    const e = err as { reason?: string; mark?: { line: number; column: number } };
    const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    throw new UsageError(
      `kubeconfig file ${file} is not valid YAML${where}: ${e.reason ?? 'parse error'}`,
      'fix the file, or point --kubeconfig / KUBECONFIG at a valid one',
    );
  }
  if (doc === undefined || doc === null) return {}; // kubectl accepts an empty file
  if (!isRec(doc)) throw new UsageError(`kubeconfig file ${file} is not a kubeconfig (expected a mapping)`);
  for (const section of ['clusters', 'users', 'contexts'] as const) {
    const list = doc[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new UsageError(`kubeconfig file ${file}: "${section}" must be a list`);
    list.forEach((entry, i) => {
      if (!isRec(entry) || typeof entry.name !== 'string' || entry.name === '') {
        throw new UsageError(`kubeconfig file ${file}: ${section}[${i}] has no name`);
      }
      if (
        entry[FIELD[section]] !== undefined &&
        entry[FIELD[section]] !== null &&
        !isRec(entry[FIELD[section]])
      ) {
        throw new UsageError(`kubeconfig file ${file}: ${section}[${i}].${FIELD[section]} must be a mapping`);
      }
    });
  }
  return doc;
}

export function mergeKubeconfigs(
  docs: { file: string; doc: Rec }[],
  newKubeConfig: () => KubeConfig,
  env: NodeJS.ProcessEnv = {},
): LoadedKubeconfig {
  const warnings: string[] = [];
  const maps: Record<Section, Map<string, Named>> = {
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  let currentContext: string | undefined;
  for (const { file, doc } of docs) {
    for (const section of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of (doc[section] as Rec[] | undefined) ?? []) {
        const name = entry.name as string;
        const first = maps[section].get(name);
        if (first) {
          warnings.push(`${FIELD[section]} "${name}" in ${file} is ignored: ${first.file} defines it first`);
          continue;
        }
        maps[section].set(name, {
          name,
          body: resolvePaths(section, (entry[FIELD[section]] as Rec) ?? {}, file),
          file,
        });
      }
    }
    const cc = doc['current-context'];
    if (currentContext === undefined && typeof cc === 'string' && cc !== '') currentContext = cc;
  }
  const files = docs.map((d) => d.file);
  const contexts: ContextInfo[] = [...maps.contexts.values()].map(({ name, body }) => {
    const server = maps.clusters.get(str(body.cluster) ?? '')?.body.server;
    return {
      name,
      cluster: str(body.cluster) ?? '',
      user: str(body.user) ?? '',
      ...(str(body.namespace) ? { namespace: str(body.namespace) } : {}),
      ...(typeof server === 'string' ? { server } : {}),
    };
  });

  function forContext(name: string): KubeConfig {
    const ctx = maps.contexts.get(name);
    const where = files.join(', ');
    if (!ctx) {
      const known = [...maps.contexts.keys()];
      throw new UsageError(
        `context "${name}" not found in ${where}; ` +
          (known.length > 0 ? `contexts that exist: ${known.join(', ')}` : 'it defines no contexts'),
        'pass one of the existing context names (kubectl config get-contexts lists them)',
      );
    }
    const clusterName = str(ctx.body.cluster);
    const cluster = clusterName === undefined ? undefined : maps.clusters.get(clusterName);
    if (!cluster) {
      throw new UsageError(
        `context "${name}" refers to cluster "${clusterName ?? ''}", which is not defined in ${where}`,
      );
    }
    const server = str(cluster.body.server);
    if (!server)
      throw new UsageError(
        `cluster "${cluster.name}" (context "${name}") has no server URL in ${cluster.file}`,
      );
    const userName = str(ctx.body.user);
    const user = userName === undefined ? undefined : maps.users.get(userName);
    if (userName !== undefined && !user) {
      throw new UsageError(
        `context "${name}" refers to user "${userName}", which is not defined in ${where}`,
      );
    }
    const kc = newKubeConfig();
    // client-node applies the CA only when the context has a user: give anonymous contexts an empty one.
    const u = user ? toUser(user) : { name: '' };
    const c: Context = {
      name,
      cluster: cluster.name,
      user: u.name,
      ...(str(ctx.body.namespace) ? { namespace: str(ctx.body.namespace) } : {}),
    };
    kc.loadFromOptions({
      clusters: [toCluster(cluster, env)],
      users: [u],
      contexts: [c],
      currentContext: name,
    });
    return kc;
  }

  return { files, ...(currentContext ? { currentContext } : {}), contexts, warnings, forContext };
}

/** kubectl's ResolveLocalPaths: file references are relative to the kubeconfig that holds them. */
function resolvePaths(section: Section, body: Rec, file: string): Rec {
  const dir = path.dirname(file);
  const abs = (v: unknown): unknown =>
    typeof v === 'string' && v !== '' && !path.isAbsolute(v) ? path.join(dir, v) : v;
  const out = structuredClone(body);
  if (section === 'clusters') out['certificate-authority'] = abs(out['certificate-authority']);
  if (section === 'users') {
    for (const k of ['client-certificate', 'client-key', 'tokenFile']) out[k] = abs(out[k]);
    const exec = out.exec;
    // Only a command with a path separator is a file; a bare name is looked up in PATH.
    if (isRec(exec) && typeof exec.command === 'string' && /[\\/]/.test(exec.command))
      exec.command = abs(exec.command);
  }
  return out;
}

function toCluster({ name, body }: Named, env: NodeJS.ProcessEnv): Cluster {
  const caData = str(body['certificate-authority-data']);
  const server = (str(body.server) ?? '').replace(/\/$/, '');
  const proxyUrl = str(body['proxy-url']) ?? proxyFromEnvironment(server, env);
  return {
    name,
    server,
    skipTLSVerify: body['insecure-skip-tls-verify'] === true,
    // client-go prefers the -data field over the file; client-node prefers the file.
    ...(caData
      ? { caData }
      : str(body['certificate-authority'])
        ? { caFile: str(body['certificate-authority']) }
        : {}),
    ...(str(body['tls-server-name']) ? { tlsServerName: str(body['tls-server-name']) } : {}),
    ...(proxyUrl ? { proxyUrl } : {}),
  };
}

function toUser({ name, body }: Named): User {
  const certData = str(body['client-certificate-data']);
  const keyData = str(body['client-key-data']);
  const tokenFile = str(body.tokenFile);
  return {
    name,
    ...(certData
      ? { certData }
      : str(body['client-certificate'])
        ? { certFile: str(body['client-certificate']) }
        : {}),
    ...(keyData ? { keyData } : str(body['client-key']) ? { keyFile: str(body['client-key']) } : {}),
    // client-go: a tokenFile's content wins over token. client-node's FileAuth re-reads it every minute.
    ...(tokenFile
      ? { authProvider: { name: 'tokenFile', config: { tokenFile } } }
      : isRec(body['auth-provider'])
        ? { authProvider: structuredClone(body['auth-provider']) }
        : {}),
    ...(!tokenFile && str(body.token) ? { token: str(body.token) } : {}),
    ...(isRec(body.exec) ? { exec: structuredClone(body.exec) } : {}),
    ...(str(body.username) ? { username: str(body.username) } : {}),
    ...(str(body.password) ? { password: str(body.password) } : {}),
    ...(str(body.as) ? { impersonateUser: str(body.as) } : {}),
  };
}

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A kubeconfig held in memory only (a member's stored kubeconfig from its Cluster object, used with
 * --use-host-credentials). Never written to disk; `label` names it in errors instead of a file path.
 */
export async function kubeconfigFromText(text: string, label: string): Promise<LoadedKubeconfig> {
  const { KubeConfig: KubeConfigClass } = await import('./client-node.js');
  return mergeKubeconfigs(
    [{ file: label, doc: parseKubeconfig(label, text) }],
    () => new KubeConfigClass(),
    {},
  );
}
