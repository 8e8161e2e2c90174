import { valueAt } from '../repair/object-edit.js';
import { parseKubesphereYaml, readAuthSettings } from '../config/index.js';
import type { ObjectJson } from './snapshot.js';

/**
 * ks-installer 3.2+ (roles/ks-devops/tasks/main.yaml, templates/ks-devops-values.yaml.j2) reads kubesphere-secret
 * and passes it as the ks-devops chart's `authentication.jwtSecret`, which the chart writes into ConfigMap
 * kubesphere-devops-system/devops-config (templates/config.yaml). 3.0/3.1 have no such copy.
 */
export function devopsCopyWanted(cc: ObjectJson | undefined): boolean {
  if (!cc) return false;
  const enabled = valueAt(cc, ['spec', 'devops', 'enabled']);
  if (enabled !== true && enabled !== 'true') return false;
  const label = cc.metadata.labels?.version ?? valueAt(cc, ['status', 'core', 'version']);
  const m = typeof label === 'string' ? /^v?(\d+)\.(\d+)/.exec(label) : null;
  // Without a version to go by, read it: one ConfigMap is cheap, a missed stale copy is not.
  return !m || Number(m[1]) > 3 || (Number(m[1]) === 3 && Number(m[2]) >= 2);
}

/** The ClusterConfiguration's status.devops.status: while it is "enabled", ks-installer skips roles/ks-devops. */
export function devopsStatus(cc: ObjectJson | undefined): string | undefined {
  const s = cc ? valueAt(cc, ['status', 'devops', 'status']) : undefined;
  return typeof s === 'string' ? s : undefined;
}

/** `authentication.jwtSecret` in devops-config's kubesphere.yaml; undefined when absent or unparseable. */
export function devopsCopySecret(cm: ObjectJson): string | undefined {
  const text = (cm as { data?: Record<string, unknown> }).data?.['kubesphere.yaml'];
  if (typeof text !== 'string') return undefined;
  const parsed = parseKubesphereYaml(text);
  if (!parsed.ok) return undefined;
  const secret = readAuthSettings(parsed, 'v3').jwtSecret;
  return secret === '' ? undefined : secret;
}
