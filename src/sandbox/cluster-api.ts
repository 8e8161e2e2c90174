import type { ClusterStore } from './apiserver/store.js';
import type { KubeObject, ResourceType, WatchEvent } from './apiserver/types.js';

export type { KubeObject, ResourceType, WatchEvent } from './apiserver/types.js';

/**
 * How the KubeSphere simulation (ks-apiserver processes, ks-installer, the host's cluster controller) and the
 * kubelet's part see one cluster: through the Kubernetes API, like the controllers they stand for.
 *
 * Reads come from an informer-style cache (what the last watch event said), so they are synchronous; writes go
 * to the API server and settle when it answers. The embedded sandbox serves this from its own store
 * ({@link storeApi}); the real tier from a list+watch of a real kube-apiserver (src/sandbox/real/remote-api.ts).
 * Resources are named as the store names them: `pods`, `configmaps`, `deployments.apps`,
 * `clusterconfigurations.installer.kubesphere.io`, `clusters.cluster.kubesphere.io`.
 */
export interface ClusterApi {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** Every change after this call, in order. Returns the unsubscribe function. */
  subscribe(listener: (e: WatchEvent) => void): () => void;
  /** POST. Rejects on any API error (409 AlreadyExists included). */
  create(obj: KubeObject, opts?: { fieldManager?: string }): Promise<KubeObject>;
  /** PUT, with the object's resourceVersion as precondition when it carries one. */
  update(obj: KubeObject, opts?: { subresource?: 'status'; fieldManager?: string }): Promise<KubeObject>;
  /** DELETE; resolves when the server accepted it (a missing object is not an error). */
  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    opts?: { gracePeriodSeconds?: number; uid?: string },
  ): Promise<void>;
}

/** The embedded API server's store as a {@link ClusterApi}: every write settles before any I/O can happen. */
export function storeApi(store: ClusterStore): ClusterApi {
  const settle = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    get: (resource, namespace, name) => store.get(resource, namespace, name),
    list: (resource, namespace) => store.list(resource, namespace),
    subscribe: (listener) => store.subscribe(listener),
    create: (obj, opts = {}) => settle(() => store.create(obj, opts)),
    update: (obj, opts = {}) => settle(() => store.update(obj, opts)),
    delete: (resource, namespace, name) =>
      settle(() => {
        store.delete(resource, namespace, name);
      }),
  };
}

/** For a watch event's `resource`: the types the simulation watches, by the store's resource key. */
export type ResourceTypes = ReadonlyMap<string, ResourceType>;

/** The write met a newer object than the one it was based on (409 Conflict): a cache that lags the server. */
export function isConflict(err: unknown): boolean {
  return (
    (err instanceof Error && err.name === 'ConflictError') ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 409)
  );
}

/**
 * A controller's read-modify-write: `write` reads from the cache and writes; a conflict means the cache had not
 * caught up yet, so it is tried again shortly (as client-go's RetryOnConflict). Other errors reject at once.
 */
export async function retryOnConflict<T>(write: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (!isConflict(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * i));
    }
  }
}
