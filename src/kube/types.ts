/**
 * Plain Kubernetes JSON as the API server sent it: timestamps are strings, unknown fields are kept. The domain
 * layer imports these types only; nothing here loads @kubernetes/client-node.
 */
import type { ClockReading } from './clock.js';

export type { ClockReading } from './clock.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** The built-in resources ks-restore reads and writes, by their REST plural. */
export type BuiltinResource =
  'configmaps' | 'secrets' | 'deployments' | 'replicasets' | 'pods' | 'namespaces';

/** `strategic` and `merge` take an object body, `json` an array of RFC 6902 operations. */
export type PatchType = 'strategic' | 'merge' | 'json';

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): validated and admitted, not persisted. */
  dryRun?: boolean;
  fieldManager?: string;
}

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** The patch sets fixed values, so applying it twice equals once: it may be replayed after a 5xx or reset. */
  idempotent?: boolean;
}

/** A custom resource's group/version/plural. */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

/**
 * The API server does not serve this group/version/resource at all (e.g. no ClusterConfiguration CRD on a
 * KubeSphere 4.x cluster), as opposed to an object of a served type that does not exist.
 */
export interface ResourceTypeMissing extends CustomResource {
  readonly resourceTypeMissing: true;
}

export function isResourceTypeMissing(value: unknown): value is ResourceTypeMissing {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { resourceTypeMissing?: unknown }).resourceTypeMissing === true
  );
}

export interface ServerVersion {
  gitVersion: string;
  major: string;
  minor: string;
  [k: string]: unknown;
}

export interface LogOptions {
  sinceSeconds?: number;
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  limitBytes?: number;
}

/**
 * How a log read ended. `no-previous-container`: `previous` was asked and the container never restarted;
 * `container-not-started`: the container is waiting (ContainerCreating, CrashLoopBackOff back-off, …) and has
 * no log to show.
 */
export type LogResult =
  | { outcome: 'read'; lines: number; bytes: number }
  | { outcome: 'no-previous-container' }
  | { outcome: 'container-not-started' };

/** The narrow gateway the other layers use to talk to one cluster. All methods map failures to kube errors. */
export interface ClusterClient {
  readonly context: string;
  readonly server: string;
  version(): Promise<ServerVersion>;
  /** `namespace` is ignored for cluster-scoped `namespaces`. 404 → undefined. */
  get(
    resource: BuiltinResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined>;
  list(
    resource: BuiltinResource,
    namespace: string | undefined,
    opts?: { labelSelector?: string },
  ): Promise<KubeObject[]>;
  getCustom(
    type: CustomResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined | ResourceTypeMissing>;
  listCustom(type: CustomResource, namespace?: string): Promise<KubeObject[] | ResourceTypeMissing>;
  /** PUT; `obj.metadata.resourceVersion` is required, a stale one → ConflictError. */
  replace(resource: BuiltinResource, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  replaceCustom(type: CustomResource, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  patch(
    resource: BuiltinResource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: PatchOptions,
  ): Promise<KubeObject>;
  /**
   * What `kubectl rollout restart` sends; refuses a paused Deployment with DeploymentPausedError. `current`: a
   * read of the Deployment already under way, used instead of its own.
   */
  restartDeployment(
    namespace: string,
    name: string,
    opts: { now: Date; dryRun?: boolean; current?: Promise<KubeObject | undefined> },
  ): Promise<KubeObject>;
  /** Streams the log and calls `onLine` for each line (without its newline); memory stays flat. */
  streamPodLog(
    namespace: string,
    pod: string,
    container: string,
    opts: LogOptions,
    onLine: (line: string) => void,
  ): Promise<LogResult>;
  /** The API server's clock against ours, from the Date headers of the responses so far; undefined before any. */
  clock?(): ClockReading | undefined;
  /**
   * Hands on the object `name` each time it changes after `resourceVersion`, until `signal` or the stream ends
   * (kubectl rollout status's watch). Best effort: resolves, never rejects.
   */
  watchObject?(
    resource: BuiltinResource,
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onObject: (obj: KubeObject) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
