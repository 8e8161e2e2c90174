import type { ServerResponse } from 'node:http';
import type { ResourceRequest, ServerContext } from './context.js';
import { queryFlag } from './http-util.js';
import type { LogLine } from './logs.js';
import type { KubeObject } from './types.js';
import { getObject } from './rest-read.js';
import { badRequest } from './status.js';

type Obj = Record<string, unknown>;

/** The kubelet's CRI log timestamp: RFC 3339 with exactly nine fractional digits. */
export function logTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function nonNegativeInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return Number(v);
}

function selectContainer(
  pod: { metadata: { name: string }; spec?: unknown },
  requested: string | null,
): string {
  const spec = (pod.spec ?? {}) as Obj;
  const names = ((spec.containers ?? []) as Obj[]).map((c) => String(c.name));
  const init = ((spec.initContainers ?? []) as Obj[]).map((c) => String(c.name));
  if (requested) {
    if (!names.includes(requested) && !init.includes(requested)) {
      throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    }
    return requested;
  }
  if (names.length === 1) return names[0]!;
  const initPart = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
  throw badRequest(
    `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${initPart}`,
  );
}

/**
 * Which run of a container the kubelet serves logs from, decided on the pod's status as the kubelet's
 * validateContainerLogStatus does (k/k pkg/kubelet/kubelet_pods.go), or its 400 message. Shared by the embedded
 * API server and the real tier's kubelet, so both answer alike.
 *
 * The last terminated run (`previous`) is also what a crash-looping container's plain `kubectl logs` shows.
 * In the LogStore that run is still the `current` buffer while the container waits to restart (the restart
 * moves it to `previous`). `live`: the run is still writing, so `follow` keeps the stream open.
 */
export function containerLogSource(
  pod: KubeObject,
  container: string,
  previous: boolean,
): { error: string } | { buffer: 'current' | 'previous'; live: boolean } {
  const podName = pod.metadata.name;
  const status = (pod.status ?? {}) as Obj;
  const all = [
    ...((status.containerStatuses ?? []) as Obj[]),
    ...((status.initContainerStatuses ?? []) as Obj[]),
    ...((status.ephemeralContainerStatuses ?? []) as Obj[]),
  ];
  const cs = all.find((c) => c.name === container);
  if (!cs) return { error: `container "${container}" in pod "${podName}" is not available` };
  const state = (cs.state ?? {}) as Obj;
  const lastTerminated = ((cs.lastState ?? {}) as Obj).terminated as Obj | undefined;
  const waiting = state.waiting as Obj | undefined;
  const terminated = state.terminated as Obj | undefined;
  // The last terminated run: still the current buffer while waiting to restart, `previous` once restarted.
  const last = { buffer: waiting ? ('current' as const) : ('previous' as const), live: false };
  const isTerminated = { error: `container "${container}" in pod "${podName}" is terminated` };
  if (previous) {
    if (!lastTerminated?.containerID) {
      return { error: `previous terminated container "${container}" in pod "${podName}" not found` };
    }
    return last;
  }
  if (state.running) return { buffer: 'current', live: true };
  if (terminated) {
    if (terminated.containerID) return { buffer: 'current', live: false };
    return lastTerminated?.containerID ? last : isTerminated;
  }
  if (lastTerminated) return lastTerminated.containerID ? last : isTerminated;
  if (waiting) {
    const reason = String(waiting.reason ?? '');
    const why =
      reason === 'ErrImagePull'
        ? "image can't be pulled"
        : reason === 'ImagePullBackOff'
          ? 'trying and failing to pull image'
          : reason;
    return { error: `container "${container}" in pod "${podName}" is waiting to start: ${why}` };
  }
  return { error: `container "${container}" in pod "${podName}" is waiting to start - no logs yet` };
}

/** GET pods/<name>/log: container, tailLines, sinceSeconds, sinceTime, timestamps, previous, limitBytes, follow. */
export function handlePodLog(ctx: ServerContext, r: ResourceRequest): void {
  const pod = getObject(ctx, r);
  const q = r.query;
  const container = selectContainer(pod, q.get('container'));
  const previous = queryFlag(q, 'previous');
  const ns = pod.metadata.namespace ?? '';
  const source = containerLogSource(pod, container, previous);
  if ('error' in source) throw badRequest(source.error);
  const lines = ctx.logs.lines(ns, pod.metadata.name, container, { previous: source.buffer === 'previous' });

  const lq = parseLogQuery(q, ctx.now());
  const res = r.res_;
  const stream = startLogStream(res, lines, lq);
  if (!queryFlag(q, 'follow') || !source.live || stream.exhausted) {
    res.end();
    return;
  }
  // follow: stream appends until the client goes, the pod goes, or the server closes.
  const unsubscribeLogs = ctx.logs.onAppend((lns, lpod, lcontainer, line) => {
    if (lns === ns && lpod === pod.metadata.name && lcontainer === container && !stream.send(line)) res.end();
  });
  const unsubscribeStore = ctx.store.subscribe((e) => {
    if (
      e.type === 'DELETED' &&
      e.resource.resource === 'pods' &&
      e.resource.group === '' &&
      e.object.metadata.uid === pod.metadata.uid
    ) {
      res.end();
    }
  });
  ctx.streams.add(res);
  const done = (): void => {
    unsubscribeLogs();
    unsubscribeStore();
    ctx.streams.delete(res);
  };
  res.on('close', done);
  res.on('finish', done);
}

/** A log request's query, validated as the API server validates PodLogOptions. */
export interface LogQuery {
  tail?: number;
  /** epoch ms: lines before this are left out */
  since?: number;
  limitBytes?: number;
  timestamps: boolean;
}

/** tailLines, sinceSeconds, sinceTime, limitBytes and timestamps; throws a 400 HttpError for invalid values. */
export function parseLogQuery(q: URLSearchParams, now: Date): LogQuery {
  const tail = nonNegativeInt(q, 'tailLines');
  const sinceSeconds = nonNegativeInt(q, 'sinceSeconds');
  const limitBytes = nonNegativeInt(q, 'limitBytes');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  let since: number | undefined;
  if (sinceSeconds !== undefined) since = now.getTime() - sinceSeconds * 1000;
  if (sinceTime) {
    since = Date.parse(sinceTime);
    if (Number.isNaN(since)) throw badRequest(`sinceTime: Invalid value: "${sinceTime}"`);
  }
  return { tail, since, limitBytes, timestamps: queryFlag(q, 'timestamps') };
}

/**
 * Answers 200 with the lines the query selects (the embedded API server and the real tier's fake kubelet share
 * this). `send` writes one more (followed) line and returns false once limitBytes is spent; `exhausted` says
 * whether it already is.
 */
export function startLogStream(
  res: ServerResponse,
  lines: LogLine[] | undefined,
  lq: LogQuery,
): { send(line: LogLine): boolean; exhausted: boolean } {
  const format = (l: LogLine): string => `${lq.timestamps ? `${logTimestamp(l.time)} ` : ''}${l.text}\n`;
  let selected = (lines ?? []).filter((l) => lq.since === undefined || l.time.getTime() >= lq.since);
  if (lq.tail !== undefined) selected = lq.tail === 0 ? [] : selected.slice(-lq.tail);
  let budget = lq.limitBytes ?? Infinity;
  // No length: chunked over HTTP/1.1, DATA frames over HTTP/2.
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.flushHeaders();
  const send = (text: string): boolean => {
    if (budget <= 0) return false;
    const buf = Buffer.from(text);
    const part = buf.length > budget ? buf.subarray(0, budget) : buf;
    budget -= part.length;
    res.write(part);
    return budget > 0;
  };
  // The backlog in writes of about 64 kB: one write per line made a million-line log a million chunked frames,
  // which cost the server and every client more than the lines themselves.
  let batch: string[] = [];
  let size = 0;
  for (const l of selected) {
    const text = format(l);
    batch.push(text);
    size += text.length;
    if (size < 65_536) continue;
    const more = send(batch.join(''));
    batch = [];
    size = 0;
    if (!more) break;
  }
  if (batch.length > 0 && budget > 0) send(batch.join(''));
  return { send: (l) => send(format(l)), exhausted: budget <= 0 };
}
