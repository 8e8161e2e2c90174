import { retryOnConflict } from '../cluster-api.js';
import type { ClusterApi, KubeObject, WatchEvent } from '../cluster-api.js';
import { kubeTime } from '../apiserver/types.js';
import { CONFIG_KEY, CONFIG_NAME, KS_NAMESPACE, kubesphereConfigMap } from './configmap.js';
import { installerSecret, secretValue } from './secret.js';
import { runDevopsRole } from './devops.js';
import { renderKubesphereYaml } from './templates.js';
import { versionInfo } from './versions.js';
import type { ClusterRole, KsVersion } from './versions.js';

type Obj = Record<string, unknown>;
const CC = 'clusterconfigurations.installer.kubesphere.io';
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export interface InstallerOptions {
  version: KsVersion;
  /** The cluster, through the Kubernetes API (the embedded store or a real kube-apiserver). */
  api: ClusterApi;
  now: () => Date;
  /** From a CC spec change or a new installer pod to the ConfigMap apply. */
  delayMs: number;
}

/**
 * ks-installer (3.x) as far as kubesphere-config goes: on a ClusterConfiguration spec change or an installer
 * restart it runs roles/ks-core (init-token, then config): a CC jwtSecret replaces Secret kubesphere-secret,
 * the template is rendered from that Secret and the CC and applied, and on 3.0–3.2 ks-apiserver and
 * ks-controller-manager are restarted.
 */
export class InstallerSim {
  private lastSpec: string | undefined;
  private lastTemplate: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: InstallerOptions) {}

  start(): void {
    this.lastSpec = JSON.stringify(this.o.api.get(CC, KS_NAMESPACE, 'ks-installer')?.spec);
    this.lastTemplate = JSON.stringify(
      obj(this.o.api.get('deployments.apps', KS_NAMESPACE, 'ks-installer')?.spec).template,
    );
    this.unsubscribe ??= this.o.api.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onEvent(e: WatchEvent): void {
    const { resource: r, object: o } = e;
    if (e.type === 'DELETED' || o.metadata.namespace !== KS_NAMESPACE) return;
    let changed = false;
    if (r.group === 'installer.kubesphere.io' && o.metadata.name === 'ks-installer') {
      const spec = JSON.stringify(o.spec);
      changed = spec !== this.lastSpec;
      this.lastSpec = spec;
    } else if (r.group === 'apps' && r.resource === 'deployments' && o.metadata.name === 'ks-installer') {
      const template = JSON.stringify(obj(o.spec).template);
      changed = template !== this.lastTemplate;
      this.lastTemplate = template;
    }
    if (!changed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.run().catch(() => undefined);
    }, this.o.delayMs);
    t.unref();
    this.timers.add(t);
  }

  /** One installer run, now; settles when its writes have. */
  async run(): Promise<void> {
    const { api: store, version: v } = this.o;
    const cc = store.get(CC, KS_NAMESPACE, 'ks-installer');
    if (!cc) return;
    const spec = obj(cc.spec);
    const auth = obj(spec.authentication);
    const ccSecret = typeof auth.jwtSecret === 'string' ? auth.jwtSecret : '';
    if (ccSecret !== '') await this.replaceSecret(ccSecret);
    // The Secret just written, not the cache, which may not have seen that write yet.
    const jwtSecret =
      ccSecret !== ''
        ? ccSecret
        : (secretValue(store.get('secrets', KS_NAMESPACE, 'kubesphere-secret'), 'secret') ?? '');
    const role = String(obj(spec.multicluster).clusterRole ?? 'none') as ClusterRole;
    const redis = obj(obj(spec.common).redis).enabled === true;
    const oauth =
      auth.oauthOptions && typeof auth.oauthOptions === 'object'
        ? (auth.oauthOptions as Record<string, string>)
        : undefined;
    const hostClusterName = obj(spec.multicluster).hostClusterName;
    const text = renderKubesphereYaml({
      version: v,
      role,
      jwtSecret,
      redis,
      ...(oauth ? { ccOAuthOptions: oauth } : {}),
      ...(typeof hostClusterName === 'string' && hostClusterName ? { hostClusterName } : {}),
    });
    await retryOnConflict(() => this.apply(text));
    if (versionInfo(v).installerRestartsApiserver) {
      for (const name of ['ks-apiserver', 'ks-controller-manager'])
        await retryOnConflict(() => this.restart(name));
    }
    // playbooks/devops.yaml: ks-devops' copy of the jwtSecret, refreshed only while DevOps is not marked installed.
    await runDevopsRole(store, v, jwtSecret, this.o.now);
  }

  /**
   * `kubectl delete secret kubesphere-secret` + `kubectl create secret generic …` (roles/ks-core/init-token): on
   * every run whose CC has a jwtSecret, even an unchanged one, so the Secret is a new object each time.
   */
  private async replaceSecret(jwtSecret: string): Promise<void> {
    const { api: store, version } = this.o;
    const existing = store.get('secrets', KS_NAMESPACE, 'kubesphere-secret');
    if (existing) await store.delete('secrets', KS_NAMESPACE, 'kubesphere-secret');
    await store.create(installerSecret(version, jwtSecret), { fieldManager: 'kubectl-create' });
  }

  /** `kubectl apply -f kubesphere-config.yaml`: data and the last-applied annotation replaced, the rest kept. */
  private async apply(text: string): Promise<void> {
    const { api: store, version } = this.o;
    const desired = kubesphereConfigMap(version, text);
    const current = store.get('configmaps', KS_NAMESPACE, CONFIG_NAME);
    if (!current) {
      await store.create(desired, { fieldManager: 'kubectl-client-side-apply' });
      return;
    }
    const next: KubeObject = {
      ...current,
      metadata: {
        ...current.metadata,
        annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
      },
      data: { ...(current.data as Obj), [CONFIG_KEY]: text },
    };
    await store.update(next, { fieldManager: 'kubectl-client-side-apply' });
  }

  /** `kubectl -n kubesphere-system rollout restart deployment NAME` (3.0–3.2 roles/ks-core/config/tasks/ks-restart.yaml). */
  private async restart(name: string): Promise<void> {
    const d = this.o.api.get('deployments.apps', KS_NAMESPACE, name);
    if (!d) return;
    const spec = structuredClone(obj(d.spec));
    const template = obj(spec.template);
    const meta = obj(template.metadata);
    meta.annotations = {
      ...obj(meta.annotations),
      'kubectl.kubernetes.io/restartedAt': kubeTime(this.o.now()),
    };
    template.metadata = meta;
    spec.template = template;
    await this.o.api.update({ ...d, spec }, { fieldManager: 'kubectl-rollout' });
  }
}
