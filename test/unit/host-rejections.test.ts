import { describe, expect, it } from 'vitest';
import { hostProxyAddress, type JoinedCluster } from '../../src/kubesphere/cluster/discovery.js';
import { withHostRejections, type AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import type { Finding } from '../../src/kubesphere/checks/report.js';
import { summarizeLogs } from '../../src/kubesphere/logs/summary.js';

/**
 * kubesphere v4.1.3 pkg/apiserver/filters/multicluster.go: the host proxies to the member's Kubernetes API
 * server (direct, no kubesphereAPIEndpoint) or to its kubesphereAPIEndpoint, and logs a member's 401 as
 * `Request unauthorized, host: <that address>, reason: <the member's Status>` before answering 511.
 */
const line = (host: string, why = 'token not found in cache') =>
  `W1201 10:00:00.000001       1 multicluster.go:188] Request unauthorized, host: ${host}, reason: {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"${why}","reason":"Unauthorized","code":401}`;

function hostSummary(lines: string[]): AuthLogSummary {
  const s = summarizeLogs(new Date('2026-12-01T10:05:00Z'));
  lines.forEach((l, i) => s.add(l, { pod: `ks-apiserver-${i % 2}`, container: 'ks-apiserver' }));
  return s.result([{ pod: 'ks-apiserver-0', container: 'ks-apiserver', previous: false }] as never);
}

const joined = (over: Partial<JoinedCluster>): JoinedCluster => ({
  name: 'member',
  connection: 'direct',
  apiEndpoint: 'https://10.0.0.5:6443',
  storedServer: undefined,
  kubesphereVersion: 'v4.1.3',
  conditions: [],
  ...over,
});

describe('the host log lines that name a member are evidence on that member', () => {
  it('the address: the API server for a direct connection without kubesphereAPIEndpoint, else that endpoint', () => {
    expect(hostProxyAddress(joined({}))).toBe('10.0.0.5:6443');
    expect(hostProxyAddress(joined({ kubesphereEndpoint: 'http://ks.example:30880' }))).toBe(
      'ks.example:30880',
    );
    expect(hostProxyAddress(joined({ connection: 'proxy', kubesphereEndpoint: 'http://tower:8080' }))).toBe(
      'tower:8080',
    );
    expect(hostProxyAddress(joined({ connection: 'proxy' }))).toBeUndefined();
    expect(hostProxyAddress(undefined)).toBeUndefined();
  });

  it('counts the rejected requests per address', () => {
    const s = hostSummary([
      line('10.0.0.5:6443'),
      line('10.0.0.5:6443'),
      line('10.0.0.9:6443', 'signature is invalid'),
    ]);
    expect(s.kinds['host-unauthorized']?.byHost).toEqual({ '10.0.0.5:6443': 2, '10.0.0.9:6443': 1 });
  });

  const clean: Finding = {
    id: 'apiserver-auth-errors',
    status: 'pass',
    code: 'log-clean',
    args: { lines: 10 },
  };
  const failing: Finding = {
    id: 'apiserver-auth-errors',
    status: 'fail',
    code: 'log-cache-miss',
    args: { cacheMiss: 3 },
  };
  const summary = hostSummary([line('10.0.0.5:6443'), line('10.0.0.5:6443')]);

  it("a clean member log but the host's lines name it: warn log-host-rejections with the count", () => {
    const f = withHostRejections(clean, summary, '10.0.0.5:6443');
    expect(f).toMatchObject({
      status: 'warn',
      code: 'log-host-rejections',
      args: { hostRejections: 2, address: '10.0.0.5:6443' },
      evidence: { hostRejections: { address: '10.0.0.5:6443', requests: 2 } },
    });
  });

  it("a failing member log keeps its code, the host's count added as evidence", () => {
    const f = withHostRejections(failing, summary, '10.0.0.5:6443');
    expect([f.status, f.code, f.args.hostRejections]).toEqual(['fail', 'log-cache-miss', 2]);
  });

  it('lines about another member, or no address known: unchanged', () => {
    expect(withHostRejections(clean, summary, '10.0.0.9:6443')).toBe(clean);
    expect(withHostRejections(clean, summary, undefined)).toBe(clean);
    expect(withHostRejections(clean, undefined, '10.0.0.5:6443')).toBe(clean);
  });

  it("keeps at most 256 addresses from one host's log", () => {
    const many = Array.from({ length: 300 }, (_, i) => line(`10.0.${i >> 8}.${i & 255}:6443`));
    expect(Object.keys(hostSummary(many).kinds['host-unauthorized']?.byHost ?? {})).toHaveLength(256);
  });
});
