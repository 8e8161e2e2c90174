import type { KubeObject } from '../apiserver/types.js';
import { kubeTime } from '../apiserver/types.js';
import type { ClusterApi } from '../cluster-api.js';
import { clusterConfiguration } from '../kubesphere/cc.js';
import {
  CONFIG_KEY,
  CONFIG_NAME,
  KS_NAMESPACE,
  configText,
  kubesphereConfigMap,
} from '../kubesphere/configmap.js';
import {
  backgroundDeployment,
  ksAgentDeployment,
  ksApiserverDeployment,
  ksInstallerDeployment,
} from '../kubesphere/manifests.js';
import type { ClusterState } from '../kubesphere/scenarios.js';
import { installerSecret } from '../kubesphere/secret.js';
import { DEVOPS_NS, devopsConfigMap, devopsNamespace, withDevops } from '../kubesphere/devops.js';
import { is3x } from '../kubesphere/versions.js';
import type { KsVersion } from '../kubesphere/versions.js';

/** What the seeding needs from the real control plane's client beyond {@link ClusterApi}. */
export interface SeedApi extends ClusterApi {
  waitFor(what: string, pred: () => boolean, timeoutMs?: number): Promise<void>;
}

export interface RealSeedInput {
  api: SeedApi;
  version: KsVersion;
  role: 'host' | 'member';
  state: ClusterState;
  /** How long pods may take to be started by the kubelet (default 60 s). */
  timeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * managedFields times and pod start times have one-second resolution: waiting into the next second makes
 * "the config was written before (or after) the pods started" readable from the objects, as on a real cluster.
 */
const nextSecond = (): Promise<void> => sleep(1000 - (Date.now() % 1000) + 20);

/**
 * Seeds one cluster of the real control plane with the same objects as the embedded sandbox, through the API.
 * A real API server stamps creation and write times itself, so the scenario's history is replayed in order
 * rather than backdated: the installer's objects, the kubesphere.yaml as installed, a later rewrite or hand
 * edit before or after the ks-apiserver pods start (as the scenario's ages say), then the Deployments, whose
 * pods the kube-controller-manager creates and the kubelet starts.
 */
export async function seedRealCluster(s: RealSeedInput): Promise<void> {
  const { api, version: v, state } = s;
  const timeout = s.timeoutMs ?? 60_000;
  const now = kubeTime(new Date());
  if (!api.get('namespaces', undefined, KS_NAMESPACE))
    await api.create(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KS_NAMESPACE } },
      {
        fieldManager: 'kubectl-create',
      },
    );

  if (is3x(v) && state.cc) {
    const cc = clusterConfiguration(v, state.cc, now);
    await api.create(state.devops ? withDevops(cc, now) : cc, { fieldManager: 'kubectl-client-side-apply' });
    await api.create(installerSecret(v, state.kubesphereSecret ?? ''), { fieldManager: 'kubectl-create' });
  }
  if (state.devops) {
    // roles/ks-devops at install time: release devops, with the jwtSecret kubesphere-secret held then.
    if (!api.get('namespaces', undefined, DEVOPS_NS))
      await api.create(devopsNamespace(), { fieldManager: 'helm' });
    await api.create(devopsConfigMap(state.devops.jwtSecret), { fieldManager: 'helm' });
  }

  const installer = v === '4.1' ? 'helm' : 'kubectl-client-side-apply';
  const created = await api.create(kubesphereConfigMap(v, state.installedConfigText), {
    fieldManager: installer,
  });
  const edited = state.configText !== state.installedConfigText || state.configManager !== installer;
  // The scenario's history: a later write happened before the pods started unless it is younger than they are.
  const editAfterPods = edited && state.configWrittenAgoMs < state.podsStartedAgoMs;
  let latest: KubeObject = created;
  const edit = async (): Promise<void> => {
    await nextSecond();
    latest = await api.update(
      { ...latest, data: { ...(latest.data as Record<string, string>), [CONFIG_KEY]: state.configText } },
      { fieldManager: state.configManager },
    );
  };
  if (edited && !editAfterPods) await edit();
  const seen = (text: string) => () =>
    configText(api.get('configmaps', KS_NAMESPACE, CONFIG_NAME)) === text &&
    api.get('configmaps', KS_NAMESPACE, CONFIG_NAME)?.metadata.resourceVersion ===
      latest.metadata.resourceVersion;
  await api.waitFor(
    'kubesphere-config in the cache',
    seen(editAfterPods ? state.installedConfigText : state.configText),
    timeout,
  );
  await nextSecond();

  const deployments: KubeObject[] = [];
  if (is3x(v) && state.cc) deployments.push(ksInstallerDeployment(v));
  deployments.push(
    s.role === 'host' || is3x(v) ? ksApiserverDeployment(v, state.replicas) : ksAgentDeployment(),
  );
  if (s.role === 'host') {
    deployments.push(backgroundDeployment(v, 'ks-controller-manager'), backgroundDeployment(v, 'ks-console'));
  }
  for (const d of deployments) await api.create(d, { fieldManager: installer });
  await api
    .waitFor(
      `the pods of ${deployments.map((d) => d.metadata.name).join(', ')} started by the kubelet`,
      () => deployments.every((d) => startedPods(api, d) >= replicasOf(d)),
      timeout,
    )
    .catch((err: Error) => {
      const pods = api
        .list('pods', KS_NAMESPACE)
        .map((p) => `${p.metadata.name} ${(p.status as { phase?: string } | undefined)?.phase ?? '-'}`);
      const rs = api
        .list('deployments.apps', KS_NAMESPACE)
        .map(
          (d) =>
            `${d.metadata.name} ${JSON.stringify((d.status as { conditions?: unknown } | undefined)?.conditions ?? [])}`,
        );
      throw new Error(`${err.message}; pods: ${pods.join(', ') || 'none'}; deployments: ${rs.join('; ')}`);
    });

  if (editAfterPods) {
    await edit();
    await api.waitFor('the edited kubesphere-config in the cache', seen(state.configText), timeout);
  }
}

const replicasOf = (d: KubeObject): number =>
  Number((d.spec as { replicas?: number } | undefined)?.replicas ?? 1);

/** Pods of this Deployment (by its selector's labels) that the kubelet has started. */
function startedPods(api: ClusterApi, d: KubeObject): number {
  const selector = ((d.spec as { selector?: { matchLabels?: Record<string, string> } }).selector
    ?.matchLabels ?? {}) as Record<string, string>;
  return api
    .list('pods', d.metadata.namespace)
    .filter((p) => Object.entries(selector).every(([k, val]) => p.metadata.labels?.[k] === val))
    .filter((p) => !p.metadata.deletionTimestamp)
    .filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running').length;
}
