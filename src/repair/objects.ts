import { CLUSTER_CONFIGURATION, type ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import type { WriteTarget } from '../kubesphere/repair/plan.js';

/** The objects repair changes and rollback restores: read and written the same way by both. */
export interface TargetRef {
  target: WriteTarget;
  namespace: string;
  name: string;
}

const FIELD_MANAGER = 'ks-restore';

/** The object as it is now; undefined when it (or, for the ClusterConfiguration, its type) does not exist. */
export async function readTarget(client: ClusterReader, t: TargetRef): Promise<ObjectJson | undefined> {
  if (t.target === 'clusterconfiguration') {
    const res = await client.getCustom(CLUSTER_CONFIGURATION, t.namespace, t.name);
    return res && !('resourceTypeMissing' in res) ? res : undefined;
  }
  return client.get(t.target === 'configmap' ? 'configmaps' : 'secrets', t.namespace, t.name);
}

/** PUT under the object's resourceVersion (a stale one is a 409); `dryRun` validates without storing. */
export async function writeTarget(
  client: ClusterReader,
  target: WriteTarget,
  obj: ObjectJson,
  dryRun: boolean,
): Promise<ObjectJson> {
  const o = obj as Parameters<ClusterReader['replace']>[1];
  const opts = { dryRun, fieldManager: FIELD_MANAGER };
  if (target === 'clusterconfiguration') return client.replaceCustom(CLUSTER_CONFIGURATION, o, opts);
  return client.replace(target === 'configmap' ? 'configmaps' : 'secrets', o, opts);
}
