import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { applyDefaults } from './defaults.js';
import { AlreadyExistsError, ConflictError, InvalidError, NotFoundError } from './errors.js';
import { withManagerEntry } from './managed-fields.js';
import { objectMatcher } from './selectors.js';
import { groupVersion, kubeTime, resourceKey } from './types.js';
import type { KubeObject, ResourceType, WatchEvent } from './types.js';

export { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
export type {
  KubeObject,
  ManagedFieldsEntry,
  ObjectMeta,
  PrinterColumn,
  ResourceType,
  WatchEvent,
} from './types.js';

/** A change with the resourceVersion it produced, kept so a watch can resume from an older version. */
export interface RecordedEvent {
  rv: number;
  event: WatchEvent;
}

const DEFAULT_MANAGER = 'ks-restore-sandbox';
/** Like the apiserver's watch cache: older resourceVersions get 410 Expired. */
const HISTORY_LIMIT = 10_000;

const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/** Everything except what the server owns, to tell a real change from a no-op write. */
function comparable(obj: KubeObject): unknown {
  const meta: Record<string, unknown> = { ...obj.metadata };
  delete meta.resourceVersion;
  delete meta.managedFields;
  delete meta.generation;
  return { ...obj, metadata: meta };
}

function specOf(obj: KubeObject): unknown {
  const rest: Record<string, unknown> = { ...obj };
  delete rest.metadata;
  delete rest.status;
  return rest;
}

/** One simulated cluster's objects, like etcd behind an apiserver: a single resourceVersion counter for all. */
export class ClusterStore {
  private readonly now: () => Date;
  private readonly typesByKey = new Map<string, ResourceType>();
  private readonly typesByKind = new Map<string, ResourceType>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  private readonly history: RecordedEvent[] = [];
  // Start high enough to look like a real cluster's etcd revision.
  private rv = 10_000;

  constructor(opts: { now?: () => Date } = {}) {
    this.now = opts.now ?? (() => new Date());
  }

  registerType(t: ResourceType): void {
    const key = resourceKey(t);
    this.typesByKey.set(key, structuredClone(t));
    this.typesByKind.set(`${t.group}/${t.kind}`, this.typesByKey.get(key)!);
    if (!this.objects.has(key)) this.objects.set(key, new Map());
  }

  types(): ResourceType[] {
    return [...this.typesByKey.values()].map((t) => structuredClone(t));
  }

  /** The type served at group/version/resource, or undefined: one copy, not every type's (per request). */
  findType(group: string, version: string, resource: string): ResourceType | undefined {
    const t = this.typesByKey.get(resourceKey({ group, resource }));
    return t && t.version === version ? structuredClone(t) : undefined;
  }

  type(res: string): ResourceType {
    const t = this.typesByKey.get(res);
    if (!t) throw new NotFoundError(`the server doesn't have a resource type "${res}"`, { kind: res });
    return structuredClone(t);
  }

  /** The registered type for an object's apiVersion and kind; the version is not compared. */
  typeOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType {
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '';
    const t = this.typesByKind.get(`${group}/${obj.kind}`);
    if (!t) throw new NotFoundError(`no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
    return structuredClone(t);
  }

  get(res: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.type(res);
    const obj = this.bucket(res).get(objectKey(t.namespaced ? namespace : undefined, name));
    return obj && structuredClone(obj);
  }

  list(
    res: string,
    namespace?: string,
    opts: { labelSelector?: string; fieldSelector?: string } = {},
  ): KubeObject[] {
    const t = this.type(res);
    const matches = objectMatcher(t.kind, opts.labelSelector, opts.fieldSelector);
    return (
      [...this.bucket(res).values()]
        .filter((o) => !t.namespaced || namespace === undefined || o.metadata.namespace === namespace)
        .filter(matches)
        .map((o) => ({ o, key: objectKey(o.metadata.namespace, o.metadata.name) }))
        // etcd's order: its keys (…/<namespace>/<name>) byte by byte, as a real list comes back.
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map(({ o }) => structuredClone(o))
    );
  }

  create(input: KubeObject, opts: { fieldManager?: string; dryRun?: boolean } = {}): KubeObject {
    const t = this.typeOf(input);
    const res = resourceKey(t);
    const obj = structuredClone(input);
    obj.apiVersion = groupVersion(t);
    const meta = obj.metadata ?? (obj.metadata = { name: '' });
    if (!meta.name && typeof meta.generateName === 'string') meta.name = meta.generateName + randomSuffix();
    if (!meta.name)
      throw new InvalidError(
        `${t.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        { kind: res },
      );
    if (t.namespaced) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    const key = objectKey(meta.namespace, meta.name);
    if (this.bucket(res).has(key)) {
      throw new AlreadyExistsError(`${res} "${meta.name}" already exists`, {
        name: meta.name,
        group: t.group,
        kind: t.resource,
      });
    }
    applyDefaults(obj);
    const time = kubeTime(this.now());
    meta.uid = randomUUID();
    meta.creationTimestamp = meta.creationTimestamp ?? time;
    if ('spec' in obj) meta.generation = 1;
    else delete meta.generation;
    delete meta.deletionTimestamp;
    meta.managedFields = withManagerEntry(undefined, obj, opts.fieldManager ?? DEFAULT_MANAGER, time);
    // A dry run is validated and defaulted like the real write but never stored: no resourceVersion.
    if (opts.dryRun) return obj;
    meta.resourceVersion = String(++this.rv);
    this.bucket(res).set(key, obj);
    this.emit('ADDED', obj, t);
    return structuredClone(obj);
  }

  update(
    input: KubeObject,
    opts: { fieldManager?: string; subresource?: 'status'; dryRun?: boolean } = {},
  ): KubeObject {
    const t = this.typeOf(input);
    const res = resourceKey(t);
    const { name } = input.metadata;
    const key = objectKey(t.namespaced ? input.metadata.namespace || 'default' : undefined, name);
    const existing = this.bucket(res).get(key);
    if (!existing)
      throw new NotFoundError(`${res} "${name}" not found`, { name, group: t.group, kind: t.resource });
    const sentRv = input.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== existing.metadata.resourceVersion) {
      throw new ConflictError(
        `Operation cannot be fulfilled on ${res} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: t.group, kind: t.resource },
      );
    }
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = structuredClone(existing);
      if (input.status === undefined) delete next.status;
      else next.status = structuredClone(input.status);
    } else {
      next = structuredClone(input);
      next.apiVersion = existing.apiVersion;
      // Identity and creation are immutable; a real server ignores what the client sends for these.
      next.metadata = {
        ...next.metadata,
        name: existing.metadata.name,
        uid: existing.metadata.uid,
        creationTimestamp: existing.metadata.creationTimestamp,
      };
      applyDefaults(next);
      if (existing.metadata.namespace) next.metadata.namespace = existing.metadata.namespace;
      else delete next.metadata.namespace;
    }
    if (isDeepStrictEqual(comparable(next), comparable(existing))) return structuredClone(existing);
    if (existing.metadata.generation !== undefined) {
      const changed = !isDeepStrictEqual(specOf(next), specOf(existing));
      next.metadata.generation = existing.metadata.generation + (changed ? 1 : 0);
    } else delete next.metadata.generation;
    next.metadata.managedFields = withManagerEntry(
      existing.metadata.managedFields,
      next,
      opts.fieldManager ?? DEFAULT_MANAGER,
      kubeTime(this.now()),
      opts.subresource,
    );
    if (opts.dryRun) return next;
    next.metadata.resourceVersion = String(++this.rv);
    this.bucket(res).set(key, next);
    this.emit('MODIFIED', next, t);
    return structuredClone(next);
  }

  delete(
    res: string,
    namespace: string | undefined,
    name: string,
    opts: { dryRun?: boolean } = {},
  ): KubeObject | undefined {
    const t = this.type(res);
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const obj = this.bucket(res).get(key);
    if (!obj) return undefined;
    if (opts.dryRun) return structuredClone(obj);
    this.bucket(res).delete(key);
    // The DELETED event carries a new resourceVersion, as etcd's delete revision.
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', obj, t);
    return structuredClone(obj);
  }

  subscribe(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  /** Changes after `rv`, oldest first; undefined when `rv` is older than the history kept (410 Expired). */
  changesSince(rv: number): RecordedEvent[] | undefined {
    const oldest = this.history[0];
    if (oldest && rv < oldest.rv - 1) return undefined;
    return this.history.filter((r) => r.rv > rv).map((r) => structuredClone(r));
  }

  private bucket(res: string): Map<string, KubeObject> {
    const b = this.objects.get(res);
    if (!b) throw new NotFoundError(`the server doesn't have a resource type "${res}"`, { kind: res });
    return b;
  }

  private emit(type: WatchEvent['type'], obj: KubeObject, resource: ResourceType): void {
    this.history.push({ rv: this.rv, event: { type, object: structuredClone(obj), resource } });
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const listener of [...this.listeners]) {
      try {
        listener({ type, object: structuredClone(obj), resource: structuredClone(resource) });
      } catch (err) {
        // A faulty listener must not undo a committed change or starve the other listeners.
        process.emitWarning(`ClusterStore listener failed: ${String(err)}`);
      }
    }
  }
}

function randomSuffix(): string {
  // Kubernetes' name suffix alphabet has no vowels and no look-alike digits.
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}
