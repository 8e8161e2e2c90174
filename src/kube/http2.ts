import http2 from 'node:http2';
import { isIP } from 'node:net';
import tls from 'node:tls';

/**
 * HTTP/2 to the API servers that offer it, as kubectl (client-go) speaks it: one TLS connection per cluster
 * carries all of its concurrent requests as streams, where HTTP/1.1 needs a connection (a TLS handshake, a
 * socket, a TLS object) for each request in flight — 8 per cluster in diagnose's first round. The protocol is
 * chosen by ALPN on the first connection: a server that answers `http/1.1` (a proxy or load balancer that does
 * not speak HTTP/2) is remembered and served by the HTTP/1.1 agent from then on.
 */

const STREAM_WINDOW = 4 << 20;
const CONNECTION_WINDOW = 1 << 30;

/** What a request waits for: a live session, or `undefined` for HTTP/1.1. */
export type Negotiated = http2.ClientHttp2Session | undefined;

interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  secureContext?: tls.SecureContext;
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** Sessions of one agent (one context's credentials), by origin. */
export class Http2Sessions {
  private readonly byOrigin = new Map<string, Promise<Negotiated> | 'http/1.1'>();
  private readonly open = new Set<http2.ClientHttp2Session>();
  /** Retired (its credentials were replaced): a late request goes over HTTP/1.1 rather than a new session. */
  private closed = false;

  constructor(private readonly tlsOptions: TlsOptions) {}

  /**
   * The session for `url`'s origin, connecting (and negotiating) on first use; `undefined` when the server
   * speaks only HTTP/1.1. A connection failure rejects with the socket's own error (ECONNREFUSED, a
   * certificate error), as an HTTP/1.1 request would, and is not remembered: the next request tries again.
   */
  get(url: URL, timeoutMs: number): Promise<Negotiated> {
    if (this.closed) return Promise.resolve(undefined);
    const origin = url.origin;
    const known = this.byOrigin.get(origin);
    if (known === 'http/1.1') return Promise.resolve(undefined);
    if (known) return known;
    const connecting = this.connect(url, timeoutMs).then(
      (session) => {
        if (!session) this.byOrigin.set(origin, 'http/1.1');
        return session;
      },
      (err: unknown) => {
        this.byOrigin.delete(origin);
        throw err;
      },
    );
    this.byOrigin.set(origin, connecting);
    return connecting;
  }

  /** Forget a session that failed or is closing, so the next request opens a new one. */
  drop(url: URL, session: http2.ClientHttp2Session): void {
    const known = this.byOrigin.get(url.origin);
    if (known && known !== 'http/1.1')
      void known.then((s) => {
        if (s === session && this.byOrigin.get(url.origin) === known) this.byOrigin.delete(url.origin);
      });
  }

  /** Lets streams in flight finish, then closes every session. */
  close(): void {
    this.closed = true;
    for (const s of this.open) s.close();
    this.open.clear();
    this.byOrigin.clear();
  }

  private connect(url: URL, timeoutMs: number): Promise<Negotiated> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    // As https.Agent: no SNI for an IP address (RFC 6066), the host name check against tls-server-name if set.
    const servername = this.tlsOptions.servername ?? (isIP(host) ? undefined : host);
    return new Promise<Negotiated>((resolve, reject) => {
      const socket = tls.connect({
        host,
        port,
        ...(servername ? { servername } : {}),
        ...(this.tlsOptions.secureContext
          ? { secureContext: this.tlsOptions.secureContext }
          : { ca: this.tlsOptions.ca }),
        rejectUnauthorized: this.tlsOptions.rejectUnauthorized !== false,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      timer.unref();
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        if (socket.alpnProtocol !== 'h2' || this.closed) {
          socket.on('error', () => {});
          socket.destroy();
          resolve(undefined);
          return;
        }
        // Flow-control windows as Go's HTTP/2 client (kubectl) opens them: 4 MiB per stream, 1 GiB per
        // connection. Node's 64 KiB defaults make a long log stream wait for a window update every 64 KiB.
        const session = http2.connect(url.origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW },
        });
        session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW));
        this.open.add(session);
        // Errors reach the streams in flight, which report them; the session is then gone.
        session.on('error', () => {});
        session.once('close', () => {
          this.open.delete(session);
          this.drop(url, session);
        });
        session.once('goaway', () => this.drop(url, session));
        // An idle session never holds the process open; a stream in flight does (see exchange.ts).
        session.unref();
        resolve(session);
      });
    });
  }
}
