import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { Http2Sessions } from './http2.js';

/**
 * How long a cluster's further connections wait for its first one to bring a TLS session ticket, counted from
 * that connection's handshake: a server that issues none (kube-apiserver does, in TLS 1.3 right after the
 * handshake) delays them by at most this.
 */
const TICKET_WAIT_MS = 250;

type CreateConnection = (
  options: tls.ConnectionOptions & { _agentKey?: string },
  oncreate: (err: Error | null, socket?: Duplex) => void,
) => Duplex | undefined;

/**
 * A keep-alive https.Agent whose connections to one server after the first resume its TLS session. Requests sent
 * at once (a cluster's first round) would otherwise each open a connection with a full handshake: the server's
 * certificate chain sent, verified and turned into objects for the host-name check, about 2 ms of CPU each.
 * Those that find no idle connection and no cached session while the first connection is still handshaking wait
 * for its session ticket (or its end, its first free moment, or TICKET_WAIT_MS after its handshake), then
 * connect resuming it: Node checks the host name on full handshakes only, and a resumed one proves the server
 * holds the same session keys. One full handshake per cluster and run.
 */
class ResumingAgent extends https.Agent {
  /** Per server (agent key): settles when connections to it may go ahead. */
  private readonly gates = new Map<string, Promise<void>>();
  /** The same servers over HTTP/2 where they offer it (exchange.ts asks here first). */
  readonly http2: Http2Sessions;

  constructor(options: https.AgentOptions) {
    super(options);
    this.http2 = new Http2Sessions(options);
    const base = (https.Agent.prototype as unknown as { createConnection: CreateConnection })
      .createConnection;
    const create: CreateConnection = (options, oncreate) => {
      const key = options._agentKey;
      if (key === undefined) return base.call(this, options, oncreate);
      const gate = this.gates.get(key);
      if (gate) {
        void gate.then(() => {
          let socket: Duplex | undefined;
          try {
            socket = base.call(this, options, oncreate);
          } catch (err) {
            oncreate(err as Error);
            return;
          }
          if (socket) oncreate(null, socket);
        });
        return undefined;
      }
      const socket = base.call(this, options, oncreate) as tls.TLSSocket;
      this.gates.set(key, ticketOrEnd(socket));
      return socket;
    };
    (this as unknown as { createConnection: CreateConnection }).createConnection = create;
  }

  override destroy(): void {
    this.http2.close();
    super.destroy();
  }
}

/** Settles when the socket has a session to resume, or cannot give one soon. */
function ticketOrEnd(socket: tls.TLSSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      socket.off('session', done);
      socket.off('free', done);
      socket.off('close', done);
      socket.off('error', done);
      socket.off('secureConnect', armed);
      resolve();
    };
    const armed = (): void => {
      // Through the next poll phase: on a busy event loop the timer can be due before a ticket that has arrived
      // was read.
      timer = setTimeout(() => setImmediate(done), TICKET_WAIT_MS);
      timer.unref();
    };
    socket.once('session', done);
    socket.once('free', done);
    socket.once('close', done);
    socket.once('error', done);
    socket.once('secureConnect', armed);
  });
}

/**
 * client-node builds each context a plain agent without keep-alive: every request opens its own TCP and TLS
 * connection, and Node builds a TLS context (parsing the CA and client certificate) for each. This is the same
 * agent (CA, client certificate, TLS server name) with HTTP/2 where the server offers it (see http2.ts), else
 * keep-alive, one TLS context and resumed TLS sessions,
 * made as tls.connect would make it from the same options, so a cluster's later requests reuse its idle
 * connections and every connection its context. Proxy agents (proxy-url: hpagent, socks) are kept as they are.
 * Node unrefs idle sockets (they never hold the process open) and honours the server's Keep-Alive timeout hint.
 */
export function keepAliveAgent(agent: http.Agent): http.Agent {
  const options = (agent as http.Agent & { options?: https.AgentOptions }).options ?? {};
  if (agent.constructor === https.Agent) {
    const secureContext = options.secureContext ?? tls.createSecureContext(options);
    return new ResumingAgent({ ...options, secureContext, keepAlive: true });
  }
  if (agent.constructor === http.Agent) return new http.Agent({ ...options, keepAlive: true });
  return agent;
}
