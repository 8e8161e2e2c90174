/**
 * An in-memory cluster for unit tests of the repair and rollback executors: the objects they read and write,
 * resourceVersion preconditions (a stale one is a 409, as the API server answers), and scripted faults — a
 * call that fails before it runs, or after it applied (a lost reply), with someone else's change first.
 */
import {
  ApiServerError,
  ConflictError,
  ForbiddenError,
  RequestTimeoutError,
  type KubeOperation,
} from '../../src/kube/errors.js';
import { RESTARTED_AT, restartedAt } from '../../src/kube/client.js';
import type {
  BuiltinResource,
  ClusterClient,
  CustomResource,
  KubeObject,
  ResourceTypeMissing,
  WriteOptions,
} from '../../src/kube/types.js';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';

export type FakeOp = 'get' | 'replace' | 'restart';

export interface Fault {
  op: FakeOp;
  /** Only calls on this object (`configmaps/kubesphere-system/kubesphere-config`); any object when absent. */
  key?: string;
  error: unknown;
  /** The call takes effect before the error comes back (a reply lost after the write applied). */
  applied?: boolean;
  /** Runs first, e.g. another client's edit. */
  before?: (c: FakeCluster) => void;
}

const CONTEXT = 'member';
const op = (verb: string, resource: string, key?: string): KubeOperation => {
  const [, namespace, name] = key?.split('/') ?? [];
  return { verb, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
};

export const faults = {
  conflict: (key?: string): ConflictError =>
    new ConflictError({ context: CONTEXT, operation: op('update', 'configmaps', key), status: 409 }),
  timeout: (): RequestTimeoutError =>
    new RequestTimeoutError({ context: CONTEXT, operation: op('update', 'configmaps'), timeoutMs: 1000 }),
  unavailable: (): ApiServerError =>
    new ApiServerError({ context: CONTEXT, operation: op('update', 'configmaps'), status: 503 }),
  forbidden: (): ForbiddenError =>
    new ForbiddenError({ context: CONTEXT, operation: op('update', 'configmaps'), status: 403 }),
};

export class FakeCluster implements ClusterClient {
  readonly context = CONTEXT;
  readonly server = 'https://192.0.2.21:6443';
  readonly objects = new Map<string, KubeObject>();
  readonly faults: Fault[] = [];
  /** Every call, as `verb key` (`replace configmaps/ns/name`, `dry-run replace …`). */
  readonly calls: string[] = [];
  /** The field managers the writes named. */
  readonly fieldManagers = new Set<string | undefined>();
  /** Custom resource types (plurals) whose CRD is not installed. */
  readonly missingTypes = new Set<string>();
  /** Deployment rollouts finish as soon as they start unless set. */
  stuckRollout = false;
  private rv = 100;

  static key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  /** Stores an object as the API server would: with a new resourceVersion. */
  put(resource: string, obj: ObjectJson): KubeObject {
    const stored = structuredClone(obj) as KubeObject;
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(FakeCluster.key(resource, stored.metadata.namespace, stored.metadata.name), stored);
    return structuredClone(stored);
  }

  read(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(FakeCluster.key(resource, namespace, name));
    return o && structuredClone(o);
  }

  /** Another client's edit: changes the stored object and its resourceVersion. */
  edit(resource: string, namespace: string, name: string, change: (o: KubeObject) => void): void {
    const o = this.read(resource, namespace, name);
    if (!o) throw new Error(`no ${resource} ${namespace}/${name}`);
    change(o);
    this.put(resource, o);
  }

  private async call<T>(kind: FakeOp, key: string, run: () => T): Promise<T> {
    const f = this.faults[0];
    if (f && f.op === kind && (f.key === undefined || f.key === key)) {
      this.faults.shift();
      f.before?.(this);
      if (f.applied) run();
      throw f.error;
    }
    return run();
  }

  version(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  get(
    resource: BuiltinResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    const key = FakeCluster.key(resource, namespace, name);
    this.calls.push(`get ${key}`);
    return this.call('get', key, () => this.read(resource, namespace ?? '', name));
  }

  list(
    resource: BuiltinResource,
    namespace: string | undefined,
    opts: { labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    this.calls.push(
      `list ${resource}/${namespace ?? ''}${opts.labelSelector ? `?${opts.labelSelector}` : ''}`,
    );
    const prefix = `${resource}/${namespace ?? ''}/`;
    return Promise.resolve(
      [...this.objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => structuredClone(o)),
    );
  }

  getCustom(
    type: CustomResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined | ResourceTypeMissing> {
    if (this.missingTypes.has(type.plural)) return Promise.resolve({ ...type, resourceTypeMissing: true });
    return this.get(type.plural as BuiltinResource, namespace, name);
  }

  listCustom(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  replace(resource: BuiltinResource, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const key = FakeCluster.key(resource, obj.metadata.namespace, obj.metadata.name);
    this.calls.push(`${opts.dryRun ? 'dry-run ' : ''}replace ${key}`);
    this.fieldManagers.add(opts.fieldManager);
    return this.call('replace', key, () => {
      const current = this.objects.get(key);
      if (!current) throw new Error(`fake: no ${key}`);
      if (current.metadata.resourceVersion !== obj.metadata.resourceVersion) throw faults.conflict(key);
      if (opts.dryRun) return structuredClone(obj);
      return this.put(resource, obj);
    });
  }

  replaceCustom(type: CustomResource, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    return this.replace(type.plural as BuiltinResource, obj, opts);
  }

  patch(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  restartDeployment(
    namespace: string,
    name: string,
    opts: { now: Date; dryRun?: boolean },
  ): Promise<KubeObject> {
    const key = FakeCluster.key('deployments', namespace, name);
    this.calls.push(`${opts.dryRun ? 'dry-run ' : ''}restart ${key}`);
    return this.call('restart', key, () => {
      const dep = this.read('deployments', namespace, name);
      if (!dep) throw new Error(`fake: no ${key}`);
      if (opts.dryRun) return dep;
      const spec = dep.spec as {
        replicas?: number;
        template: { metadata: { annotations?: Record<string, string> } };
      };
      spec.template.metadata.annotations = {
        ...spec.template.metadata.annotations,
        [RESTARTED_AT]: restartedAt(opts.now),
      };
      const generation = (dep.metadata.generation ?? 1) + 1;
      dep.metadata.generation = generation;
      const replicas = spec.replicas ?? 1;
      dep.status = this.stuckRollout
        ? {
            observedGeneration: generation,
            replicas: replicas + 1,
            updatedReplicas: 1,
            availableReplicas: replicas,
          }
        : {
            observedGeneration: generation,
            replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
          };
      return this.put('deployments', dep);
    });
  }

  streamPodLog(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
}

/** A Deployment with `replicas` pods, rolled out, selecting `app=<name>`. */
export function deployment(namespace: string, name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } } },
    },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, availableReplicas: replicas },
  };
}
