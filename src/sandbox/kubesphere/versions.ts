/** The KubeSphere releases the sandbox simulates, one per minor line, and what differs between them. */
export type KsVersion = '3.0' | '3.1' | '3.2' | '3.3' | '3.4' | '4.1';

export const KS_VERSIONS: readonly KsVersion[] = ['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'];

export type ClusterRole = 'host' | 'member' | 'none';

export interface VersionInfo {
  /** The release tag simulated for this minor line (image tags, labels, status.kubeSphereVersion). */
  release: string;
  major: 3 | 4;
  /** 3.3/3.4 ks-apiserver watch kubesphere.yaml (viper WatchConfig) and restart their server in-process. */
  hotReload: boolean;
  /** ks-installer re-runs restart ks-apiserver itself (roles/ks-core/config/tasks/ks-restart.yaml, 3.0–3.2). */
  installerRestartsApiserver: boolean;
  /** The host's cluster controller sets multicluster.clusterName by re-encoding kubesphere.yaml (3.3/3.4). */
  clusterNameSync: boolean;
  /** A typical Kubernetes version for clusters running this release. */
  kubernetesVersion: string;
}

const INFO: Record<KsVersion, VersionInfo> = {
  '3.0': {
    release: 'v3.0.0',
    major: 3,
    hotReload: false,
    installerRestartsApiserver: true,
    clusterNameSync: false,
    kubernetesVersion: 'v1.18.6',
  },
  '3.1': {
    release: 'v3.1.1',
    major: 3,
    hotReload: false,
    installerRestartsApiserver: true,
    clusterNameSync: false,
    kubernetesVersion: 'v1.19.8',
  },
  '3.2': {
    release: 'v3.2.1',
    major: 3,
    hotReload: false,
    installerRestartsApiserver: true,
    clusterNameSync: false,
    kubernetesVersion: 'v1.21.5',
  },
  '3.3': {
    release: 'v3.3.2',
    major: 3,
    hotReload: true,
    installerRestartsApiserver: false,
    clusterNameSync: true,
    kubernetesVersion: 'v1.23.10',
  },
  '3.4': {
    release: 'v3.4.1',
    major: 3,
    hotReload: true,
    installerRestartsApiserver: false,
    clusterNameSync: true,
    kubernetesVersion: 'v1.26.5',
  },
  '4.1': {
    release: 'v4.1.3',
    major: 4,
    hotReload: false,
    installerRestartsApiserver: false,
    clusterNameSync: false,
    kubernetesVersion: 'v1.28.15',
  },
};

export function versionInfo(v: KsVersion): VersionInfo {
  return INFO[v];
}

export function isKsVersion(value: unknown): value is KsVersion {
  return typeof value === 'string' && (KS_VERSIONS as readonly string[]).includes(value);
}

export function is3x(v: KsVersion): boolean {
  return INFO[v].major === 3;
}
