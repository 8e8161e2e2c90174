import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/**
 * client-node builds each context a plain agent without keep-alive: every request opens its own TCP and TLS
 * connection, and Node builds a TLS context (parsing the CA and client certificate) for each. This is the same
 * agent (CA, client certificate, TLS server name) with keep-alive and one TLS context, made as tls.connect would
 * make it from the same options, so a cluster's later requests reuse its idle connections and every connection
 * its context. Proxy agents (proxy-url: hpagent, socks) are kept as they are. Node unrefs idle sockets (they
 * never hold the process open) and honours the server's Keep-Alive timeout hint.
 */
export function keepAliveAgent(agent: http.Agent): http.Agent {
  const options = (agent as http.Agent & { options?: https.AgentOptions }).options ?? {};
  if (agent.constructor === https.Agent) {
    const secureContext = options.secureContext ?? tls.createSecureContext(options);
    return new https.Agent({ ...options, secureContext, keepAlive: true });
  }
  if (agent.constructor === http.Agent) return new http.Agent({ ...options, keepAlive: true });
  return agent;
}
