import yaml from 'js-yaml';
import { formatGoDuration, parseGoDuration } from './duration.js';

/**
 * What the 3.3+ host's cluster controller writes back into a member's kubesphere.yaml
 * (setClusterNameInConfigMap, pkg/controller/cluster/cluster_controller.go): the file decoded into a zero
 * apiserverconfig.Config, `multicluster.clusterName` set, and re-encoded with gopkg.in/yaml.v2. So keys come
 * in struct order, durations as Duration.String() (`0s`, `2h0m0s`; a duration absent from the file becomes
 * `0s`), strings unquoted where YAML allows, unknown keys and comments dropped, duplicates collapsed.
 */
type Field = [key: string, kind: 'str' | 'int' | 'bool' | 'dur' | 'any', omitEmpty: boolean];
type Obj = Record<string, unknown>;

const AUTH: Field[] = [
  ['authenticateRateLimiterMaxTries', 'int', false],
  ['authenticateRateLimiterDuration', 'dur', false],
  ['maximumClockSkew', 'dur', false],
  ['loginHistoryRetentionPeriod', 'dur', false],
  ['loginHistoryMaximumEntries', 'int', true],
  ['multipleLogin', 'bool', false],
  ['jwtSecret', 'str', false],
];
const OAUTH_HEAD: Field[] = [
  ['issuer', 'str', true],
  ['signKey', 'str', true],
  ['signKeyData', 'str', true],
  ['identityProviders', 'any', true],
];
const CLIENT: Field[] = [
  ['name', 'str', true],
  ['secret', 'str', true],
  ['respondWithChallenges', 'bool', true],
  ['redirectURIs', 'any', true],
  ['grantMethod', 'str', true],
  ['scopeRestrictions', 'any', true],
  ['accessTokenMaxAge', 'dur', true],
  ['accessTokenInactivityTimeout', 'dur', true],
];
const MULTICLUSTER: Field[] = [
  ['enable', 'bool', false],
  ['proxyPublishService', 'str', true],
  ['proxyPublishAddress', 'str', true],
  ['agentImage', 'str', true],
  ['clusterControllerResyncPeriod', 'dur', true],
  ['hostClusterName', 'str', true],
  ['clusterName', 'str', true],
  ['clusterRole', 'str', true],
];
const SIMPLE: Record<string, Field[]> = {
  network: [
    ['enableNetworkPolicy', 'bool', true],
    ['weaveScopeHost', 'str', true],
    ['ippoolType', 'str', true],
  ],
  monitoring: [['endpoint', 'str', true]],
  notification: [['endpoint', 'str', true]],
  gateway: [
    ['watchesPath', 'str', true],
    ['namespace', 'str', true],
    ['repository', 'str', true],
    ['tag', 'str', true],
  ],
  terminal: [
    ['image', 'str', true],
    ['timeout', 'int', true],
  ],
};
/** apiserverconfig.Config field order (3.3.2/3.4.1) for the sections a ks-installer file can carry. */
const ORDER = [
  'network',
  'cache',
  'monitoring',
  'authentication',
  'multicluster',
  'notification',
  'gateway',
  'gpu',
  'terminal',
];

export function goRemarshal(text: string, opts: { clusterName: string }): string {
  const doc = (yaml.load(text, { json: true }) ?? {}) as Obj;
  const mc = { ...((doc.multicluster as Obj | undefined) ?? {}), clusterName: opts.clusterName };
  const src: Obj = { ...doc, multicluster: mc };
  const out: string[] = [];
  for (const section of ORDER) {
    const value = src[section] as Obj | undefined;
    if (value === undefined || value === null) continue;
    out.push(`${section}:`);
    if (section === 'authentication') out.push(...authentication(value));
    else if (section === 'multicluster') out.push(...fields(value, MULTICLUSTER, 2));
    else if (section === 'cache')
      out.push(`  type: ${scalar(value.type ?? '')}`, ...block('options', value.options ?? {}, 2));
    else if (section === 'gpu') out.push(...gpu(value));
    else out.push(...fields(value, SIMPLE[section]!, 2));
  }
  return out.join('\n') + '\n';
}

function authentication(a: Obj): string[] {
  const out = fields(a, AUTH, 2);
  const o = a.oauthOptions as Obj | undefined | null;
  if (o === undefined || o === null) out.push('  oauthOptions: null');
  else {
    out.push('  oauthOptions:', ...fields(o, OAUTH_HEAD, 4));
    const clients = Array.isArray(o.clients) ? (o.clients as Obj[]) : [];
    if (clients.length > 0) out.push('    clients:');
    for (const c of clients) {
      const lines = fields(c, CLIENT, 6);
      out.push(...lines.map((l, i) => (i === 0 ? `    - ${l.trimStart()}` : l)));
    }
    out.push(
      ...fields(
        o,
        [
          ['accessTokenMaxAge', 'dur', false],
          ['accessTokenInactivityTimeout', 'dur', false],
        ],
        4,
      ),
    );
  }
  out.push(...fields(a, [['kubectlImage', 'str', false]], 2));
  return out;
}

function gpu(g: Obj): string[] {
  const kinds = Array.isArray(g.kinds) ? (g.kinds as Obj[]) : [];
  if (kinds.length === 0) return [];
  const out = ['  kinds:'];
  for (const k of kinds) {
    const kf: Field[] = [
      ['resourceName', 'str', true],
      ['resourceType', 'str', true],
      ['default', 'bool', true],
    ];
    out.push(...fields(k, kf, 4).map((l, i) => (i === 0 ? `  - ${l.trimStart()}` : l)));
  }
  return out;
}

function fields(obj: Obj, spec: Field[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [key, kind, omitEmpty] of spec) {
    const v = obj[key];
    if (kind === 'dur') {
      const ns = parseGoDuration(v) ?? 0;
      if (!(omitEmpty && ns === 0 && v === undefined)) out.push(`${pad}${key}: ${formatGoDuration(ns)}`);
    } else if (kind === 'any') {
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
      out.push(...block(key, v, indent));
    } else {
      const zero = kind === 'str' ? '' : kind === 'int' ? 0 : false;
      const val = v === undefined || v === null ? zero : v;
      if (omitEmpty && (val === zero || val === '')) continue;
      out.push(`${pad}${key}: ${scalar(kind === 'str' ? String(val) : val)}`);
    }
  }
  return out;
}

function block(key: string, value: unknown, indent: number): string[] {
  const dumped = yaml
    .dump({ [key]: value }, { noArrayIndent: true, sortKeys: true, lineWidth: -1 })
    .trimEnd();
  return dumped.split('\n').map((l) => ' '.repeat(indent) + l);
}

/** yaml.v2's plain-or-quoted choice for a scalar. */
function scalar(v: unknown): string {
  if (typeof v !== 'string') return String(v);
  if (v === '') return '""';
  return yaml.dump(v, { lineWidth: -1 }).trimEnd();
}
