import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function child(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Go marshals a template's zero metav1.Time as null, so real objects show `creationTimestamp: null`. */
function defaultTemplate(spec: Obj): void {
  const template = child(spec, 'template');
  const meta = child(template, 'metadata');
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  defaultPodSpec(child(template, 'spec'));
}

function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isObj(c)) continue;
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    const image = typeof c.image === 'string' ? c.image : '';
    setDefault(
      c,
      'imagePullPolicy',
      image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent',
    );
    setDefault(c, 'resources', {});
  }
}

/**
 * The defaulting a real API server applies on write (pkg/apis/*\/v1/defaults.go), for the fields clients and
 * the deployment controller read back: rollout strategy, replica counts, namespace phase, secret type.
 */
export function applyDefaults(obj: KubeObject): void {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  if (group !== '' && group !== 'apps') return;
  switch (obj.kind) {
    case 'Deployment': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      const strategy = child(spec, 'strategy');
      setDefault(strategy, 'type', 'RollingUpdate');
      if (strategy.type === 'RollingUpdate') {
        const ru = child(strategy, 'rollingUpdate');
        setDefault(ru, 'maxSurge', '25%');
        setDefault(ru, 'maxUnavailable', '25%');
      }
      defaultTemplate(spec);
      break;
    }
    case 'ReplicaSet': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'replicas', 1);
      defaultTemplate(spec);
      break;
    }
    case 'Pod':
      defaultPodSpec(child(obj, 'spec'));
      break;
    case 'Namespace':
      setDefault(child(obj, 'spec'), 'finalizers', ['kubernetes']);
      setDefault(child(obj, 'status'), 'phase', 'Active');
      break;
    case 'Secret':
      setDefault(obj, 'type', 'Opaque');
      break;
    case 'Service': {
      const spec = child(obj, 'spec');
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      break;
    }
  }
}
