import { Agent, createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpCall } from '../../src/sandbox/real/http.js';

/**
 * The real tier's own HTTP client (start-up probes, RemoteApi): a kept-alive connection the server closes as a
 * request goes out on it is the one failure it sends again, once, on a new connection.
 */
describe('httpCall', () => {
  let server: Server | undefined;
  let agent: Agent | undefined;
  afterEach(async () => {
    agent?.destroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  /** A server that resets a connection, unanswered, on its `resetNth` request (1-based) over that socket. */
  async function serve(resetNth: number, seen: string[]): Promise<string> {
    const count = new WeakMap<Socket, number>();
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const n = (count.get(req.socket) ?? 0) + 1;
      count.set(req.socket, n);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        if (n === resetNth) {
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ n }));
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it('sends a request again on a new connection when the kept-alive one is closed under it', async () => {
    const seen: string[] = [];
    const url = await serve(2, seen);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await httpCall(`${url}/a`, { method: 'GET', agent, timeoutMs: 5000 });
    expect(first).toEqual({ status: 200, body: '{"n":1}' });
    const second = await httpCall(`${url}/b`, { method: 'POST', agent, body: '{"x":1}', timeoutMs: 5000 });
    // Answered as the first request of a new connection.
    expect(second).toEqual({ status: 200, body: '{"n":1}' });
    expect(seen).toEqual(['GET /a ', 'POST /b {"x":1}', 'POST /b {"x":1}']);
  });

  it('does not send again when a new connection is reset, and names the request (not its query)', async () => {
    const seen: string[] = [];
    const url = await serve(1, seen);
    agent = new Agent({ keepAlive: true });
    const err = await httpCall(`${url}/api/v1/pods?token=abc`, {
      method: 'GET',
      agent,
      timeoutMs: 5000,
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err?.message).toBe('GET /api/v1/pods: socket hang up');
    expect(err?.code).toBe('ECONNRESET');
    expect(seen).toHaveLength(1);
  });

  it('gives up after timeoutMs without an answer, naming the request', async () => {
    server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ keepAlive: true });
    await expect(httpCall(`${url}/readyz`, { method: 'GET', agent, timeoutMs: 100 })).rejects.toThrow(
      'GET /readyz: no answer in 0.1 s',
    );
    server.closeAllConnections();
  });
});
