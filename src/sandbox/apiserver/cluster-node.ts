import type { ClusterStore } from './store.js';

type Obj = Record<string, unknown>;

/** Where pods get scheduled: the first Node object if the simulation made one, else a plausible default. */
export function pickNode(store: ClusterStore): { nodeName: string; hostIP: string } {
  let nodes: ReturnType<ClusterStore['list']> = [];
  try {
    nodes = store.list('nodes');
  } catch {
    // No nodes type registered: fall through to the default.
  }
  const node = nodes[0];
  if (!node) return { nodeName: 'node1', hostIP: '192.168.0.10' };
  const addresses = (((node.status ?? {}) as Obj).addresses ?? []) as Obj[];
  const internal = addresses.find((a) => a.type === 'InternalIP');
  return {
    nodeName: node.metadata.name,
    hostIP: typeof internal?.address === 'string' ? internal.address : '192.168.0.10',
  };
}

/** A pod IP from the default Calico range KubeSphere installs (10.233.64.0/18). */
export function randomPodIP(): string {
  const n = Math.floor(Math.random() * 16384);
  return `10.233.${64 + (n >> 8)}.${n & 0xff || 1}`;
}
