import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { retryOnConflict } from '../cluster-api.js';
import type { ClusterApi, KubeObject, WatchEvent } from '../cluster-api.js';
import { kubeTime } from '../apiserver/types.js';
import { CONFIG_KEY, CONFIG_NAME, KS_NAMESPACE, configText } from './configmap.js';
import { renderKubesphereYaml } from './templates.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const CLUSTERS = 'clusters.cluster.kubesphere.io';
const HOST_LABEL = 'cluster-role.kubesphere.io/host';
/** pkg/constants/constants.go ConfigHashAnnotation (v4.1.3). */
export const CONFIG_HASH = 'kubesphere.io/config-hash';

/** hashutil.FNVString: FNV-1a 64 of the Cluster's spec.config bytes (base64 in JSON; absent is nil), hex. */
export function configHash(specConfigB64: unknown): string {
  const bytes = typeof specConfigB64 === 'string' ? Buffer.from(specConfigB64, 'base64') : Buffer.alloc(0);
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

export interface KsCoreControllerOptions {
  /** The 4.1 host, whose Cluster objects the controller watches. */
  host: ClusterApi;
  /** The 4.1 members it can reach, by Cluster name. */
  members: ReadonlyMap<string, ClusterApi>;
  now: () => Date;
  /** From the Cluster change to the Helm upgrade's writes on the member. */
  delayMs: number;
}

/**
 * The 4.1 host's cluster controller, as far as the member's kubesphere-config goes (kubesphere v4.1.3
 * pkg/controller/cluster/cluster_controller.go reconcileMemberCluster, helper.go installKSCoreInMemberCluster):
 * when a member's KSCoreReady is not True or the FNV hash of its spec.config differs from annotation
 * kubesphere.io/config-hash, it Helm-upgrades ks-core there with role member and the jwtSecret of the host's
 * own kubesphere-config; the chart renders `accessTokenMaxAge: 0s` for members, keeps the member's
 * hostClusterName (a lookup) and rolls ks-agent through `checksum/config`. Then it sets KSCoreReady and the
 * hash. Nothing else triggers it: a member whose file drifts later stays drifted. Other chart values in spec.config
 * are hashed but not rendered (the simulated file has no place for them).
 */
export class KsCoreControllerSim {
  private readonly installing = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: KsCoreControllerOptions) {}

  start(): void {
    this.unsubscribe ??= this.o.host.subscribe((e) => this.onEvent(e));
    for (const c of this.o.host.list(CLUSTERS)) this.schedule(c);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onEvent(e: WatchEvent): void {
    if (e.type === 'DELETED' || e.resource.group !== 'cluster.kubesphere.io') return;
    this.schedule(e.object);
  }

  private schedule(cluster: KubeObject): void {
    const name = cluster.metadata.name;
    if (!this.o.members.has(name) || !needsInstall(cluster) || this.installing.has(name)) return;
    // installLock: one Helm task per cluster at a time.
    this.installing.add(name);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.install(name)
        .catch(() => undefined)
        .finally(() => this.installing.delete(name));
    }, this.o.delayMs);
    t.unref();
    this.timers.add(t);
  }

  /** One reconcile of a member Cluster, now; settles when its writes have. */
  async install(name: string): Promise<void> {
    const { host } = this.o;
    const member = this.o.members.get(name);
    const cluster = host.get(CLUSTERS, undefined, name);
    if (!member || !cluster || HOST_LABEL in (cluster.metadata.labels ?? {}) || !needsInstall(cluster))
      return;
    // getKubeSphereConfig: the host's own file; without a jwtSecret there the install fails and is retried later.
    const jwtSecret = issuerSecret(configText(host.get('configmaps', KS_NAMESPACE, CONFIG_NAME)));
    if (!jwtSecret) return;
    const current = configText(member.get('configmaps', KS_NAMESPACE, CONFIG_NAME));
    const text = renderKubesphereYaml({
      version: '4.1',
      role: 'member',
      jwtSecret,
      hostClusterName: hostClusterName(current) ?? 'host',
    });
    await retryOnConflict(() => this.applyConfig(member, text));
    await retryOnConflict(() => this.rollAgent(member, text));
    await retryOnConflict(() => this.markInstalled(name));
  }

  /** Helm upgrade: the chart's ConfigMap replaces the live one when they differ. */
  private async applyConfig(member: ClusterApi, text: string): Promise<void> {
    const cm = member.get('configmaps', KS_NAMESPACE, CONFIG_NAME);
    if (!cm || configText(cm) === text) return;
    await member.update({ ...cm, data: { ...obj(cm.data), [CONFIG_KEY]: text } }, { fieldManager: 'helm' });
  }

  /** templates/ks-agent.yaml `checksum/config`: a new pod template only when the rendered file changed. */
  private async rollAgent(member: ClusterApi, text: string): Promise<void> {
    const d = member.get('deployments.apps', KS_NAMESPACE, 'ks-agent');
    if (!d) return;
    const checksum = createHash('sha256').update(text).digest('hex');
    const spec = structuredClone(obj(d.spec));
    const template = obj(spec.template);
    const meta = obj(template.metadata);
    if (obj(meta.annotations)['checksum/config'] === checksum) return;
    meta.annotations = { ...obj(meta.annotations), 'checksum/config': checksum };
    template.metadata = meta;
    spec.template = template;
    await member.update({ ...d, spec }, { fieldManager: 'helm' });
  }

  /** updateClusterCondition(KSCoreReady True) and setConfigHash, in one r.Update. */
  private async markInstalled(name: string): Promise<void> {
    const cluster = this.o.host.get(CLUSTERS, undefined, name);
    if (!cluster) return;
    const at = kubeTime(this.o.now());
    const status = obj(cluster.status);
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Obj[];
    const ready: Obj = {
      type: 'KSCoreReady',
      status: 'True',
      lastUpdateTime: at,
      lastTransitionTime: at,
      reason: 'KSCoreReady',
      message: 'KS Core is available now',
    };
    const next = conditions.some((c) => c.type === 'KSCoreReady')
      ? conditions.map((c) => (c.type === 'KSCoreReady' ? ready : c))
      : [...conditions, ready];
    await this.o.host.update(
      {
        ...cluster,
        metadata: {
          ...cluster.metadata,
          annotations: {
            ...cluster.metadata.annotations,
            [CONFIG_HASH]: configHash(obj(cluster.spec).config),
          },
        },
        status: { ...status, conditions: next },
      },
      { fieldManager: 'controller-manager' },
    );
  }
}

/** hasCondition(KSCoreReady) is false, or configChanged. */
function needsInstall(cluster: KubeObject): boolean {
  if (HOST_LABEL in (cluster.metadata.labels ?? {})) return false;
  const conditions = (obj(cluster.status).conditions ?? []) as Obj[];
  const ready = conditions.some((c) => c.type === 'KSCoreReady' && c.status === 'True');
  return !ready || cluster.metadata.annotations?.[CONFIG_HASH] !== configHash(obj(cluster.spec).config);
}

function load(text: string | undefined): Obj {
  try {
    return obj(text ? yaml.load(text) : undefined);
  } catch {
    return {};
  }
}

function issuerSecret(text: string | undefined): string | undefined {
  const s = obj(obj(load(text).authentication).issuer).jwtSecret;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** The chart's multicluster.hostClusterName helper: the live file's value, else "host". */
function hostClusterName(text: string | undefined): string | undefined {
  const n = obj(load(text).multicluster).hostClusterName;
  return typeof n === 'string' && n !== '' ? n : undefined;
}
