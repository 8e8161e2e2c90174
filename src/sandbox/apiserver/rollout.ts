import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from './types.js';

/**
 * Pure parts of the deployment controller (pkg/controller/deployment/util), kept apart so the arithmetic that
 * `kubectl rollout status` depends on can be tested without timers.
 */

export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';

type Obj = Record<string, unknown>;

export const specOf = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;
export const statusOf = (o: KubeObject): Obj => (o.status ?? {}) as Obj;
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** intstr.GetScaledValueFromIntOrPercent: surge rounds up, unavailable rounds down. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const exact = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    if (/^\d+$/.test(v)) return Number(v);
  }
  return 0;
}

export function desiredReplicas(d: KubeObject): number {
  const r = specOf(d).replicas;
  return typeof r === 'number' ? r : 1;
}

export function isRecreate(d: KubeObject): boolean {
  return ((specOf(d).strategy ?? {}) as Obj).type === 'Recreate';
}

/** deploymentutil.ResolveFenceposts: both zero would deadlock a rollout, so unavailable becomes 1. */
export function fenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const ru = (((specOf(d).strategy ?? {}) as Obj).rollingUpdate ?? {}) as Obj;
  const replicas = desiredReplicas(d);
  const maxSurge = scaledValue(ru.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** deploymentutil.MaxUnavailable, used for the Available condition. */
export function maxUnavailable(d: KubeObject): number {
  const replicas = desiredReplicas(d);
  if (isRecreate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicas);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined && x !== null);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-32a of the template, encoded like rand.SafeEncodeString so names look like `ks-apiserver-7d4b9c8f6`. */
export function templateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(canonical(template) + (collisionCount ? String(collisionCount) : ''))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

/** Typed Go structs cannot tell null from absent; neither may the template comparison. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Obj)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => [k, withoutNulls(x)]),
  );
}

function withoutHash(template: unknown): unknown {
  const t = withoutNulls(template ?? {}) as Obj;
  const meta = (t.metadata ?? {}) as Obj;
  const labels = { ...((meta.labels ?? {}) as Record<string, string>) };
  delete labels[HASH_LABEL];
  t.metadata = { ...meta, labels };
  return t;
}

/** deploymentutil.EqualIgnoreHash: the RS runs the deployment's current template. */
export function templateMatches(rs: KubeObject, d: KubeObject): boolean {
  return isDeepStrictEqual(withoutHash(specOf(rs).template), withoutHash(specOf(d).template));
}

export const revisionOf = (o: KubeObject): number => Number(o.metadata.annotations?.[REVISION] ?? 0) || 0;

const sum = (rss: KubeObject[], f: (rs: KubeObject) => number): number => rss.reduce((n, rs) => n + f(rs), 0);
export const specReplicas = (rss: KubeObject[]): number => sum(rss, (rs) => num(specOf(rs).replicas));
export const actualReplicas = (rss: KubeObject[]): number => sum(rss, (rs) => num(statusOf(rs).replicas));
export const readyReplicas = (rss: KubeObject[]): number => sum(rss, (rs) => num(statusOf(rs).readyReplicas));
export const availableReplicas = (rss: KubeObject[]): number =>
  sum(rss, (rs) => num(statusOf(rs).availableReplicas));

/** deploymentutil.NewRSNewReplicas for RollingUpdate. */
export function newRSReplicas(d: KubeObject, all: KubeObject[], newRS: KubeObject): number {
  const replicas = desiredReplicas(d);
  const current = num(specOf(newRS).replicas);
  if (isRecreate(d)) return replicas;
  const { maxSurge } = fenceposts(d);
  const total = specReplicas(all);
  if (total >= replicas + maxSurge) return current;
  return current + Math.max(0, Math.min(replicas + maxSurge - total, replicas - current));
}

/**
 * How far the old ReplicaSets may shrink now (reconcileOldReplicaSets): never below minAvailable, counting
 * the new RS's not-yet-available pods as unavailable.
 */
export function oldScaleDownBudget(d: KubeObject, all: KubeObject[], newRS: KubeObject | undefined): number {
  const minAvailable = desiredReplicas(d) - fenceposts(d).maxUnavailable;
  const newUnavailable = newRS ? num(specOf(newRS).replicas) - num(statusOf(newRS).availableReplicas) : 0;
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return 0;
  return maxScaledDown;
}

/** How many available old pods may go (scaleDownOldReplicaSetsForRollingUpdate). */
export function availableScaleDown(d: KubeObject, all: KubeObject[]): number {
  const minAvailable = desiredReplicas(d) - fenceposts(d).maxUnavailable;
  return Math.max(0, availableReplicas(all) - minAvailable);
}

export const byCreation = (a: KubeObject, b: KubeObject): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);
