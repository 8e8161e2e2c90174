/** KubeSphere versions: where they come from (image tags) and which rules each family follows. */

export interface KsVersion {
  major: number;
  minor: number;
  patch: number;
  /** As written, e.g. "v3.4.1" or "v4.1.3-rc.0". */
  text: string;
}

export type KsVersionFamily = '3.0-3.2' | '3.3-3.4' | '4.x';
/** v3: `authentication.jwtSecret` + `authentication.oauthOptions.*`; v4: `authentication.issuer.*`. */
export type ConfigLayout = 'v3' | 'v4';

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$/;

/** "v3.4.1", "3.3", "v4.1.3-rc.0", "v3.3.0-patch.0" → version; anything else → undefined. */
export function parseKsVersion(text: string): KsVersion | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: text.trim() };
}

/**
 * The version in an image reference's tag: "kubesphere/ks-apiserver:v3.4.1",
 * "registry:5000/kubesphereio/ks-apiserver:v3.3.2@sha256:…". Untagged, `latest` or digest-only → undefined.
 */
export function ksVersionFromImage(image: string): KsVersion | undefined {
  const withoutDigest = image.trim().split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon < 0) return undefined;
  return parseKsVersion(withoutDigest.slice(colon + 1));
}

export function compareKsVersions(a: KsVersion, b: KsVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The families whose config layout, role marker and installer behaviour differ. Unknown versions → undefined. */
export function versionFamily(v: KsVersion): KsVersionFamily | undefined {
  if (v.major === 3 && v.minor <= 2) return '3.0-3.2';
  if (v.major === 3 && v.minor <= 4) return '3.3-3.4';
  if (v.major === 4) return '4.x';
  return undefined;
}

export function layoutForVersion(v: KsVersion): ConfigLayout | undefined {
  const family = versionFamily(v);
  if (family === undefined) return undefined;
  return family === '4.x' ? 'v4' : 'v3';
}

/** The top-level key ks-apiserver reads its token cache from: `redis:` before 3.3.2, `cache:` from 3.3.2 on. */
export function cacheSectionForVersion(v: KsVersion): 'redis' | 'cache' {
  return compareKsVersions(v, { major: 3, minor: 3, patch: 2, text: '' }) < 0 ? 'redis' : 'cache';
}

export interface FamilyRules {
  layout: ConfigLayout;
  /** kubesphere.yaml carries `multicluster.clusterRole` (3.0–3.2 only mark hosts, with `multicluster.enable: true`). */
  roleKeyInConfig: boolean;
  /** ks-installer re-renders kubesphere-config from the ClusterConfiguration, reverting edits of the ConfigMap. */
  installerOwnsConfig: boolean;
  /** ks-apiserver reloads the file by itself once the kubelet has propagated the ConfigMap. */
  hotReloadsConfig: boolean;
  /** A member runs ks-apiserver inside Deployment ks-agent instead of Deployment ks-apiserver. */
  memberRunsKsAgent: boolean;
}

export const FAMILY_RULES: Readonly<Record<KsVersionFamily, FamilyRules>> = {
  '3.0-3.2': {
    layout: 'v3',
    roleKeyInConfig: false,
    installerOwnsConfig: true,
    hotReloadsConfig: false,
    memberRunsKsAgent: false,
  },
  '3.3-3.4': {
    layout: 'v3',
    roleKeyInConfig: true,
    installerOwnsConfig: true,
    hotReloadsConfig: true,
    memberRunsKsAgent: false,
  },
  '4.x': {
    layout: 'v4',
    roleKeyInConfig: true,
    installerOwnsConfig: false,
    hotReloadsConfig: false,
    memberRunsKsAgent: true,
  },
};

/**
 * What the ClusterConfiguration's `authentication.oauthOptions.accessTokenMaxAge` does to a member's rendered
 * kubesphere.yaml (ks-installer roles/ks-core/config/templates/kubesphere-config.yaml.j2):
 * - `ignored`: 3.0 never renders the CC's oauthOptions; 3.2 renders a member's block as `accessTokenMaxAge: 0`
 *   alone, before looking at the CC;
 * - `decides`: 3.1 copies the CC's oauthOptions when it has any, and then emits no `0` for a member;
 * - `overridden`: 3.3/3.4 emit the CC's oauthOptions, then the member's `0`: the last key wins;
 * - `unknown`: the minor version is not known.
 */
export type CcMaxAgeRule = 'ignored' | 'decides' | 'overridden' | 'unknown';

export function ccMaxAgeRule(v: Pick<KsVersion, 'major' | 'minor'> | undefined): CcMaxAgeRule {
  if (!v || v.major !== 3) return 'unknown';
  if (v.minor === 1) return 'decides';
  if (v.minor === 0 || v.minor === 2) return 'ignored';
  if (v.minor === 3 || v.minor === 4) return 'overridden';
  return 'unknown';
}

/**
 * ks-apiserver lets `KUBESPHERE_*` environment variables override kubesphere.yaml (viper `SetEnvPrefix`,
 * `AutomaticEnv`) from 3.2 on, and on 4.x; 3.0.0 and 3.1.1 never call AutomaticEnv (pkg/apiserver/config/config.go).
 * Unknown versions are assumed to read them.
 */
export function readsEnvOverrides(v: Pick<KsVersion, 'major' | 'minor'> | undefined): boolean {
  return !v || v.major !== 3 || v.minor >= 2;
}

/** 3.0 never validates the authentication options (validation.go): an empty jwtSecret does not stop it. */
export function emptySecretCrashes(v: Pick<KsVersion, 'major' | 'minor'> | undefined): boolean {
  return !v || v.major !== 3 || v.minor >= 1;
}
