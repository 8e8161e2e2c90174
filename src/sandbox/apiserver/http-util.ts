import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as h2 } from 'node:http2';
import type { Http2ServerRequest } from 'node:http2';
import { badRequest, HttpError } from './status.js';

const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // etcd's default request limit is 1.5 MiB; 3 MiB is the apiserver's cap on request bodies.
    if (size > MAX_BODY)
      throw new HttpError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': payload.length });
  res.end(payload);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  const payload = Buffer.from(text);
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': payload.length });
  res.end(payload);
}

/**
 * Cuts one exchange off without a response, as a connection reset does: over HTTP/1.1 its connection is
 * destroyed; over HTTP/2 its stream is reset (RST_STREAM), and the connection's other streams carry on, as
 * they do when a proxy or an API server aborts one request.
 */
export function resetExchange(req: IncomingMessage): void {
  const stream = (req as unknown as Partial<Http2ServerRequest>).stream;
  if (req.httpVersionMajor === 2 && stream) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  else req.socket.destroy();
}

/** One media range of an Accept header with its parameters (`as`, `g`, `v`). */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    return {
      type: (type ?? '').toLowerCase(),
      params: Object.fromEntries(
        params.map((p) => {
          const i = p.indexOf('=');
          return i < 0 ? [p, ''] : [p.slice(0, i).trim(), p.slice(i + 1).trim()];
        }),
      ),
    };
  });
}

/** True when the client asked for a meta.k8s.io Table (kubectl get's human output). */
export function wantsTable(accept: string | undefined): boolean {
  // A client that also accepts plain JSON still prefers the Table when it lists it first, as kubectl does.
  const first = parseAccept(accept).find((r) => r.type === 'application/json' || r.type === '*/*');
  return (
    first?.params.as === 'Table' &&
    first.params.g === 'meta.k8s.io' &&
    (first.params.v === 'v1' || first.params.v === 'v1beta1')
  );
}

export function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}
