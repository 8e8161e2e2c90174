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
const loaded = new Map<string, { value: unknown } | { error: unknown }>();
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

/** `yaml.load(text, { json: true })`, throwing as it throws. */
export function loadYamlOnce(text: string): unknown {
  const r = remember(loaded, text, () => {
    try {
      return { value: yaml.load(text, { json: true }) as unknown };
    } catch (error) {
      return { error };
    }
  });
  if ('error' in r) throw r.error;
  return r.value;
}

/** `scanYaml(text)`. */
export function scanYamlOnce(text: string): YamlScan | YamlScanFailure {
  return remember(scanned, text, () => scanYaml(text));
}
