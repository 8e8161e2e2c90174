import type { KubeObject } from '../apiserver/store.js';
import type { KsVersion } from './versions.js';

export const KS_NAMESPACE = 'kubesphere-system';
export const CONFIG_NAME = 'kubesphere-config';
export const CONFIG_KEY = 'kubesphere.yaml';

/** `kubectl apply`'s annotation: the applied manifest as sorted-key JSON, newline-terminated. */
export function lastApplied(manifest: KubeObject): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sort(manifest))}\n`;
}

/**
 * ConfigMap kubesphere-system/kubesphere-config: applied with `kubectl apply` by ks-installer on 3.x (so it
 * carries the last-applied annotation, secret included, as on a real cluster), Helm-owned on 4.x.
 */
export function kubesphereConfigMap(v: KsVersion, text: string): KubeObject {
  if (v === '4.1') {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: CONFIG_NAME,
        namespace: KS_NAMESPACE,
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: {
          'meta.helm.sh/release-name': 'ks-core',
          'meta.helm.sh/release-namespace': KS_NAMESPACE,
        },
      },
      data: { [CONFIG_KEY]: text },
    };
  }
  const manifest: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { annotations: {}, name: CONFIG_NAME, namespace: KS_NAMESPACE },
    data: { [CONFIG_KEY]: text },
  };
  return {
    ...manifest,
    metadata: {
      name: CONFIG_NAME,
      namespace: KS_NAMESPACE,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(manifest) },
    },
  };
}

export function configText(cm: KubeObject | undefined): string | undefined {
  const data = cm?.data as Record<string, string> | undefined;
  return data?.[CONFIG_KEY];
}
