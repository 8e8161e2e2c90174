import yaml from 'js-yaml';
import { parseGoDuration } from './duration.js';
import type { KsVersion } from './versions.js';

/** Why a ks-apiserver process exits right after start instead of serving. */
export type CrashReason =
  | { kind: 'empty-secret' }
  | { kind: 'no-redis' }
  | { kind: 'unreadable-config'; detail: string }
  | { kind: 'bad-duration'; detail: string };

/** What one ks-apiserver process holds after reading /etc/kubesphere/kubesphere.yaml. */
export interface LoadedConfig {
  jwtSecret: string;
  /** Effective authentication accessTokenMaxAge in nanoseconds; 0 skips the token-cache lookup. */
  accessTokenMaxAgeNs: number;
  cache: 'redis' | 'in-memory';
  crash?: CrashReason;
}

type Obj = Record<string, unknown>;
const TWO_HOURS_NS = 2 * 3600e9;

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/**
 * Reads kubesphere.yaml the way the version's ks-apiserver does: viper over gopkg.in/yaml.v2 on 3.x (a
 * duplicate key silently takes the last value), viper over yaml.v3 on 4.1 (a duplicate key is fatal); defaults
 * from the options constructors (accessTokenMaxAge 2h); on 3.2+ and 4.x `KUBESPHERE_…` environment variables
 * override file values (viper AutomaticEnv).
 */
export function loadKsConfig(
  version: KsVersion,
  text: string,
  env: Record<string, string> = {},
): LoadedConfig {
  // Fleets load the same few files many times; results are never mutated, so share them.
  const key = `${version}\0${JSON.stringify(env)}\0${text}`;
  const hit = CACHE.get(key);
  if (hit) return hit;
  const cfg = parse(version, text, env);
  if (CACHE.size >= 256) CACHE.clear();
  CACHE.set(key, cfg);
  return cfg;
}

const CACHE = new Map<string, LoadedConfig>();

function parse(version: KsVersion, text: string, env: Record<string, string>): LoadedConfig {
  const v4 = version === '4.1';
  let doc: Obj;
  try {
    doc = obj(yaml.load(text, v4 ? {} : { json: true }));
  } catch (err) {
    const detail = yamlError(err, text);
    // 3.0 ignores an unreadable file and starts from defaults, which have no redis address.
    if (version === '3.0')
      return {
        jwtSecret: '',
        accessTokenMaxAgeNs: TWO_HOURS_NS,
        cache: 'redis',
        crash: { kind: 'no-redis' },
      };
    return {
      jwtSecret: '',
      accessTokenMaxAgeNs: TWO_HOURS_NS,
      cache: 'in-memory',
      crash: { kind: 'unreadable-config', detail },
    };
  }
  const auth = obj(doc.authentication);
  const holder = v4 ? obj(auth.issuer) : obj(auth.oauthOptions);
  const secretEnv = v4 ? 'KUBESPHERE_AUTHENTICATION_ISSUER_JWTSECRET' : 'KUBESPHERE_AUTHENTICATION_JWTSECRET';
  const fileSecret = v4 ? obj(auth.issuer).jwtSecret : auth.jwtSecret;
  // viper's AutomaticEnv: 3.2+ and 4.x only (3.0.0/3.1.1 pkg/apiserver/config/config.go never call it).
  const envSecret = version === '3.0' || version === '3.1' ? undefined : env[secretEnv];
  const jwtSecret = envSecret ?? (fileSecret === undefined || fileSecret === null ? '' : String(fileSecret));

  const rawMaxAge = holder.accessTokenMaxAge;
  let accessTokenMaxAgeNs = TWO_HOURS_NS;
  let crash: CrashReason | undefined;
  if (rawMaxAge !== undefined && rawMaxAge !== null) {
    const ns = parseGoDuration(rawMaxAge);
    if (ns === undefined)
      crash = { kind: 'bad-duration', detail: `time: invalid duration "${String(rawMaxAge)}"` };
    else accessTokenMaxAgeNs = ns;
  }

  const cache = cacheOf(version, doc);
  if (!crash && version === '3.0' && cache !== 'redis') crash = { kind: 'no-redis' };
  if (!crash && jwtSecret === '' && version !== '3.0') crash = { kind: 'empty-secret' };
  return { jwtSecret, accessTokenMaxAgeNs, cache, ...(crash ? { crash } : {}) };
}

function cacheOf(version: KsVersion, doc: Obj): LoadedConfig['cache'] {
  if (version === '3.0' || version === '3.1' || version === '3.2') {
    return typeof obj(doc.redis).host === 'string' && obj(doc.redis).host !== '' ? 'redis' : 'in-memory';
  }
  return obj(doc.cache).type === 'redis' ? 'redis' : 'in-memory';
}

/** The yaml.v2/v3 wording for what js-yaml found, e.g. a duplicate key. */
function yamlError(err: unknown, text: string): string {
  const e = err as { reason?: string; mark?: { line?: number }; message?: string };
  const line = (e.mark?.line ?? 0) + 1;
  if (/duplicated mapping key/.test(e.reason ?? '')) {
    const lines = text.split('\n');
    const m = /^(\s*)([^:#\s]+):/.exec(lines[line - 1] ?? '');
    const first = m ? lines.findIndex((l, i) => i < line - 1 && l.startsWith(`${m[1]}${m[2]}:`)) + 1 : 0;
    const key = m?.[2] ?? '?';
    return `While parsing config: yaml: unmarshal errors:\n  line ${line}: mapping key "${key}" already defined at line ${first}`;
  }
  return `While parsing config: yaml: line ${line}: ${e.reason ?? e.message ?? 'invalid YAML'}`;
}
