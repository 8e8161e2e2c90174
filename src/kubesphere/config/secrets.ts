import yaml from 'js-yaml';
import type { ClusterFacts } from '../cluster/facts.js';
import { present, type ClusterSnapshot } from '../cluster/snapshot.js';
import { loadYamlOnce, scanYamlOnce } from '../yaml/once.js';
import { splitLines } from '../yaml/scan.js';
import { findQuoteEnd, indentOf } from '../yaml/tokens.js';
import { MASK } from './fingerprint.js';
import { isMapping } from './paths.js';

/** Every jwtSecret value these two clusters use, so renderers can mask all of them. */
export function secretsInPlay(host: ClusterFacts, member: ClusterFacts): string[] {
  const out: Array<string | undefined> = [];
  for (const f of [host, member]) {
    if (f.config.state === 'ok') out.push(f.config.settings.jwtSecret);
    out.push(f.clusterConfiguration?.jwtSecret, f.installerSecret);
  }
  return out.filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Every secret a cluster's snapshot holds, used or not: see secretsInObjects. */
export function secretsInSnapshot(snap: ClusterSnapshot): string[] {
  return secretsInObjects([
    present(snap.configMap),
    present(snap.clusterConfiguration),
    present(snap.kubesphereSecret),
    present(snap.devopsConfig),
  ]);
}

/**
 * The secret-bearing values in Kubernetes objects: each data value of a Secret (decoded: `secret`, the static
 * `token`, …) and each value under a jwtSecret key at any depth, in the objects and in YAML or JSON held in their
 * strings (kubesphere.yaml, last-applied annotations) — shadowed duplicate keys included, since a diff shows them.
 */
export function secretsInObjects(objects: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    const data = (o as { kind?: unknown; data?: unknown } | undefined)?.data;
    if ((o as { kind?: unknown } | undefined)?.kind === 'Secret' && data && typeof data === 'object') {
      for (const v of Object.values(data)) {
        if (typeof v === 'string') out.add(Buffer.from(v, 'base64').toString('utf8'));
      }
    }
    walk(o, out, undefined);
  }
  out.delete('');
  return [...out];
}

/**
 * ks-apiserver reads kubesphere.yaml through viper, which matches keys case-insensitively; environment
 * overrides spell it KUBESPHERE_AUTHENTICATION_JWTSECRET.
 */
const JWT_KEY = /jwt[_-]?secret$/i;

function walk(v: unknown, out: Set<string>, key: string | undefined): void {
  if (typeof v === 'string') {
    if (key !== undefined && JWT_KEY.test(key)) out.add(v);
    if (/jwt[_-]?secret/i.test(v)) for (const s of jwtSecretsInYaml(v)) out.add(s);
  } else if (typeof v === 'number' || typeof v === 'boolean') {
    if (key !== undefined && JWT_KEY.test(key)) out.add(String(v));
  } else if (Array.isArray(v)) {
    for (const x of v) walk(x, out, undefined);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) walk(x, out, k);
  }
}

/**
 * The same texts come back: kubesphere.yaml in its ConfigMap and again in the ConfigMap's last-applied
 * annotation, and alike on every member of a fleet. Bounded, so a long run cannot grow it without end.
 */
const seen = new Map<string, readonly string[]>();
const SEEN_MAX = 512;

/** Values under jwtSecret keys in a YAML (or JSON) text: every occurrence, as parsed and as written. */
export function jwtSecretsInYaml(text: string): string[] {
  let found = seen.get(text);
  if (!found) {
    if (seen.size >= SEEN_MAX) seen.clear();
    found = secretsInText(text);
    seen.set(text, found);
  }
  return [...found];
}

function secretsInText(text: string): string[] {
  const out = new Set<string>();
  // What a parser sees (the last of duplicates), and strings nested in it. JSON (a last-applied annotation) is
  // YAML too, and JSON.parse reads it alike (the last duplicate wins), many times faster.
  try {
    const data: unknown = /^\s*[{[]/.test(text) ? parseJsonOrYaml(text) : loadYamlOnce(text);
    if (data !== null && typeof data === 'object') walk(data, out, undefined);
  } catch {
    // Not YAML: the line reading below still applies.
  }
  // Every occurrence of the key, shadowed ones included, whatever the shape of its value.
  const scan = scanYamlOnce(text);
  if (scan.ok) {
    for (const e of scan.entries) {
      if (!JWT_KEY.test(e.key) || e.shape !== 'scalar') continue;
      const own = scan.lines
        .slice(e.line, e.endLine + 1)
        .map((l, i) =>
          i === 0 ? l.text.slice(e.indent) : l.text.slice(Math.min(e.indent, indentOf(l.text))),
        );
      try {
        // The key's own lines, dedented, are a one-key document.
        const one: unknown = yaml.load(own.join('\n'));
        const v = isMapping(one) ? one[e.key] : undefined;
        if (typeof v === 'string' || typeof v === 'number') out.add(String(v));
      } catch {
        // The raw text below is masked anyway.
      }
    }
  }
  // As written on each line (escapes undecoded), which is what a diff line shows.
  for (const l of splitLines(text)) {
    for (const span of assignmentValues(l.text, JWT_ASSIGNMENT)) out.add(l.text.slice(span.start, span.end));
  }
  out.delete('');
  return [...out];
}

function parseJsonOrYaml(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return yaml.load(text, { json: true });
  }
}

/** `jwtSecret:` / `"jwtSecret":` / `JwtSecret:` (Go's %+v) / `KUBESPHERE_AUTHENTICATION_JWTSECRET=`. */
const JWT_ASSIGNMENT = /(^|[^\w-])(["']?)([\w-]*jwt[_-]?secret)\2[ \t]*[:=][ \t]*/gi;
/** Keys whose values are credentials in the configuration files repair diffs. */
const CREDENTIAL_ASSIGNMENT =
  /(^|[^\w-])(["']?)([\w-]*(?:secret|password|passwd|token|secretaccesskey|apikey|privatekey))\2[ \t]*[:=][ \t]*/gi;

/**
 * Masks the value of every `jwtSecret: value` on every line, known or not: a defence for values no list holds
 * (`credentials` widens it to any key named like a password, token or secret, for configuration diffs). Quoted
 * values are masked inside their quotes, plain ones up to a comment; empty and already masked values are kept.
 */
export function maskSecretAssignments(text: string, keys: 'jwt' | 'credentials' = 'jwt'): string {
  const re = keys === 'credentials' ? CREDENTIAL_ASSIGNMENT : JWT_ASSIGNMENT;
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      let pos = 0;
      for (const span of assignmentValues(line, re)) {
        out += `${line.slice(pos, span.start)}${MASK}`;
        pos = span.end;
      }
      return out + line.slice(pos);
    })
    .join('\n');
}

/** Where the values of a line's key assignments sit (empty values, masks and block indicators left out). */
function assignmentValues(line: string, re: RegExp): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const m of line.matchAll(new RegExp(re.source, re.flags))) {
    const at = (m.index ?? 0) + m[0].length;
    const q = line[at];
    let start = at;
    let end: number;
    if (q === '"' || q === "'") {
      const close = findQuoteEnd(line, at, q);
      start = at + 1;
      end = close < 0 ? line.length : close;
    } else {
      const comment = line.slice(at).search(/[ \t]#/);
      end = comment < 0 ? line.length : at + comment;
      while (end > start && /[ \t]/.test(line[end - 1]!)) end--;
    }
    const value = line.slice(start, end);
    if (value === '' || value.startsWith(MASK) || /^[|>][-+0-9]*$/.test(value)) continue;
    if (spans.length > 0 && start < spans[spans.length - 1]!.end) continue;
    spans.push({ start, end });
  }
  return spans;
}
