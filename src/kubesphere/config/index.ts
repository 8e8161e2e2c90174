/**
 * kubesphere.yaml (ConfigMap kubesphere-system/kubesphere-config): lenient parsing as ks-apiserver does it
 * (duplicate keys: the last wins), layout detection, and the version helpers the layouts depend on.
 */
import type { ConfigLayout, KsVersion } from './version.js';
import { dataOf, getPath } from './paths.js';
import { loadYamlOnce, scanYamlOnce } from '../yaml/once.js';
import { duplicateKeys, splitLines } from '../yaml/scan.js';

export { AUTH_PATHS, dataOf, getPath, hasPath } from './paths.js';

export { readAuthSettings } from './auth-settings.js';
export type { AuthSettings, CacheSetting, ClusterRole, DurationSetting } from './auth-settings.js';
export {
  FAMILY_RULES,
  cacheSectionForVersion,
  ccMaxAgeRule,
  compareKsVersions,
  emptySecretCrashes,
  ksVersionFromImage,
  layoutForVersion,
  parseKsVersion,
  readsEnvOverrides,
  versionFamily,
} from './version.js';
export type { CcMaxAgeRule, ConfigLayout, FamilyRules, KsVersion, KsVersionFamily } from './version.js';
/** The name other modules know the version type by. */
export type KsVersionInfo = KsVersion;

export interface DuplicateKey {
  /** Path of the repeated key, e.g. ["authentication", "oauthOptions", "accessTokenMaxAge"]. */
  path: string[];
  /** 1-based lines of every occurrence, in order; the last one is the value ks-apiserver uses. */
  lines: number[];
}

export interface ConfigNotice {
  /**
   * - `tab-after-indicator`: a tab right after `:` or `-`; js-yaml accepts it, Go's YAML parser rejects it.
   * - `structure-not-scanned`: valid YAML this tool cannot map line by line, so it will not edit it.
   */
  code: 'tab-after-indicator' | 'structure-not-scanned';
  lines: number[];
  message: string;
}

export interface ParsedConfig {
  ok: true;
  data: Record<string, unknown>;
  duplicateKeys: DuplicateKey[];
  notices: ConfigNotice[];
}

export interface ParseFailure {
  ok: false;
  code: 'empty' | 'not-yaml' | 'not-a-mapping' | 'tab-indentation' | 'multiple-documents';
  reason: string;
  /** 1-based, when known. */
  line?: number;
}

export function parseKubesphereYaml(text: string): ParsedConfig | ParseFailure {
  if (text.trim() === '') return { ok: false, code: 'empty', reason: 'kubesphere.yaml is empty' };
  const scan = scanYamlOnce(text);
  if (!scan.ok && scan.code !== 'unsupported-structure') {
    return { ok: false, code: scan.code, reason: `line ${scan.line}: ${scan.reason}`, line: scan.line };
  }
  let data: unknown;
  try {
    data = loadYamlOnce(text);
  } catch (e) {
    const line = (e as { mark?: { line?: number } }).mark?.line;
    const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
    return { ok: false, code: 'not-yaml', reason, ...(line === undefined ? {} : { line: line + 1 }) };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, code: 'not-a-mapping', reason: 'kubesphere.yaml is not a mapping of settings' };
  }
  const notices: ConfigNotice[] = [];
  const tabLines = splitLines(text)
    .map((l, i) => (/:\t|^\s*-\t/.test(l.text) && !/^\s*#/.test(l.text) ? i + 1 : 0))
    .filter((n) => n > 0);
  if (tabLines.length > 0) {
    notices.push({
      code: 'tab-after-indicator',
      lines: tabLines,
      message: 'a tab follows ":" or "-"; Go YAML parsers (ks-apiserver) reject that',
    });
  }
  if (!scan.ok) {
    notices.push({ code: 'structure-not-scanned', lines: [scan.line], message: scan.reason });
  }
  return {
    ok: true,
    data: data as Record<string, unknown>,
    duplicateKeys: scan.ok
      ? duplicateKeys(scan).map((d) => ({ path: d.path.map(String), lines: d.lines }))
      : [],
    notices,
  };
}

/** 4.x keeps the token settings under `authentication.issuer`; 3.x directly under `authentication`. */
export function detectLayout(parsed: ParsedConfig | Record<string, unknown>): ConfigLayout {
  const issuer = getPath(dataOf(parsed), ['authentication', 'issuer']);
  return issuer !== null && typeof issuer === 'object' && !Array.isArray(issuer) ? 'v4' : 'v3';
}
