import { PatchStrategy } from './client-node.js';
import { UsageError } from '../errors.js';
import { DeploymentPausedError, NotFoundError } from './errors.js';
import type { KubeOperation } from './errors.js';
import type { LoadedKubeconfig } from './kubeconfig.js';
import { streamPodLog } from './logs.js';
import { Transport } from './requests.js';
import { watchObject } from './watch.js';
import { isResourceTypeMissing } from './types.js';
import type {
  BuiltinResource,
  ClusterClient,
  CustomResource,
  KubeObject,
  PatchOptions,
  PatchType,
  ResourceTypeMissing,
  ServerVersion,
  WriteOptions,
} from './types.js';

interface TypeInfo extends CustomResource {
  namespaced: boolean;
}

const BUILTIN: Record<BuiltinResource, TypeInfo> = {
  configmaps: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  secrets: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  pods: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
};

const CONTENT_TYPE: Record<PatchType, string> = {
  strategic: PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
};

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The annotation's value for a restart at `now`: RFC 3339 in whole seconds, as kubectl writes it. */
export function restartedAt(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Opens the gateway to one context. Throws UsageError for an unknown context or an unusable server URL. */
export function openCluster(
  kc: LoadedKubeconfig,
  context: string,
  opts: {
    requestTimeoutMs: number;
    /** How errors and reports name it, when not by its context. */ label?: string;
  },
): ClusterClient {
  const config = kc.forContext(context);
  const cluster = config.getCurrentCluster()!;
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new UsageError(
      `context "${context}" uses a plain-HTTP server URL (${cluster.server}), which is refused unless its cluster sets insecure-skip-tls-verify: true`,
      'use the https:// URL of the API server',
    );
  }
  if (!/^https?:\/\//.test(cluster.server)) {
    throw new UsageError(`context "${context}" has an invalid server URL: ${cluster.server}`);
  }
  return new Client(new Transport(config, opts.label ?? context, cluster.server, opts.requestTimeoutMs));
}

function path(
  t: CustomResource & { namespaced?: boolean },
  namespace: string | undefined,
  name?: string,
): string {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const ns = t.namespaced !== false && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${t.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

function op(verb: string, t: CustomResource, namespace?: string, name?: string): KubeOperation {
  return {
    verb,
    resource: t.plural,
    ...(t.group ? { group: t.group } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

function writeQuery(opts: WriteOptions | undefined): Record<string, string | undefined> {
  return { dryRun: opts?.dryRun ? 'All' : undefined, fieldManager: opts?.fieldManager };
}

class Client implements ClusterClient {
  readonly context: string;
  readonly server: string;

  constructor(private readonly t: Transport) {
    this.context = t.context;
    this.server = t.server;
  }

  async version(): Promise<ServerVersion> {
    return (await this.t.json(
      { verb: 'get', resource: '/version' },
      { method: 'GET', path: '/version' },
    )) as ServerVersion;
  }

  async get(
    resource: BuiltinResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    const found = await this.read(BUILTIN[resource], namespace, name);
    return isResourceTypeMissing(found) ? undefined : found;
  }

  async list(
    resource: BuiltinResource,
    namespace: string | undefined,
    opts: { labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    const items = await this.readList(BUILTIN[resource], namespace, opts.labelSelector);
    return isResourceTypeMissing(items) ? [] : items;
  }

  getCustom(type: CustomResource, namespace: string | undefined, name: string) {
    return this.read({ ...type, namespaced: namespace !== undefined }, namespace, name);
  }

  listCustom(type: CustomResource, namespace?: string) {
    return this.readList(type, namespace, undefined);
  }

  replace(resource: BuiltinResource, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    return this.put(BUILTIN[resource], obj, opts);
  }

  replaceCustom(type: CustomResource, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    return this.put({ ...type, namespaced: obj.metadata.namespace !== undefined }, obj, opts);
  }

  async patch(
    resource: BuiltinResource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: PatchOptions,
  ): Promise<KubeObject> {
    if (
      opts.type === 'json'
        ? !Array.isArray(body)
        : typeof body !== 'object' || body === null || Array.isArray(body)
    ) {
      throw new TypeError(
        `a ${opts.type} patch needs ${opts.type === 'json' ? 'an array of operations' : 'an object'}`,
      );
    }
    const t = BUILTIN[resource];
    return (await this.t.json(
      op('patch', t, namespace, name),
      {
        method: 'PATCH',
        path: path(t, namespace, name),
        query: writeQuery(opts),
        body,
        contentType: CONTENT_TYPE[opts.type],
      },
      { replayable: opts.dryRun === true || opts.idempotent === true },
    )) as KubeObject;
  }

  async restartDeployment(
    namespace: string,
    name: string,
    opts: { now: Date; dryRun?: boolean; current?: Promise<KubeObject | undefined> },
  ): Promise<KubeObject> {
    const t = BUILTIN.deployments;
    const operation = op('patch', t, namespace, name);
    const body = {
      spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt(opts.now) } } } },
    };
    const patch = (dryRun: boolean) =>
      this.patch('deployments', namespace, name, body, {
        type: 'strategic',
        fieldManager: 'kubectl-rollout',
        idempotent: true, // a fixed restartedAt: sending it twice restarts once
        ...(dryRun ? { dryRun: true } : {}),
      });
    const read = opts.current ?? this.get('deployments', namespace, name);
    // A dry run changes nothing, so it goes out with the read (one round trip, not two); its answer counts only
    // once the read allowed the restart. A real patch waits for the read.
    const dry = opts.dryRun ? patch(true) : undefined;
    dry?.catch(() => {});
    const deployment = await read;
    if (!deployment) {
      throw new NotFoundError({
        context: this.context,
        operation,
        status: 404,
        reason: 'NotFound',
        resourceTypeMissing: false,
      });
    }
    if ((deployment.spec as { paused?: unknown } | undefined)?.paused === true) {
      throw new DeploymentPausedError({ context: this.context, operation });
    }
    return dry ?? patch(false);
  }

  streamPodLog(...args: Parameters<ClusterClient['streamPodLog']>) {
    return streamPodLog(this.t, ...args);
  }

  watchObject(
    resource: BuiltinResource,
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onObject: (obj: KubeObject) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const t = BUILTIN[resource];
    return watchObject(
      this.t,
      op('watch', t, namespace, name),
      path(t, namespace),
      name,
      resourceVersion,
      onObject,
      signal,
    );
  }

  clock() {
    return this.t.clock.reading();
  }

  private async read(
    t: TypeInfo,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined | ResourceTypeMissing> {
    if (t.namespaced && !namespace)
      throw new TypeError(`${t.plural} are namespaced: a namespace is required`);
    try {
      return (await this.t.json(op('get', t, t.namespaced ? namespace : undefined, name), {
        method: 'GET',
        path: path(t, namespace, name),
      })) as KubeObject;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      return err.resourceTypeMissing ? missing(t) : undefined;
    }
  }

  private async readList(
    t: CustomResource & { namespaced?: boolean },
    namespace: string | undefined,
    labelSelector: string | undefined,
  ): Promise<KubeObject[] | ResourceTypeMissing> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      let page: {
        apiVersion?: string;
        kind?: string;
        items?: KubeObject[];
        metadata?: { continue?: string };
      };
      try {
        page = (await this.t.json(op('list', t, namespace), {
          method: 'GET',
          path: path(t, namespace),
          query: { labelSelector, limit: 500, continue: cont },
        })) as typeof page;
      } catch (err) {
        if (err instanceof NotFoundError) return missing(t);
        throw err;
      }
      // List items come without apiVersion/kind; kubectl fills them in from the list, and so do we.
      const kind = page.kind?.replace(/List$/, '');
      for (const item of page.items ?? []) {
        items.push({
          ...(page.apiVersion ? { apiVersion: page.apiVersion } : {}),
          ...(kind ? { kind } : {}),
          ...item,
        });
      }
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  private async put(t: TypeInfo, obj: KubeObject, opts: WriteOptions | undefined): Promise<KubeObject> {
    const { name, namespace, resourceVersion } = obj.metadata;
    // Without a resourceVersion a PUT overwrites whatever is there: always replace what was read.
    if (!resourceVersion)
      throw new TypeError(`replace ${t.plural} ${name}: metadata.resourceVersion is required`);
    if (t.namespaced && !namespace)
      throw new TypeError(`replace ${t.plural} ${name}: metadata.namespace is required`);
    // Replayable: the resourceVersion precondition turns a replay of a PUT that did apply into a 409.
    return (await this.t.json(
      op('update', t, t.namespaced ? namespace : undefined, name),
      { method: 'PUT', path: path(t, namespace, name), query: writeQuery(opts), body: obj },
      { replayable: true },
    )) as KubeObject;
  }
}

function missing(t: CustomResource): ResourceTypeMissing {
  return { resourceTypeMissing: true, group: t.group, version: t.version, plural: t.plural };
}
