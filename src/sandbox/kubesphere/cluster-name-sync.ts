import yaml from 'js-yaml';
import { retryOnConflict } from '../cluster-api.js';
import type { ClusterApi, WatchEvent } from '../cluster-api.js';
import { CONFIG_KEY, CONFIG_NAME, KS_NAMESPACE, configText } from './configmap.js';
import { goRemarshal } from './go-remarshal.js';

export interface ClusterNameSyncOptions {
  /** Every cluster the host has joined, the host included, by its Cluster name. */
  clusters: { name: string; api: ClusterApi }[];
  /** From a change of a cluster's kubesphere-config to the controller's next sync of it. */
  resyncMs: number;
}

/**
 * The 3.3/3.4 host's cluster controller, as far as kubesphere-config goes (kubesphere v3.3.2/v3.4.1
 * pkg/controller/cluster/cluster_controller.go, setClusterNameInConfigMap): on every sync of a Cluster — the
 * host's own included — it reads that cluster's kubesphere.yaml into apiserverconfig.Config and, when
 * `multicluster.clusterName` is not the Cluster's name, sets it and writes the whole file back through
 * gopkg.in/yaml.v2 (see go-remarshal.ts). A file ks-installer has just rendered has no clusterName, so each
 * installer run is followed by such a rewrite. It never touches jwtSecret, the role or a member's maxAge.
 */
export class ClusterNameSync {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribes: (() => void)[] = [];

  constructor(private readonly o: ClusterNameSyncOptions) {}

  start(): void {
    for (const c of this.o.clusters) {
      this.unsubscribes.push(c.api.subscribe((e) => this.onEvent(c, e)));
    }
  }

  stop(): void {
    for (const u of this.unsubscribes.splice(0)) u();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private onEvent(c: { name: string; api: ClusterApi }, e: WatchEvent): void {
    const o = e.object;
    if (e.type === 'DELETED' || e.resource.resource !== 'configmaps') return;
    if (o.metadata.namespace !== KS_NAMESPACE || o.metadata.name !== CONFIG_NAME) return;
    if (this.timers.has(c.name) || clusterNameOf(configText(o)) === c.name) return;
    const t = setTimeout(() => {
      this.timers.delete(c.name);
      retryOnConflict(() => this.sync(c)).catch(() => undefined);
    }, this.o.resyncMs);
    t.unref();
    this.timers.set(c.name, t);
  }

  /** One sync of one Cluster: a no-op when the name is already there, as upstream. */
  async sync(c: { name: string; api: ClusterApi }): Promise<void> {
    const cm = c.api.get('configmaps', KS_NAMESPACE, CONFIG_NAME);
    const text = configText(cm);
    // A file that does not unmarshal is an error upstream: the controller logs it and leaves the file alone.
    if (!cm || text === undefined || clusterNameOf(text) === c.name || !parses(text)) return;
    const data = {
      ...(cm.data as Record<string, string>),
      [CONFIG_KEY]: goRemarshal(text, { clusterName: c.name }),
    };
    await c.api.update({ ...cm, data }, { fieldManager: 'controller-manager' });
  }
}

function parses(text: string): boolean {
  try {
    yaml.load(text, { json: true });
    return true;
  } catch {
    return false;
  }
}

function clusterNameOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = yaml.load(text, { json: true }) as { multicluster?: { clusterName?: unknown } } | null;
    const name = doc?.multicluster?.clusterName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
