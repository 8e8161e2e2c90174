import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { RequestTimeoutError } from '../../src/kube/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import type { LoadedKubeconfig } from '../../src/kube/kubeconfig.js';
import { createClusterPki } from '../../src/sandbox/pki.js';

/**
 * The HTTP/2 transport against a hostile HTTP/2 server: every way a stream or its connection can end early
 * ends in a retry (reads) that succeeds, or a typed error, and a connection lost between requests is replaced.
 */

const TIMEOUT_MS = 1_500;
const NS = 'kubesphere-system';
let dir: string;
let kc: LoadedKubeconfig;
let server: http2.Http2SecureServer;
/** Attempts per object name, and TLS connections opened. */
const attempts = new Map<string, number>();
let connections = 0;
const sessions = new Set<http2.ServerHttp2Session>();

function configMap(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS },
    data: { k: 'v'.repeat(64) },
  };
}

function send(stream: http2.ServerHttp2Stream, status: number, body: object): void {
  const payload = Buffer.from(JSON.stringify(body));
  stream.respond({ ':status': status, 'content-type': 'application/json', 'content-length': payload.length });
  stream.end(payload);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ks-h2-'));
  const pki = createClusterPki('h2');
  server = http2.createSecureServer({ cert: pki.serverCertPem, key: pki.serverKeyPem });
  server.on('secureConnection', () => connections++);
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {}); // the resets below are this server's own doing
    const name = String(headers[':path']).split('/').pop() ?? '';
    const n = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, n);
    const first = n === 1;
    if (name === 'reset-before-head' && first) return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    if (name === 'refused' && first) return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    if (name === 'reset-mid-body' && first) {
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': 4096 });
      stream.write('{"apiVersion":"v1","kind":"ConfigMap",');
      setImmediate(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
      return;
    }
    if (name === 'short-body' && first) {
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': 4096 });
      stream.end('{"apiVersion":"v1",');
      return;
    }
    if (name === 'drop-connection' && first) {
      stream.session?.destroy();
      return;
    }
    if (name === 'hang') return; // never answers
    send(stream, 200, configMap(name));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = path.join(dir, 'kubeconfig');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: h2',
      'clusters:',
      `- name: h2\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${Buffer.from(pki.caCertPem).toString('base64')}`,
      'users:',
      '- name: admin\n  user:\n    token: h2-token',
      'contexts:',
      '- name: h2\n  context: {cluster: h2, user: admin}',
      '',
    ].join('\n'),
  );
  kc = await loadKubeconfig({ kubeconfigPath: file });
});

afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => attempts.clear());

const open = () => openCluster(kc, 'h2', { requestTimeoutMs: TIMEOUT_MS });

describe('reads over HTTP/2', () => {
  it('share one connection, and get each object whole', async () => {
    const before = connections;
    const c = open();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const got = await Promise.all(names.map((n) => c.get('configmaps', NS, n)));
    expect(got).toEqual(names.map(configMap));
    expect(connections - before).toBe(1);
  });

  it.each([
    ['reset-before-head', 'a stream reset before its response'],
    ['refused', 'a stream the server refused (REFUSED_STREAM)'],
    ['reset-mid-body', 'a stream reset in the middle of its body'],
    ['short-body', 'a body that ends short of its Content-Length'],
  ])('%s: %s is retried, and the read then succeeds', async (name) => {
    const c = open();
    expect(await c.get('configmaps', NS, name)).toEqual(configMap(name));
    expect(attempts.get(name)).toBe(2);
  });

  it('a connection dropped with streams in flight: every read is retried on a new connection and succeeds', async () => {
    const before = connections;
    const c = open();
    const names = ['x1', 'x2', 'x3', 'drop-connection'];
    const got = await Promise.all(names.map((n) => c.get('configmaps', NS, n)));
    expect(got).toEqual(names.map(configMap));
    expect(connections - before).toBe(2);
  });

  it('a connection the server closed while idle is replaced by the next request', async () => {
    const c = open();
    expect(await c.get('configmaps', NS, 'before')).toEqual(configMap('before'));
    const before = connections;
    for (const s of sessions) s.close(); // GOAWAY, then the connection ends
    await new Promise((r) => setTimeout(r, 50));
    expect(await c.get('configmaps', NS, 'after')).toEqual(configMap('after'));
    expect(attempts.get('after')).toBe(1);
    expect(connections - before).toBe(1);
  });

  it('a stream that never answers ends in RequestTimeoutError; the connection still serves other reads', async () => {
    const c = open();
    const before = connections;
    const [hung, ok] = await Promise.all([
      c.get('configmaps', NS, 'hang').then(
        () => undefined,
        (e: unknown) => e,
      ),
      c.get('configmaps', NS, 'fine'),
    ]);
    expect(hung).toBeInstanceOf(RequestTimeoutError);
    expect(ok).toEqual(configMap('fine'));
    expect(await c.get('configmaps', NS, 'fine-after')).toEqual(configMap('fine-after'));
    expect(connections - before).toBeLessThanOrEqual(1);
  });
});
