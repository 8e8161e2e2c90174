import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ClientRequest } from 'node:http';
import type { ClusterApi, KubeObject, ResourceType, WatchEvent } from '../cluster-api.js';
import { httpCall } from './http.js';
import type { HttpResult } from './http.js';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  NotFoundError,
  StoreError,
} from '../apiserver/errors.js';
import { resourceKey } from '../apiserver/types.js';

type Obj = Record<string, unknown>;

const core = (resource: string, kind: string, namespaced: boolean): ResourceType => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced,
});

const apps = (resource: string, kind: string): ResourceType => ({
  group: 'apps',
  version: 'v1',
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: true,
});

/** Built-in types by resource key, for `types` and for finding a written object's path. */
export const BUILTIN_TYPES: Record<string, ResourceType> = {
  pods: { ...core('pods', 'Pod', true), subresources: ['log', 'status'] },
  configmaps: core('configmaps', 'ConfigMap', true),
  secrets: core('secrets', 'Secret', true),
  services: { ...core('services', 'Service', true), subresources: ['status'] },
  namespaces: { ...core('namespaces', 'Namespace', false), subresources: ['status', 'finalize'] },
  nodes: { ...core('nodes', 'Node', false), subresources: ['status'] },
  'deployments.apps': { ...apps('deployments', 'Deployment'), subresources: ['status', 'scale'] },
  'replicasets.apps': { ...apps('replicasets', 'ReplicaSet'), subresources: ['status', 'scale'] },
};

/**
 * An API error: the Status message, with the HTTP status as `code` and the Status reason. For the reasons the
 * embedded store also raises (AlreadyExists, Conflict, NotFound, Invalid) it is the store's error class, so
 * callers can catch either tier's errors the same way.
 */
export type ApiError = Error & { code: number; reason: string };

function apiError(code: number, body: string, what: string): ApiError {
  let message = `${what}: HTTP ${code}`;
  let reason = '';
  let details: Obj = {};
  try {
    const status = JSON.parse(body) as Obj;
    if (typeof status.message === 'string') message = status.message;
    if (typeof status.reason === 'string') reason = status.reason;
    if (status.details && typeof status.details === 'object') details = status.details as Obj;
  } catch {
    if (body.trim()) message = `${what}: HTTP ${code}: ${body.trim().slice(0, 500)}`;
  }
  const d = {
    ...(typeof details.name === 'string' ? { name: details.name } : {}),
    ...(typeof details.group === 'string' ? { group: details.group } : {}),
    ...(typeof details.kind === 'string' ? { kind: details.kind } : {}),
  };
  let err: StoreError | Error;
  if (reason === 'AlreadyExists') err = new AlreadyExistsError(message, d);
  else if (reason === 'Conflict') err = new ConflictError(message, d);
  else if (code === 404) err = new NotFoundError(message, d);
  else if (reason === 'Invalid') err = new InvalidError(message, d);
  else err = new Error(message);
  return Object.assign(err, { code, reason });
}

interface Cache {
  type: ResourceType;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  /** Resource versions of recent DELETED events, so a late write answer cannot bring an object back. */
  deleted: Map<string, string>;
  watch?: ClientRequest;
  retry?: NodeJS.Timeout;
}

const objectKey = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;
const keyOf = (o: KubeObject): string => objectKey(o.metadata.namespace, o.metadata.name);

/** Resource versions are etcd revisions: a write's answer must not overwrite a newer watch event. */
function newer(a: KubeObject, than: KubeObject | undefined): boolean {
  if (!than) return true;
  const x = Number(a.metadata.resourceVersion);
  const y = Number(than.metadata.resourceVersion);
  return !Number.isFinite(x) || !Number.isFinite(y) || x >= y;
}

/**
 * A {@link ClusterApi} on a real kube-apiserver, over node:https: an informer-style cache (list, then watch with
 * bookmarks; relist on 410 Gone) of `types`, and writes as plain REST calls. Writes also put their answer in the
 * cache, so a caller reads its own writes before the watch event arrives (the event is still delivered).
 */
export class RemoteApi implements ClusterApi {
  private readonly url: string;
  private readonly token: string;
  private readonly agent: Agent;
  private readonly caches = new Map<string, Cache>();
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  private stopped = false;

  constructor(opts: { url: string; caCertPem: string; token: string; types: ResourceType[] }) {
    this.url = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    this.agent = new Agent({ ca: opts.caCertPem, keepAlive: true });
    for (const type of opts.types) {
      this.caches.set(resourceKey(type), {
        type,
        objects: new Map(),
        resourceVersion: '',
        deleted: new Map(),
      });
    }
  }

  /** Lists every type and starts its watch; resolves once every initial list is in the cache. */
  async start(): Promise<void> {
    await Promise.all([...this.caches.values()].map((c) => this.initialList(c, Date.now() + 30_000)));
  }

  /**
   * The first list of one type. A custom resource whose CRD is not there yet (404): cache nothing and list
   * again until it is. Right after a CRD is Established its list can be refused with 429 "storage is
   * (re)initializing" while the watch cache fills: try again shortly, until the deadline.
   */
  private async initialList(c: Cache, deadline: number): Promise<void> {
    for (;;) {
      try {
        await this.relist(c, false);
        return;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) {
          this.scheduleRewatch(c, true);
          return;
        }
        if ((code !== 429 && code !== 503) || Date.now() > deadline || this.stopped) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.caches.values()) {
      clearTimeout(c.retry);
      c.watch?.destroy();
    }
    this.agent.destroy();
  }

  // --- reads --------------------------------------------------------------------------------------------------

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const c = this.cache(resource);
    const obj = c.objects.get(objectKey(c.type.namespaced ? namespace : undefined, name));
    return obj && structuredClone(obj);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const c = this.cache(resource);
    return [...c.objects.entries()]
      .filter(([, o]) => !c.type.namespaced || namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => structuredClone(o));
  }

  subscribe(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Waits until `pred` holds, checking now and after every event; rejects after timeoutMs naming `what`. */
  waitFor(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        unsubscribe();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      const unsubscribe = this.subscribe(() => {
        try {
          if (pred()) done();
        } catch (err) {
          done(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  }

  // --- writes -------------------------------------------------------------------------------------------------

  async create(obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    const type = this.typeOf(obj);
    const path = this.path(type, obj.metadata.namespace);
    const created = await this.write('POST', path, obj, opts.fieldManager, `create ${resourceKey(type)}`);
    this.remember(type, created);
    return created;
  }

  async update(
    obj: KubeObject,
    opts: { subresource?: 'status'; fieldManager?: string } = {},
  ): Promise<KubeObject> {
    const type = this.typeOf(obj);
    const path =
      this.path(type, obj.metadata.namespace, obj.metadata.name) +
      (opts.subresource ? `/${opts.subresource}` : '');
    const updated = await this.write('PUT', path, obj, opts.fieldManager, `update ${resourceKey(type)}`);
    this.remember(type, updated);
    return updated;
  }

  async delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    opts: { gracePeriodSeconds?: number; uid?: string } = {},
  ): Promise<void> {
    const type = this.typeByKey(resource);
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
      ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
    };
    const r = await this.call('DELETE', this.path(type, namespace, name), body);
    if (r.status === 404) return;
    if (r.status >= 300) throw apiError(r.status, r.body, `delete ${resource} ${name}`);
  }

  /** POST pods/<name>/binding: the scheduler's write. */
  async bind(namespace: string, pod: string, node: string): Promise<void> {
    const r = await this.call('POST', `/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod, namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
    if (r.status >= 300) throw apiError(r.status, r.body, `bind pod ${namespace}/${pod}`);
  }

  // --- internals ----------------------------------------------------------------------------------------------

  private cache(resource: string): Cache {
    const c = this.caches.get(resource);
    if (!c) throw new Error(`RemoteApi does not cache "${resource}"; pass its ResourceType in types`);
    return c;
  }

  private typeByKey(resource: string): ResourceType {
    const t = this.caches.get(resource)?.type ?? BUILTIN_TYPES[resource];
    if (!t) throw new Error(`unknown resource "${resource}"`);
    return t;
  }

  private typeOf(obj: KubeObject): ResourceType {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const match = (t: ResourceType) => t.group === group && t.version === version && t.kind === obj.kind;
    const t =
      [...this.caches.values()].map((c) => c.type).find(match) ?? Object.values(BUILTIN_TYPES).find(match);
    if (!t) throw new Error(`no resource type known for ${obj.apiVersion} ${obj.kind}`);
    return t;
  }

  private path(type: ResourceType, namespace?: string, name?: string): string {
    const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
    const ns = type.namespaced && namespace ? `/namespaces/${enc(namespace)}` : '';
    return `${base}${ns}/${type.resource}${name !== undefined ? `/${enc(name)}` : ''}`;
  }

  private async write(
    method: string,
    path: string,
    obj: KubeObject,
    fieldManager: string | undefined,
    what: string,
  ): Promise<KubeObject> {
    const q = fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : '';
    const r = await this.call(method, path + q, obj);
    if (r.status >= 300) throw apiError(r.status, r.body, `${what} ${obj.metadata.name}`);
    return JSON.parse(r.body) as KubeObject;
  }

  /** A write's answer goes into the cache unless a newer version is there already. */
  private remember(type: ResourceType, obj: KubeObject): void {
    const c = this.caches.get(resourceKey(type));
    if (!c || c.type.kind !== type.kind) return;
    const gone = Number(c.deleted.get(keyOf(obj)));
    if (gone >= Number(obj.metadata.resourceVersion)) return; // false when either is not a number
    if (newer(obj, c.objects.get(keyOf(obj)))) c.objects.set(keyOf(obj), obj);
  }

  private call(method: string, path: string, body?: unknown): Promise<HttpResult> {
    return httpCall(`${this.url}${path}`, {
      method,
      agent: this.agent,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: 60_000,
    });
  }

  private emit(e: WatchEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        // A listener's bug must not break the watch; surface it where tests see it.
        console.error('RemoteApi subscriber threw:', err);
      }
    }
  }

  private withTypeMeta(type: ResourceType, o: KubeObject): KubeObject {
    // Items of a typed list carry no apiVersion/kind.
    o.apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    o.kind = type.kind;
    return o;
  }

  /**
   * Lists the type and replaces the cache; when `diff` is set (a relist after the watch lost its place),
   * emits the differences as events. Then watches from the list's resourceVersion.
   */
  private async relist(c: Cache, diff: boolean): Promise<void> {
    const r = await this.call('GET', this.path(c.type));
    if (r.status !== 200) throw apiError(r.status, r.body, `list ${resourceKey(c.type)}`);
    const list = JSON.parse(r.body) as { metadata: { resourceVersion: string }; items: KubeObject[] };
    const fresh = new Map(list.items.map((o) => [keyOf(o), this.withTypeMeta(c.type, o)]));
    const old = c.objects;
    c.objects = fresh;
    c.resourceVersion = list.metadata.resourceVersion;
    if (diff) {
      for (const [k, o] of old) {
        if (!fresh.has(k)) this.emit({ type: 'DELETED', object: structuredClone(o), resource: c.type });
      }
      for (const [k, o] of fresh) {
        const before = old.get(k);
        if (!before) this.emit({ type: 'ADDED', object: structuredClone(o), resource: c.type });
        else if (before.metadata.resourceVersion !== o.metadata.resourceVersion)
          this.emit({ type: 'MODIFIED', object: structuredClone(o), resource: c.type });
      }
    }
    this.watch(c);
  }

  private scheduleRewatch(c: Cache, relist: boolean): void {
    if (this.stopped) return;
    clearTimeout(c.retry);
    c.retry = setTimeout(
      () => {
        if (this.stopped) return;
        if (relist) {
          this.relist(c, true).catch(() => this.scheduleRewatch(c, true));
        } else {
          this.watch(c);
        }
      },
      relist ? 1000 : 100,
    );
  }

  private watch(c: Cache): void {
    if (this.stopped) return;
    const q = `?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(c.resourceVersion)}`;
    let ended = false;
    let gone = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.scheduleRewatch(c, gone);
    };
    const req = request(
      `${this.url}${this.path(c.type)}${q}`,
      {
        method: 'GET',
        agent: this.agent,
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
      },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          gone = res.statusCode === 410;
          res.resume();
          res.on('end', end);
          if (!gone) {
            // 403/404/5xx: retry later from scratch, the type may appear (a CRD being created).
            gone = true;
          }
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            if (this.onWatchLine(c, line)) {
              gone = true;
              req.destroy();
              return;
            }
          }
        });
        res.on('end', end);
        res.on('error', end);
        res.on('close', end);
      },
    );
    req.on('error', end);
    req.end();
    c.watch = req;
  }

  /** Applies one watch event; returns true when the watch must relist (410 Gone). */
  private onWatchLine(c: Cache, line: string): boolean {
    let e: { type: string; object: Obj };
    try {
      e = JSON.parse(line) as { type: string; object: Obj };
    } catch {
      return true;
    }
    if (e.type === 'ERROR') return true; // 410 Expired/Gone, or another failure: relist to be safe
    const obj = e.object as unknown as KubeObject;
    const rv = obj?.metadata?.resourceVersion;
    if (rv) c.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return false;
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return false;
    this.withTypeMeta(c.type, obj);
    if (e.type === 'DELETED') {
      c.objects.delete(keyOf(obj));
      if (rv) c.deleted.set(keyOf(obj), rv);
      if (c.deleted.size > 1000) c.deleted.delete(c.deleted.keys().next().value!);
    } else {
      c.objects.set(keyOf(obj), obj);
      c.deleted.delete(keyOf(obj));
    }
    this.emit({ type: e.type, object: structuredClone(obj), resource: c.type });
    return false;
  }
}

const enc = encodeURIComponent;
