import { describe, expect, it } from 'vitest';
import {
  joinedMembers,
  normalizeServer,
  planTargets,
  type JoinedCluster,
} from '../../src/kubesphere/cluster/discovery.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cluster = (
  name: string,
  connection: { type: string; endpoint?: string; server?: string },
  host = false,
) => ({
  apiVersion: 'cluster.kubesphere.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name, ...(host ? { labels: { 'cluster-role.kubesphere.io/host': '' } } : {}) },
  spec: {
    connection: {
      type: connection.type,
      ...(connection.endpoint ? { kubernetesAPIEndpoint: connection.endpoint } : {}),
      ...(connection.server
        ? {
            kubeconfig: b64(
              `clusters:\n- name: c\n  cluster:\n    server: ${connection.server}\nusers:\n- name: u\n  user:\n    token: SECRET-TOKEN\n`,
            ),
          }
        : {}),
    },
  },
  status: { kubeSphereVersion: 'v3.4.1', conditions: [{ type: 'Ready', status: 'True' }] },
});

const joined: JoinedCluster[] = joinedMembers([
  cluster('host', { type: 'direct', endpoint: 'https://10.0.0.1:6443' }, true),
  cluster('by-url', { type: 'direct', endpoint: 'https://m1.example:6443' }),
  cluster('by-stored-url', { type: 'direct', server: 'https://M2.example' }),
  cluster('by-name', { type: 'direct', endpoint: 'https://unknown.example:6443' }),
  cluster('stored-only', { type: 'direct', server: 'https://m4.internal:6443' }),
  cluster('tower', { type: 'proxy', server: 'https://10.233.1.2:6443' }),
]);
const contexts = [
  { name: 'host', server: 'https://10.0.0.1:6443' },
  { name: 'ctx-1', server: 'https://m1.example:6443/' },
  { name: 'ctx-2', server: 'https://m2.example:443' },
  { name: 'by-name', server: 'https://other.example:6443' },
];
const req = { members: [], clusters: [], all: true, useHostCredentials: false, hostContext: 'host' };

describe('fleet discovery', () => {
  it("skips the host's own Cluster and keeps only the stored server URL, never its credentials", () => {
    expect(joined.map((j) => j.name)).toEqual(['by-url', 'by-stored-url', 'by-name', 'stored-only', 'tower']);
    expect(JSON.stringify(joined)).not.toContain('SECRET-TOKEN');
  });

  it('normalizes server URLs as the same address', () => {
    expect(normalizeServer('https://M2.example')).toBe(normalizeServer('https://m2.example:443/'));
  });

  it.each([
    ['by-url', { context: 'ctx-1', method: 'server-url' }],
    ['by-stored-url', { context: 'ctx-2', method: 'server-url' }],
    ['by-name', { context: 'by-name', method: 'context-name' }],
    ['stored-only', { context: null, method: null, problem: 'no-context' }],
    ['tower', { context: null, method: null, problem: 'proxy' }],
  ])('%s is reached by the first way that works', (name, expected) => {
    const t = planTargets(joined, contexts, req).find((x) => x.cluster === name);
    expect(t).toMatchObject(expected);
  });

  it('--use-host-credentials reaches a direct member without a context, never a proxy one', () => {
    const targets = planTargets(joined, contexts, { ...req, useHostCredentials: true });
    expect(targets.find((t) => t.cluster === 'stored-only')).toMatchObject({ method: 'host-credentials' });
    expect(targets.find((t) => t.cluster === 'tower')).toMatchObject({ problem: 'proxy' });
  });

  it('an explicit NAME=CONTEXT wins, and --cluster narrows the rest', () => {
    const targets = planTargets(joined, contexts, { ...req, members: ['tower=ctx-2'], clusters: ['by-url'] });
    expect(targets.map((t) => [t.cluster, t.context, t.method])).toEqual([
      ['tower', 'ctx-2', 'flag'],
      ['by-url', 'ctx-1', 'server-url'],
    ]);
  });

  it('an explicit name the host does not know is reported, not guessed', () => {
    const [t] = planTargets(joined, contexts, { ...req, all: false, members: ['nope=ctx-1'] });
    expect(t).toMatchObject({ cluster: 'nope', problem: 'unknown-cluster' });
  });
});
