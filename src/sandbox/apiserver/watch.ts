import type { ResourceRequest, ServerContext } from './context.js';
import { wantsTable } from './http-util.js';
import { objectMatcher } from './selectors.js';
import { badRequest, failure } from './status.js';
import { toTable } from './table.js';
import { resourceKey } from './types.js';
import type { KubeObject, WatchEvent } from './types.js';

/**
 * A watch stream: chunked JSON lines `{"type":…,"object":…}`. Without a resourceVersion (or "0") it starts
 * with ADDED for what exists; with one it replays later changes, or an ERROR 410 when that is too old.
 */
export function handleWatch(ctx: ServerContext, r: ResourceRequest): void {
  const { store } = ctx;
  const matches = objectMatcher(
    r.type.kind,
    r.query.get('labelSelector') ?? undefined,
    r.query.get('fieldSelector') ?? undefined,
  );
  const rvParam = r.query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const key = resourceKey(r.type);
  const table = wantsTable(r.req.headers.accept);
  const wanted = (e: WatchEvent): boolean =>
    resourceKey(e.resource) === key &&
    (r.namespace === undefined || e.object.metadata.namespace === r.namespace) &&
    (r.name === undefined || e.object.metadata.name === r.name) &&
    matches(e.object);

  const res = r.res_;
  res.writeHead(200, {
    'Content-Type': table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json',
  });
  // Headers go out now, as a real server's do: clients block on them until the first event otherwise.
  res.flushHeaders();
  let sentColumns = false;
  const write = (type: string, object: KubeObject): void => {
    let payload: unknown = object;
    if (table) {
      payload = toTable(r.type, [object], { now: ctx.now(), columnDefinitions: !sentColumns });
      sentColumns = true;
    }
    res.write(`${JSON.stringify({ type, object: payload })}\n`);
  };

  const initial: WatchEvent[] = [];
  if (rvParam === '' || rvParam === '0') {
    for (const object of store.list(key, r.namespace))
      initial.push({ type: 'ADDED', object, resource: r.type });
  } else {
    const changes = store.changesSince(Number(rvParam));
    if (!changes) {
      const status = failure(
        410,
        'Expired',
        `too old resource version: ${rvParam} (${store.currentResourceVersion()})`,
      );
      res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    initial.push(...changes.map((c) => c.event));
  }
  for (const e of initial) if (wanted(e)) write(e.type, e.object);

  const unsubscribe = store.subscribe((e) => {
    if (wanted(e)) write(e.type, e.object);
  });
  ctx.streams.add(res);
  const timeout = Number(r.query.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  timer?.unref();
  const done = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    ctx.streams.delete(res);
  };
  res.on('close', done);
  res.on('finish', done);
}
