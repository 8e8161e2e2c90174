import { age, humanDuration } from './duration.js';
import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;
type Cells = (obj: KubeObject, now: Date) => unknown[];

const o = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const orNone = (s: string): string => (s === '' ? '<none>' : s);

function containerNames(spec: Obj): string {
  return arr(spec.containers)
    .map((c) => String(c.name))
    .join(',');
}

function images(spec: Obj): string {
  return arr(spec.containers)
    .map((c) => String(c.image))
    .join(',');
}

/** metav1.FormatLabelSelector */
function formatSelector(sel: unknown): string {
  const s = o(sel);
  const parts = Object.entries(o(s.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arr(s.matchExpressions)) {
    const values = arr(e.values).map(String).join(',');
    const op = String(e.operator).toLowerCase();
    if (op === 'exists') parts.push(String(e.key));
    else if (op === 'doesnotexist') parts.push(`!${String(e.key)}`);
    else parts.push(`${String(e.key)} ${op} (${values})`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** printPod's STATUS column: phase, overridden by a container's waiting/terminated reason or Terminating. */
function podStatus(pod: KubeObject): string {
  const status = o(pod.status);
  let reason = String(status.reason || status.phase || '');
  let hasRunning = false;
  for (const cs of [...arr(status.containerStatuses)].reverse()) {
    const state = o(cs.state);
    const waiting = o(state.waiting);
    const terminated = o(state.terminated);
    if (waiting.reason) reason = String(waiting.reason);
    else if (state.terminated) {
      reason = terminated.reason
        ? String(terminated.reason)
        : terminated.signal
          ? `Signal:${String(terminated.signal)}`
          : `ExitCode:${String(terminated.exitCode)}`;
    } else if (state.running && cs.ready) hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) {
    const ready = arr(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True');
    reason = ready ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podRestarts(pod: KubeObject, now: Date): string {
  let restarts = 0;
  let last = 0;
  for (const cs of arr(o(pod.status).containerStatuses)) {
    restarts += n(cs.restartCount);
    const finished = Date.parse(String(o(o(cs.lastState).terminated).finishedAt ?? ''));
    if (!Number.isNaN(finished) && finished > last) last = finished;
  }
  return last > 0 ? `${restarts} (${humanDuration(now.getTime() - last)} ago)` : String(restarts);
}

function servicePorts(spec: Obj): string {
  const ports = arr(spec.ports).map(
    (p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${String(p.protocol ?? 'TCP')}`,
  );
  return orNone(ports.join(','));
}

function externalIP(svc: KubeObject): string {
  const spec = o(svc.spec);
  const external = arr(spec.externalIPs).map(String);
  if (spec.type === 'LoadBalancer') {
    const ingress = arr(o(o(svc.status).loadBalancer).ingress).map((i) => String(i.ip ?? i.hostname));
    const all = [...ingress, ...external];
    return all.length ? all.join(',') : '<pending>';
  }
  if (spec.type === 'ExternalName') return String(spec.externalName ?? '<none>');
  return orNone(external.join(','));
}

function nodeStatus(node: KubeObject): string {
  const ready = arr(o(node.status).conditions).find((c) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown'];
  if (o(node.spec).unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = arr(o(node.status).addresses).find((x) => x.type === type);
  return a ? String(a.address) : '<none>';
}

const roles = (node: KubeObject): string => {
  const r = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  return orNone(r.join(','));
};

/** Cells after NAME for built-in kinds, matching pkg/printers/internalversion/printers.go. */
export const BUILTIN_CELLS: Record<string, Cells> = {
  Pod: (p, now) => {
    const statuses = arr(o(p.status).containerStatuses);
    const total = arr(o(p.spec).containers).length;
    return [
      `${statuses.filter((c) => c.ready).length}/${total}`,
      podStatus(p),
      podRestarts(p, now),
      age(p.metadata.creationTimestamp, now),
      String(o(p.status).podIP || '<none>'),
      String(o(p.spec).nodeName || '<none>'),
      String(o(p.status).nominatedNodeName || '<none>'),
      '<none>',
    ];
  },
  Deployment: (d, now) => {
    const spec = o(d.spec);
    const st = o(d.status);
    const tspec = o(o(spec.template).spec);
    return [
      `${n(st.readyReplicas)}/${n(spec.replicas)}`,
      n(st.updatedReplicas),
      n(st.availableReplicas),
      age(d.metadata.creationTimestamp, now),
      containerNames(tspec),
      images(tspec),
      formatSelector(spec.selector),
    ];
  },
  ReplicaSet: (rs, now) => {
    const spec = o(rs.spec);
    const st = o(rs.status);
    const tspec = o(o(spec.template).spec);
    return [
      n(spec.replicas),
      n(st.replicas),
      n(st.readyReplicas),
      age(rs.metadata.creationTimestamp, now),
      containerNames(tspec),
      images(tspec),
      formatSelector(spec.selector),
    ];
  },
  ConfigMap: (cm, now) => [
    Object.keys(o(cm.data)).length + Object.keys(o(cm.binaryData)).length,
    age(cm.metadata.creationTimestamp, now),
  ],
  Secret: (s, now) => [
    String(s.type ?? 'Opaque'),
    Object.keys(o(s.data)).length,
    age(s.metadata.creationTimestamp, now),
  ],
  Namespace: (ns, now) => [String(o(ns.status).phase ?? ''), age(ns.metadata.creationTimestamp, now)],
  ServiceAccount: (sa, now) => [arr(sa.secrets).length, age(sa.metadata.creationTimestamp, now)],
  Service: (svc, now) => {
    const spec = o(svc.spec);
    return [
      String(spec.type ?? 'ClusterIP'),
      String(spec.clusterIP || '<none>'),
      externalIP(svc),
      servicePorts(spec),
      age(svc.metadata.creationTimestamp, now),
      spec.selector ? formatSelector({ matchLabels: spec.selector }) : '<none>',
    ];
  },
  Node: (node, now) => {
    const info = o(o(node.status).nodeInfo);
    return [
      nodeStatus(node),
      roles(node),
      age(node.metadata.creationTimestamp, now),
      String(info.kubeletVersion ?? ''),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      String(info.osImage ?? '<unknown>'),
      String(info.kernelVersion ?? '<unknown>'),
      String(info.containerRuntimeVersion ?? '<unknown>'),
    ];
  },
  Event: (e, now) => {
    const involved = o(e.involvedObject);
    const last = e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;
    return [
      age(last, now),
      String(e.type ?? ''),
      String(e.reason ?? ''),
      `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`,
      String(e.message ?? ''),
    ];
  },
};

/** Kinds whose table has no leading NAME column (events start with LAST SEEN). */
export const NO_NAME_COLUMN = new Set(['Event']);
