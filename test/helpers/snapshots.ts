import { readFileSync } from 'node:fs';
import type { ClusterSnapshot, ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/kubesphere-yaml/${name}`, import.meta.url), 'utf8');
}

export interface SnapOptions {
  context: string;
  yaml: string;
  image: string;
  /** 4.x member: the apiserver runs in ks-agent. */
  agent?: boolean;
  cc?: {
    jwtSecret?: string;
    clusterRole?: string;
    accessTokenMaxAge?: string;
    /** Other keys of spec.authentication.oauthOptions (e.g. clients). */
    oauthOptions?: Record<string, unknown>;
  };
  installerSecret?: string;
  /** kubesphere-secret's static admin token. */
  installerToken?: string;
  replicas?: number;
  podsStartedAt?: string;
  configWrittenAt?: string;
  env?: string[];
}

/** A cluster snapshot as gatherCluster would return it, built by hand for pure tests. */
export function snapshot(o: SnapOptions): ClusterSnapshot {
  const ns = 'kubesphere-system';
  const written = o.configWrittenAt ?? '2026-11-20T10:00:00Z';
  const started = o.podsStartedAt ?? '2026-11-25T10:00:00Z';
  const name = o.agent ? 'ks-agent' : 'ks-apiserver';
  const meta = (n: string, extra: Partial<ObjectJson['metadata']> = {}) => ({
    name: n,
    namespace: ns,
    resourceVersion: '100',
    ...extra,
  });
  const deployment: ObjectJson = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name, tier: 'backend' } },
      template: {
        spec: {
          containers: [
            {
              name: 'ks-apiserver',
              image: o.image,
              env: (o.env ?? []).map((e) => ({ name: e, value: 'x' })),
            },
          ],
        },
      },
    },
  };
  const pods: ObjectJson[] = Array.from({ length: o.replicas ?? 1 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(`${name}-abc-${i}`),
    spec: { containers: [{ name: 'ks-apiserver' }] },
    status: {
      phase: 'Running',
      startTime: started,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'ks-apiserver', restartCount: 0, state: { running: { startedAt: started } } },
      ],
    },
  }));
  return {
    context: o.context,
    server: `https://${o.context}.example:6443`,
    reachability: { ok: true, kubernetesVersion: 'v1.27.10' },
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('kubesphere-config', {
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: written }],
      }),
      data: { 'kubesphere.yaml': o.yaml },
    },
    clusterConfiguration: o.cc
      ? {
          apiVersion: 'installer.kubesphere.io/v1alpha1',
          kind: 'ClusterConfiguration',
          metadata: meta('ks-installer'),
          spec: {
            authentication: {
              jwtSecret: o.cc.jwtSecret ?? '',
              ...(o.cc.accessTokenMaxAge || o.cc.oauthOptions
                ? {
                    oauthOptions: {
                      ...o.cc.oauthOptions,
                      ...(o.cc.accessTokenMaxAge ? { accessTokenMaxAge: o.cc.accessTokenMaxAge } : {}),
                    },
                  }
                : {}),
            },
            multicluster: { clusterRole: o.cc.clusterRole ?? 'none' },
            persistence: { storageClass: '' },
          },
        }
      : null,
    kubesphereSecret:
      o.installerSecret === undefined
        ? null
        : {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: meta('kubesphere-secret'),
            type: 'Opaque',
            data: {
              secret: Buffer.from(o.installerSecret).toString('base64'),
              ...(o.installerToken ? { token: Buffer.from(o.installerToken).toString('base64') } : {}),
            },
          },
    apiserverDeployment: deployment,
    installerDeployment: null,
    pods,
    clusters: undefined,
    logs: {
      scans: pods.map((p) => ({
        pod: p.metadata.name!,
        container: 'ks-apiserver',
        previous: false,
        lines: 10,
      })),
      tally: undefined,
    },
    gatheredAt: '2026-11-28T12:00:00Z',
  };
}
