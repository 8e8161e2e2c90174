import type { KubeObject } from '../apiserver/store.js';
import { versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

/**
 * The KubeSphere Deployments as their installers create them: ks-installer's Jinja templates (3.0/3.1),
 * the ks-core chart inside ks-installer (3.2–3.4), the ks-core chart of kubesphere/kubesphere (4.1).
 */
type Obj = Record<string, unknown>;
const NS = 'kubesphere-system';

/** Chart.yaml appVersion of the ks-core chart each release ships (used as the Deployment's version label). */
const CHART_APP_VERSION: Partial<Record<KsVersion, string>> = {
  '3.2': 'v3.1.0',
  '3.3': 'v3.1.0',
  '3.4': 'v3.3.2',
  '4.1': 'v4.1.3',
};

const helmManaged = (v: KsVersion): boolean => v !== '3.0' && v !== '3.1';

export function image(v: KsVersion, name: string): string {
  const tag = versionInfo(v).release;
  return v === '4.1' ? `docker.io/kubesphere/${name}:${tag}` : `kubesphere/${name}:${tag}`;
}

function meta(v: KsVersion, name: string, labels: Record<string, string>): KubeObject['metadata'] {
  return {
    name,
    namespace: NS,
    labels: { ...labels, ...(helmManaged(v) ? { 'app.kubernetes.io/managed-by': 'Helm' } : {}) },
    ...(helmManaged(v)
      ? { annotations: { 'meta.helm.sh/release-name': 'ks-core', 'meta.helm.sh/release-namespace': NS } }
      : {}),
  };
}

const configVolumes = (): Obj[] => [
  { name: 'kubesphere-config', configMap: { name: 'kubesphere-config', defaultMode: 420 } },
  { name: 'host-time', hostPath: { path: '/etc/localtime', type: '' } },
];

function apiserverContainer(v: KsVersion, env: Obj[] = []): Obj {
  return {
    name: 'ks-apiserver',
    image: image(v, 'ks-apiserver'),
    imagePullPolicy: 'IfNotPresent',
    command: ['ks-apiserver', '--logtostderr=true'],
    ports: [{ containerPort: 9090, protocol: 'TCP' }],
    ...(env.length > 0 ? { env } : {}),
    resources: { limits: { cpu: '1', memory: '1024Mi' }, requests: { cpu: '20m', memory: '100Mi' } },
    livenessProbe: {
      failureThreshold: 8,
      httpGet: { path: v === '4.1' ? '/version' : '/healthz', port: 9090, scheme: 'HTTP' },
      initialDelaySeconds: 15,
      timeoutSeconds: 15,
    },
    volumeMounts: [
      { mountPath: '/etc/kubesphere/', name: 'kubesphere-config' },
      { mountPath: '/etc/localtime', name: 'host-time', readOnly: true },
    ],
  };
}

/** ks-apiserver on 3.x clusters and 4.x hosts; `replicas` is the control-plane node count on 3.x. */
export function ksApiserverDeployment(v: KsVersion, replicas: number, env: Obj[] = []): KubeObject {
  const release = versionInfo(v).release;
  const old = v === '3.0' || v === '3.1';
  const selector = old
    ? { app: 'ks-apiserver', tier: 'backend', version: release }
    : { app: 'ks-apiserver', tier: 'backend' };
  const labels: Record<string, string> =
    v === '4.1'
      ? { app: 'ks-apiserver', version: release }
      : { app: 'ks-apiserver', tier: 'backend', version: old ? release : CHART_APP_VERSION[v]! };
  const strategy =
    v === '4.1'
      ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
      : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(v, 'ks-apiserver', labels),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      strategy,
      template: {
        metadata: { labels: { ...selector } },
        spec: {
          serviceAccountName: 'kubesphere',
          containers: [apiserverContainer(v, env)],
          volumes: configVolumes(),
        },
      },
    },
  };
}

/** 4.x members: one Deployment running both ks-apiserver and ks-controller-manager (templates/ks-agent.yaml). */
export function ksAgentDeployment(env: Obj[] = []): KubeObject {
  const selector = { app: 'ks-agent', tier: 'backend' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('4.1', 'ks-agent', { app: 'ks-agent', version: 'v4.1.3' }),
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...selector } },
        spec: {
          serviceAccountName: 'kubesphere',
          containers: [apiserverContainer('4.1', env), controllerManagerContainer('4.1')],
          volumes: configVolumes(),
        },
      },
    },
  };
}

function controllerManagerContainer(v: KsVersion): Obj {
  return {
    name: 'ks-controller-manager',
    image: image(v, 'ks-controller-manager'),
    imagePullPolicy: 'IfNotPresent',
    command: [
      'controller-manager',
      '--logtostderr=true',
      '--leader-elect=true',
      ...(v === '4.1' ? ['--controllers=*'] : []),
    ],
    ports: [
      { containerPort: 8080, protocol: 'TCP' },
      { containerPort: 8443, protocol: 'TCP' },
    ],
    resources: { limits: { cpu: '1', memory: '1000Mi' }, requests: { cpu: '30m', memory: '50Mi' } },
    volumeMounts: [{ mountPath: '/etc/kubesphere/', name: 'kubesphere-config' }],
  };
}

/** Background Deployments a KubeSphere cluster also runs: ks-controller-manager, ks-console (hosts). */
export function backgroundDeployment(v: KsVersion, name: 'ks-controller-manager' | 'ks-console'): KubeObject {
  const selector = { app: name, tier: name === 'ks-console' ? 'frontend' : 'backend' };
  const container =
    name === 'ks-console'
      ? {
          name,
          image: image(v, 'ks-console'),
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 8000, protocol: 'TCP' }],
        }
      : controllerManagerContainer(v);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(v, name, { app: name, tier: selector.tier, version: versionInfo(v).release }),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector } },
        spec: {
          serviceAccountName: 'kubesphere',
          containers: [container],
          // ks-controller-manager mounts kubesphere-config too: a mount needs its volume (the API server says so).
          ...(name === 'ks-controller-manager'
            ? {
                volumes: [
                  { name: 'kubesphere-config', configMap: { name: 'kubesphere-config', defaultMode: 420 } },
                ],
              }
            : {}),
        },
      },
    },
  };
}

/** ks-installer (3.x), deploy/kubesphere-installer.yaml. */
export function ksInstallerDeployment(v: KsVersion): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ks-installer', namespace: NS, labels: { app: 'ks-installer' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'ks-installer' } },
      template: {
        metadata: { labels: { app: 'ks-installer' } },
        spec: {
          serviceAccountName: 'ks-installer',
          containers: [
            {
              name: 'installer',
              image: `kubesphere/ks-installer:${versionInfo(v).release}`,
              imagePullPolicy: 'Always',
              resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '20m', memory: '100Mi' } },
            },
          ],
        },
      },
    },
  };
}
