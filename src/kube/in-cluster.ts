import { statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { LoadedKubeconfig } from './kubeconfig.js';

/** Where a pod's service account token, CA and namespace are mounted (client-go's and client-node's path). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The context name ks-restore gives the in-cluster config (reports and errors name the host by it). */
export const IN_CLUSTER_CONTEXT = 'in-cluster';
/**
 * Test seam: a directory standing for `/`, under which var/run/secrets/kubernetes.io/serviceaccount/ is read
 * (client-node's `loadFromCluster(pathPrefix)`). Pods never set it.
 */
export const IN_CLUSTER_ROOT_ENV = 'KS_RESTORE_IN_CLUSTER_ROOT';

function root(env: NodeJS.ProcessEnv): string {
  return env[IN_CLUSTER_ROOT_ENV] ?? '';
}

/**
 * kubectl's rule (client-go's inClusterClientConfig.Possible): KUBERNETES_SERVICE_HOST and _PORT are set and
 * the token is a file.
 */
export function inClusterPossible(env: NodeJS.ProcessEnv): boolean {
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) return false;
  try {
    return statSync(`${root(env)}${SERVICE_ACCOUNT_DIR}/token`).isFile();
  } catch {
    return false;
  }
}

/**
 * The pod's own service account as the one context `in-cluster`, through client-node's in-cluster config:
 * https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the mounted CA, and the token file (re-read as the
 * kubelet rotates it).
 */
export async function loadInCluster(env: NodeJS.ProcessEnv): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await import('./client-node.js');
  const prefix = root(env);
  const dir = path.join(prefix || '/', SERVICE_ACCOUNT_DIR);
  // client-node reads the variables from process.env: load with the given ones, as kubectl would see them.
  const load = () => {
    const kc = new KubeConfig();
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
    process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
    try {
      kc.loadFromCluster(prefix);
    } finally {
      for (const [k, v] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    return kc;
  };
  const server = load().getCurrentCluster()?.server ?? '';
  const files = [`the pod's service account (${dir})`];
  return {
    files,
    currentContext: IN_CLUSTER_CONTEXT,
    contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: 'inCluster', user: 'inClusterUser', server }],
    warnings: [],
    forContext(name) {
      if (name !== IN_CLUSTER_CONTEXT) {
        throw new UsageError(
          `context "${name}" not found: no kubeconfig was found, so ks-restore runs with ${files[0]}, whose only context is "${IN_CLUSTER_CONTEXT}"`,
          'leave out --host/--context and --member (members are found from the host, with --use-host-credentials), or give a kubeconfig with --kubeconfig PATH',
        );
      }
      return load();
    },
  };
}
