/** The token settings of one kubesphere.yaml, read the way its ks-apiserver reads them. */
import type { ParsedConfig } from './index.js';
import { AUTH_PATHS, dataOf, getPath, hasPath, isMapping } from './paths.js';
import {
  DEFAULT_ACCESS_TOKEN_MAX_AGE,
  DEFAULT_MAXIMUM_CLOCK_SKEW,
  formatDuration,
  parseGoDuration,
  type DurationDefault,
  type DurationResult,
} from './duration.js';
import type { ConfigLayout } from './version.js';

export type ClusterRole = 'host' | 'member' | 'none';

export interface DurationSetting {
  path: string[];
  /** The key is written (possibly as null). */
  present: boolean;
  /** The value as written, e.g. "0", "2h", "0s"; "" when absent or null. */
  raw: string;
  /** The value as parsed from YAML. */
  value: unknown;
  duration: DurationResult;
  /** ks-apiserver can load it. */
  valid: boolean;
  /** ks-apiserver ends up with zero: no cache lookup, no expiry. */
  zero: boolean;
  /** The duration in effect for people, e.g. "2h" (default included); the raw text when invalid. */
  effectiveText: string;
}

export interface CacheSetting {
  /** `none`: neither section written, so ks-apiserver falls back to its in-memory cache (3.0 refuses to start). */
  type: 'redis' | 'in-memory' | 'none' | 'unsupported';
  /** `cache:` is read from 3.3.2 on, `redis:` before. */
  source: 'cache' | 'redis' | 'absent';
  /** `cache.type` as written when ks-apiserver does not support it. */
  rawType?: string;
}

export interface AuthSettings {
  layout: ConfigLayout;
  /** As written; "" when empty, undefined when absent. A number is given as its text. */
  jwtSecret: string | undefined;
  jwtSecretPath: string[];
  /** `empty` and `absent` make ks-apiserver exit ("JWT secret MUST not be empty"). */
  jwtSecretState: 'ok' | 'empty' | 'absent' | 'not-a-string';
  accessTokenMaxAge: DurationSetting;
  maximumClockSkew: DurationSetting;
  /** `multicluster.clusterRole` when it is one of the three roles ks-apiserver knows. */
  clusterRole: ClusterRole | undefined;
  clusterRoleRaw: unknown;
  /** `multicluster.enable`; `true` is how 3.0–3.2 files mark a host (members carry no marker at all). */
  multiclusterEnable: boolean | undefined;
  hostHint: boolean;
  hostClusterName: string | undefined;
  /** Written by the host's cluster controller on 3.3+ (Go-re-marshaled files). */
  clusterName: string | undefined;
  cache: CacheSetting;
  /** Keys of the other layout, which this ks-apiserver ignores (e.g. `authentication.jwtSecret` in a 4.x file). */
  ignoredKeys: string[][];
  /** 3.x `authentication.oauthOptions.clients` lists at least one OAuth client (the console's own login needs one). */
  oauthClients: boolean;
}

const ROLES: readonly string[] = ['host', 'member', 'none'];

export function readAuthSettings(
  parsed: ParsedConfig | Record<string, unknown>,
  layout: ConfigLayout,
): AuthSettings {
  const data = dataOf(parsed);
  const paths = AUTH_PATHS[layout];
  const secret = readSecret(getPath(data, paths.jwtSecret), hasPath(data, paths.jwtSecret));
  const role = getPath(data, ['multicluster', 'clusterRole']);
  const enable = getPath(data, ['multicluster', 'enable']);
  return {
    layout,
    jwtSecret: secret.value,
    jwtSecretPath: [...paths.jwtSecret],
    jwtSecretState: secret.state,
    accessTokenMaxAge: readDuration(data, paths.accessTokenMaxAge, DEFAULT_ACCESS_TOKEN_MAX_AGE),
    maximumClockSkew: readDuration(data, paths.maximumClockSkew, DEFAULT_MAXIMUM_CLOCK_SKEW),
    clusterRole: typeof role === 'string' && ROLES.includes(role) ? (role as ClusterRole) : undefined,
    clusterRoleRaw: role,
    multiclusterEnable: typeof enable === 'boolean' ? enable : undefined,
    hostHint: enable === true,
    hostClusterName: stringAt(data, ['multicluster', 'hostClusterName']),
    clusterName: stringAt(data, ['multicluster', 'clusterName']),
    cache: readCache(data),
    ignoredKeys: ignoredKeys(data, layout),
    oauthClients: (() => {
      const clients = getPath(data, ['authentication', 'oauthOptions', 'clients']);
      return Array.isArray(clients) && clients.length > 0;
    })(),
  };
}

function readSecret(
  v: unknown,
  present: boolean,
): { value: string | undefined; state: AuthSettings['jwtSecretState'] } {
  if (!present) return { value: undefined, state: 'absent' };
  if (v === null || v === '') return { value: '', state: 'empty' };
  if (typeof v === 'string') return { value: v, state: 'ok' };
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return { value: String(v), state: 'not-a-string' };
  }
  return { value: undefined, state: 'not-a-string' };
}

function readDuration(data: unknown, path: string[], fallback: DurationDefault): DurationSetting {
  const present = hasPath(data, path);
  const value = getPath(data, path);
  const duration = parseGoDuration(value, fallback);
  const raw = value === undefined || value === null ? '' : String(value);
  return {
    path: [...path],
    present,
    raw,
    value,
    duration,
    valid: duration.ok,
    zero: duration.ok && duration.zero,
    effectiveText: duration.ok ? formatDuration(duration.nanos) : raw,
  };
}

function readCache(data: unknown): CacheSetting {
  const cache = getPath(data, ['cache']);
  if (isMapping(cache)) {
    const t = cache.type;
    if (t === 'redis') return { type: 'redis', source: 'cache' };
    // A `cache:` block without `type` keeps the compiled-in default, InMemoryCache.
    if (t === 'InMemoryCache' || t === undefined || t === null) return { type: 'in-memory', source: 'cache' };
    return { type: 'unsupported', source: 'cache', rawType: String(t) };
  }
  const redis = getPath(data, ['redis']);
  if (isMapping(redis)) {
    // 3.1–3.3.1 fall back to the in-memory cache when the redis host is empty.
    const host = redis.host;
    return { type: typeof host === 'string' && host !== '' ? 'redis' : 'in-memory', source: 'redis' };
  }
  return { type: 'none', source: 'absent' };
}

function stringAt(data: unknown, path: string[]): string | undefined {
  const v = getPath(data, path);
  return typeof v === 'string' ? v : undefined;
}

function ignoredKeys(data: unknown, layout: ConfigLayout): string[][] {
  const other = AUTH_PATHS[layout === 'v4' ? 'v3' : 'v4'];
  return [other.jwtSecret, other.accessTokenMaxAge, other.maximumClockSkew]
    .filter((p) => hasPath(data, p))
    .map((p) => [...p]);
}
