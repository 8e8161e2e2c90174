import yaml from 'js-yaml';
import { scanYaml } from './scan.js';
import type { YamlScan, YamlScanFailure } from './scan.js';

/**
 * kubesphere.yaml is read twice per cluster: for its settings (config/index.ts) and for the secrets to mask
 * (config/secrets.ts), and a fleet brings one text per member. Each text is parsed and scanned once per run.
 * The values are shared between those readers: read them, never change them. Bounded, so a long run cannot
 * grow it without end.
 */
const MAX = 512;
type Loaded = { value: unknown; duplicate?: { line: number } } | { error: unknown };
const loaded = new Map<string, Loaded>();
const scanned = new Map<string, YamlScan | YamlScanFailure>();

function remember<V>(map: Map<string, V>, text: string, make: () => V): V {
  let v = map.get(text);
  if (v === undefined) {
    if (map.size >= MAX) map.clear();
    v = make();
    map.set(text, v);
  }
  return v;
}

/**
 * Parsed strictly first (js-yaml refuses a key written twice in one mapping, as yaml.v3 does): the same value,
 * and the first duplicate found, for the cost of one parse. Only a text with a duplicate is parsed again, in
 * JSON mode, where the last of the keys wins as yaml.v2 and ks-apiserver 3.x take it.
 */
function load(text: string): Loaded {
  return remember(loaded, text, () => {
    try {
      return { value: yaml.load(text) as unknown };
    } catch (strict) {
      const line = duplicateKeyLine(strict);
      if (line === undefined) return { error: strict };
      try {
        return { value: yaml.load(text, { json: true }) as unknown, duplicate: { line } };
      } catch (error) {
        return { error };
      }
    }
  });
}

function duplicateKeyLine(e: unknown): number | undefined {
  const x = e as { reason?: unknown; mark?: { line?: unknown } };
  return x.reason === 'duplicated mapping key' && typeof x.mark?.line === 'number'
    ? x.mark.line + 1
    : undefined;
}

/** `yaml.load(text, { json: true })`, throwing as it throws. */
export function loadYamlOnce(text: string): unknown {
  const r = load(text);
  if ('error' in r) throw r.error;
  return r.value;
}

/**
 * The line (1-based) of the first key the text writes twice in one mapping, as js-yaml reports it; undefined when
 * there is none or the text does not parse. ks-apiserver 4.x reads kubesphere.yaml with yaml.v3, which refuses
 * such a file outright.
 */
export function duplicateKeyAt(text: string): number | undefined {
  const r = load(text);
  return 'duplicate' in r ? r.duplicate?.line : undefined;
}

/** `scanYaml(text)`. */
export function scanYamlOnce(text: string): YamlScan | YamlScanFailure {
  return remember(scanned, text, () => scanYaml(text));
}
