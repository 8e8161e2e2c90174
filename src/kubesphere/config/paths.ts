import type { ParsedConfig } from './index.js';
import type { ConfigLayout } from './version.js';

/** Where each token setting lives, per layout. */
export const AUTH_PATHS: Readonly<
  Record<ConfigLayout, { jwtSecret: string[]; accessTokenMaxAge: string[]; maximumClockSkew: string[] }>
> = {
  v3: {
    jwtSecret: ['authentication', 'jwtSecret'],
    accessTokenMaxAge: ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
    maximumClockSkew: ['authentication', 'maximumClockSkew'],
  },
  v4: {
    jwtSecret: ['authentication', 'issuer', 'jwtSecret'],
    accessTokenMaxAge: ['authentication', 'issuer', 'accessTokenMaxAge'],
    maximumClockSkew: ['authentication', 'issuer', 'maximumClockSkew'],
  },
};

/** The parsed document, whether given a parse result or the data itself. */
export function dataOf(parsed: ParsedConfig | Record<string, unknown>): Record<string, unknown> {
  const p = parsed as Partial<ParsedConfig>;
  return p.ok === true && isMapping(p.data) && Array.isArray(p.duplicateKeys)
    ? p.data
    : (parsed as Record<string, unknown>);
}

/** A plain object, as YAML parsers make for mappings (not a list, Date or byte array). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The value at `path` in parsed YAML, or undefined when a key on the way is missing or not a mapping. */
export function getPath(data: unknown, path: readonly string[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (!isMapping(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Whether the key at `path` is written at all (even as null). */
export function hasPath(data: unknown, path: readonly string[]): boolean {
  const parent = getPath(data, path.slice(0, -1));
  const last = path[path.length - 1];
  return last !== undefined && isMapping(parent) && Object.prototype.hasOwnProperty.call(parent, last);
}
