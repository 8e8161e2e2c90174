/**
 * What diagnose gathers from one cluster: plain Kubernetes JSON as the API returned it, plus read failures
 * as data. Pure checks turn snapshots into findings; nothing here talks to a cluster.
 */
export interface ObjectJson {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: Array<{ manager?: string; operation?: string; time?: string; subresource?: string }>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export type { ReadFailure } from '../../kube/failure.js';
import type { ReadFailure } from '../../kube/failure.js';
import type { ClockReading } from '../../kube/types.js';

/** `undefined`: not read (skipped); `null`: read, does not exist; a ReadFailure: could not be read. */
export type Read<T> = T | null | undefined | { failure: ReadFailure };

export function isFailure<T>(r: Read<T>): r is { failure: ReadFailure } {
  return typeof r === 'object' && r !== null && 'failure' in r;
}

export function present<T>(r: Read<T>): T | undefined {
  return r === null || r === undefined || isFailure(r) ? undefined : r;
}

export interface PodLogScan {
  pod: string;
  container: string;
  previous: boolean;
  lines: number;
  failure?: ReadFailure;
}

export interface ClusterSnapshot {
  context: string;
  server: string;
  /** Takes its value when the cluster answered `/version` with our credentials. */
  reachability: { ok: true; kubernetesVersion: string } | { ok: false; failure: ReadFailure };
  configMap: Read<ObjectJson>;
  /** 3.x only; `null` also when the CRD is absent (4.x). */
  clusterConfiguration: Read<ObjectJson>;
  kubesphereSecret: Read<ObjectJson>;
  /** The Deployment that serves ks-apiserver here: `ks-apiserver`, or `ks-agent` on 4.x members. */
  apiserverDeployment: Read<ObjectJson>;
  installerDeployment: Read<ObjectJson>;
  pods: Read<ObjectJson[]>;
  /** Host only: `clusters.cluster.kubesphere.io` objects. */
  clusters: Read<ObjectJson[]>;
  /**
   * 3.2+ members whose ClusterConfiguration enables DevOps: kubesphere-devops-system/devops-config, where
   * ks-devops keeps its own copy of the jwtSecret. Absent when not read.
   */
  devopsConfig?: Read<ObjectJson>;
  logs?: { scans: PodLogScan[]; tally: unknown };
  /** Its API server's clock against ours, from the Date headers of the responses above (absent: none had one). */
  clock?: ClockReading;
  gatheredAt: string;
}
