import type { ClusterRole, KsVersion } from './versions.js';

/** What decides the rendered kubesphere.yaml: the ClusterConfiguration (3.x) or the Helm values (4.x). */
export interface RenderOptions {
  version: KsVersion;
  /** 3.x: the CC's spec.multicluster.clusterRole. 4.x: multicluster.role ('none' renders as the chart does: host). */
  role: ClusterRole;
  jwtSecret: string;
  /**
   * The accessTokenMaxAge that ends up in the file, as a hand edit (or, on 4.x hosts, the chart value) would
   * set it: replaces the value that wins, else adds one. Undefined keeps the template's own output.
   */
  accessTokenMaxAge?: string;
  /** 3.1+: a `redis:`/`cache:` section (CC common.redis.enabled or enableHA); 4.x hosts: ha.enabled. 3.0 always has one. */
  redis?: boolean;
  /** 3.1+: the CC's spec.authentication.oauthOptions, which the template copies in with to_nice_yaml. */
  ccOAuthOptions?: Record<string, string | number>;
  /** 3.2+ hosts (CC multicluster.hostClusterName) and 4.x (multicluster.hostClusterName, default "host"). */
  hostClusterName?: string;
  /** Extra top-level YAML appended verbatim (already indented for the document root). */
  extraYaml?: string;
}
