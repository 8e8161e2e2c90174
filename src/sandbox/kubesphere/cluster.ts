import { applyDefaults } from '../apiserver/defaults.js';
import { seedDeployment } from '../apiserver/deployments.js';
import type { ClusterStore, KubeObject } from '../apiserver/store.js';
import { kubeTime } from '../apiserver/types.js';
import { clusterConfiguration } from './cc.js';
import type { SimClock } from './clock.js';
import { CLUSTER_CONFIGURATION_TYPE, clusterType, crdObject } from './crds.js';
import { DEVOPS_NS, devopsConfigMap, devopsNamespace, withDevops } from './devops.js';
import { kubesphereConfigMap, KS_NAMESPACE } from './configmap.js';
import {
  backgroundDeployment,
  ksAgentDeployment,
  ksApiserverDeployment,
  ksInstallerDeployment,
} from './manifests.js';
import { installerSecret } from './secret.js';
import type { ClusterState } from './scenarios.js';
import { is3x, versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

export interface SeedInput {
  store: ClusterStore;
  clock: SimClock;
  version: KsVersion;
  role: 'host' | 'member';
  state: ClusterState;
  /** Called for every seeded pod at its (past) start, so ks-apiserver pods load their config. */
  onPodStarted: (pod: KubeObject) => void;
}

const DAY = 86_400_000;

/**
 * Creates one simulated cluster's KubeSphere objects with a plausible history: installed about a month ago,
 * kubesphere-config last written `configWrittenAgoMs` ago, the Deployments' pods started `podsStartedAgoMs` ago.
 */
export function seedKubesphereCluster(s: SeedInput): void {
  const { store, clock, version: v } = s;
  const installedAt = clock.ago(30 * DAY);
  const put = (obj: KubeObject, manager: string, at: Date): KubeObject =>
    clock.at(at, () => {
      applyDefaults(obj);
      obj.metadata.creationTimestamp ??= kubeTime(at);
      return store.create(obj, { fieldManager: manager });
    });

  const types = [clusterType(v), ...(is3x(v) ? [CLUSTER_CONFIGURATION_TYPE] : [])];
  for (const t of types) {
    store.registerType(t);
    if (!store.get('customresourcedefinitions.apiextensions.k8s.io', undefined, `${t.resource}.${t.group}`)) {
      put(crdObject(t, kubeTime(installedAt)), 'kubectl-client-side-apply', installedAt);
    }
  }
  seedNodes(s, installedAt, put);
  for (const ns of ['default', 'kube-system', KS_NAMESPACE]) {
    if (!store.get('namespaces', undefined, ns))
      put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, 'kubectl-create', installedAt);
  }

  const state = s.state;
  if (is3x(v) && state.cc) {
    const cc = clusterConfiguration(v, state.cc, kubeTime(installedAt));
    const withCopy = state.devops ? withDevops(cc, kubeTime(installedAt)) : cc;
    put(withCopy, 'kubectl-client-side-apply', installedAt);
    put(installerSecret(v, state.kubesphereSecret ?? ''), 'kubectl-create', installedAt);
    seedDeployment(store, ksInstallerDeployment(v), { startedAt: installedAt });
  }
  if (state.devops) {
    // roles/ks-devops at install time: release devops, with the jwtSecret kubesphere-secret held then.
    if (!store.get('namespaces', undefined, DEVOPS_NS)) put(devopsNamespace(), 'helm', installedAt);
    put(devopsConfigMap(state.devops.jwtSecret), 'helm', installedAt);
  }

  // Created by the installer at install time; a later rewrite or hand edit is the last write.
  const installer = v === '4.1' ? 'helm' : 'kubectl-client-side-apply';
  const cm = put(kubesphereConfigMap(v, state.installedConfigText), installer, installedAt);
  if (state.configText !== state.installedConfigText || state.configManager !== installer) {
    const edited = { ...cm, data: { 'kubesphere.yaml': state.configText } };
    clock.at(clock.ago(state.configWrittenAgoMs), () =>
      store.update(edited, { fieldManager: state.configManager }),
    );
  }

  const startedAt = clock.ago(state.podsStartedAgoMs);
  const seed = (d: KubeObject, at: Date): void => {
    applyDefaults(d);
    clock.at(at, () => seedDeployment(store, d, { startedAt: at, onPodStarted: s.onPodStarted }));
  };
  const hostSide = s.role === 'host' || is3x(v);
  seed(hostSide ? ksApiserverDeployment(v, state.replicas) : ksAgentDeployment(), startedAt);
  // Background the console user sees on the host; members keep only what ks-restore touches (and startup fast).
  if (s.role === 'host') {
    seed(backgroundDeployment(v, 'ks-controller-manager'), clock.ago(3 * DAY));
    seed(backgroundDeployment(v, 'ks-console'), clock.ago(3 * DAY));
  }
}

function seedNodes(s: SeedInput, at: Date, put: (o: KubeObject, m: string, at: Date) => KubeObject): void {
  if (s.store.list('nodes').length > 0) return;
  const k8s = versionInfo(s.version).kubernetesVersion;
  const count = Math.max(1, s.state.replicas);
  for (let i = 1; i <= count; i++) {
    const name = `node${i}`;
    const roles: Record<string, string> = {
      [Number(k8s.slice(3, 5)) >= 24
        ? 'node-role.kubernetes.io/control-plane'
        : 'node-role.kubernetes.io/master']: '',
    };
    put(
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            ...roles,
            'node-role.kubernetes.io/worker': '',
          },
        },
        spec: {},
        status: {
          addresses: [
            { type: 'InternalIP', address: `192.168.0.${10 + i}` },
            { type: 'Hostname', address: name },
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: kubeTime(at),
              lastTransitionTime: kubeTime(at),
            },
          ],
          nodeInfo: {
            kubeletVersion: k8s,
            kubeProxyVersion: k8s,
            containerRuntimeVersion: 'containerd://1.6.4',
            osImage: 'Ubuntu 22.04.3 LTS',
            operatingSystem: 'linux',
            architecture: 'amd64',
          },
        },
      },
      'kubelet',
      at,
    );
  }
}
