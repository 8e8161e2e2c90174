import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createClusterPki } from '../pki.js';
import type { ServerContext } from './context.js';
import type { FaultInjector } from './faults.js';
import { handleRequest } from './handler.js';
import type { LogStore } from './logs.js';
import type { ClusterStore } from './store.js';

export interface ApiServerOptions {
  name: string;
  store: ClusterStore;
  logs: LogStore;
  adminToken: string;
  readonlyToken: string;
  /** delay before every response */
  latencyMs?: number;
  /** default 'v1.27.10' */
  kubernetesVersion?: string;
  /** 0 (default) picks an ephemeral port */
  port?: number;
  /** clock for ages, log windows and timestamps; default the real one (the simulation may run its own) */
  now?: () => Date;
  /** injected faults (shared by a sandbox's clusters) */
  faults?: FaultInjector;
  /** Serve HTTP/1.1 only, as a load balancer or proxy without HTTP/2 in front of an API server does. */
  http1Only?: boolean;
  /** seam for tests: answer a request before routing */
  intercept?: (
    req: IncomingMessage,
  ) => Promise<'continue' | { status: number; body?: unknown; destroy?: boolean }>;
}

export interface RunningApiServer {
  /** https://127.0.0.1:PORT */
  url: string;
  caCertPem: string;
  /** TLS handshakes completed so far: full ones, and those that resumed an earlier session. */
  handshakes(): { full: number; resumed: number };
  close(): Promise<void>;
}

/** A Kubernetes API server over HTTPS on 127.0.0.1, serving one ClusterStore with its own CA. */
export async function startApiServer(o: ApiServerOptions): Promise<RunningApiServer> {
  const pki = createClusterPki(o.name);
  const ctx: ServerContext = {
    name: o.name,
    store: o.store,
    logs: o.logs,
    kubernetesVersion: o.kubernetesVersion ?? 'v1.27.10',
    now: o.now ?? (() => new Date()),
    streams: new Set(),
  };
  const sockets = new Set<Socket>();
  // HTTP/2 by ALPN, as kube-apiserver (kubectl and ks-restore negotiate it), and HTTP/1.1 for clients without it.
  const tlsOptions = { cert: pki.serverCertPem, key: pki.serverKeyPem };
  const server = o.http1Only
    ? createServer(tlsOptions, (req, res) => void handleRequest(ctx, o, req, res))
    : createSecureServer({ ...tlsOptions, allowHTTP1: true }, (req, res) => {
        // The compatibility API: the handlers use the request and response members both protocols share.
        void handleRequest(ctx, o, req as unknown as IncomingMessage, res as unknown as ServerResponse);
      });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const handshakes = { full: 0, resumed: 0 };
  server.on('secureConnection', (s: TLSSocket) => {
    if (s.isSessionReused()) handshakes.resumed++;
    else handshakes.full++;
  });
  // A client that hangs up mid-handshake must not crash the sandbox.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}`,
    caCertPem: pki.caCertPem,
    handshakes: () => ({ ...handshakes }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const res of ctx.streams) res.end();
        ctx.streams.clear();
        server.close(() => resolve());
        // Streams just ended; whatever is still open after a tick is a client keeping a socket alive.
        setImmediate(() => {
          for (const s of sockets) s.destroy();
        });
      });
      return closing;
    },
  };
}
