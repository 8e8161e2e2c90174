/* eslint-disable @typescript-eslint/no-explicit-any -- a kubeconfig document, edited field by field */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Sandbox } from '../../src/sandbox/index.js';

/** The sandbox's kubeconfig as a document, to add contexts to before `saveKubeconfig`. */
export function sandboxKubeconfig(sb: Sandbox): any {
  return yaml.load(readFileSync(sb.kubeconfigPath, 'utf8'));
}

/**
 * Adds `host-alias`: the host's API server reached as localhost, with the host's credentials. The URL check
 * cannot tell it from a member; only the role read from the cluster can.
 */
export function addHostAlias(kc: any): void {
  const host = kc.clusters.find((c: any) => c.name === 'host');
  kc.clusters.push({
    name: 'host-alias',
    cluster: { ...host.cluster, server: host.cluster.server.replace('127.0.0.1', 'localhost') },
  });
  kc.contexts.push({ name: 'host-alias', context: { cluster: 'host-alias', user: 'host' } });
}

/** Writes the kubeconfig into dir (mode 0600, as it holds credentials) and returns its path. */
export function saveKubeconfig(kc: any, dir: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, yaml.dump(kc), { mode: 0o600 });
  return file;
}
