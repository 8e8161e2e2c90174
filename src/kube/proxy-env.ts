import net from 'node:net';

/**
 * The proxy kubectl would use for `server` from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (Go's
 * http.ProxyFromEnvironment). client-node only honours a kubeconfig's proxy-url, so without this a user behind
 * a corporate proxy reaches the cluster with kubectl but not with us. Loopback is never proxied, as in Go.
 */
export function proxyFromEnvironment(server: string, env: NodeJS.ProcessEnv): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const proxy =
    url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (noProxy.some((entry) => matches(entry, host, port))) return undefined;
  return proxy.includes('://') ? proxy : `http://${proxy}`; // Go assumes http:// when the scheme is missing
}

function isLoopback(host: string): boolean {
  return net.isIPv4(host) ? host.startsWith('127.') : host === '::1';
}

function matches(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) {
    const [base, bits] = entry.split('/');
    const family = net.isIPv4(base!) ? 'ipv4' : net.isIPv6(base!) ? 'ipv6' : undefined;
    if (!family || net.isIP(host) === 0) return false;
    const list = new net.BlockList();
    list.addSubnet(base!, Number(bits), family);
    return list.check(host, net.isIPv4(host) ? 'ipv4' : 'ipv6');
  }
  let name = entry;
  const m = /^(.*):(\d+)$/.exec(entry);
  if (m && !net.isIPv6(entry)) {
    if (m[2] !== port) return false;
    name = m[1]!;
  }
  name = name.replace(/^\[|\]$/g, '');
  if (name.startsWith('*.')) name = name.slice(1);
  if (name.startsWith('.')) return host.endsWith(name);
  return host === name || host.endsWith(`.${name}`);
}
