/**
 * A reading of YAML as ks-apiserver 3.x does it: viper 1.4 decodes kubesphere.yaml with gopkg.in/yaml.v2 (YAML 1.1
 * resolution) into map[string]interface{}, then mapstructure turns any non-string into a different string. So a
 * value is read back right only when yaml.v2 resolves it as a string. Written from yaml.v2's resolve.go and
 * yamlh.go (is_break), independently of src/kubesphere/yaml/scalar.ts; js-yaml supplies the structure, with
 * duplicate keys resolved last-wins as yaml.v2 does for maps.
 */
import yaml from 'js-yaml';

// resolve.go's resolveMapList.
const BOOL_TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// resolve.go's yamlStyleFloat, tried after "_" is removed.
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
// strconv.ParseInt(s, 0, 64) / ParseUint after "_" is removed: 0x, 0o, 0b, leading-0 octal, decimal.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
// YAML 1.1 sexagesimal (190:20:30, 1:20.5): yaml.v2 keeps these strings, the 1.1 spec does not; be strict.
const SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
// resolve.go's parseTimestamp starts with four digits and a dash, then tries date and date-time layouts.
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt ])/;

/** What yaml.v2 makes of a plain scalar: a string, or something that is not one. */
export function goResolvePlain(s: string): { kind: 'string' } | { kind: 'other'; tag: string } {
  if (BOOL_TRUE.test(s) || BOOL_FALSE.test(s)) return { kind: 'other', tag: 'bool' };
  if (NULL.test(s)) return { kind: 'other', tag: 'null' };
  if (SPECIAL_FLOAT.test(s)) return { kind: 'other', tag: 'float' };
  if (TIMESTAMP.test(s)) return { kind: 'other', tag: 'timestamp' };
  const plain = s.replace(/_/g, '');
  if (/^[-+0-9.]/.test(s) && (GO_INT.test(plain) || GO_FLOAT.test(plain)))
    return { kind: 'other', tag: 'number' };
  if (SEXAGESIMAL.test(s)) return { kind: 'other', tag: 'sexagesimal' };
  return { kind: 'string' };
}

/** A non-string scalar, kept recognisable so that no test can mistake it for the string it was written as. */
export class GoValue {
  constructor(
    readonly tag: string,
    readonly source: string,
  ) {}
}

const goScalar = new yaml.Type('tag:yaml.org,2002:go-non-string', {
  kind: 'scalar',
  resolve: (s: string) => goResolvePlain(s).kind === 'other',
  construct: (s: string) => {
    const r = goResolvePlain(s);
    return r.kind === 'other' && r.tag === 'null' ? null : new GoValue(r.kind === 'other' ? r.tag : '', s);
  },
});

const GO_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [goScalar] });

/**
 * Parses `text` as yaml.v2 would. NEL, LS and PS are line breaks to libyaml (is_break), not to js-yaml: they are
 * turned into LF first, which is what libyaml's scanner does with them (folding them inside quoted scalars).
 */
export function loadGo(text: string): unknown {
  return yaml.load(text.replace(/[\u0085\u2028\u2029]/g, '\n'), { schema: GO_SCHEMA, json: true });
}

/** As js-yaml reads it (YAML 1.2 core schema); duplicate keys last-wins, as in ks-apiserver. */
export function loadJs(text: string): unknown {
  return yaml.load(text, { json: true });
}

export function valueAt(doc: unknown, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A deep copy of `doc` with `value` at `path`, missing or null mappings on the way created. */
export function withValueAt(doc: unknown, path: readonly string[], value: unknown): unknown {
  const root = structuredCloneKeepingClasses(doc) as Record<string, unknown>;
  let cur = root;
  path.forEach((k, i) => {
    if (i === path.length - 1) cur[k] = value;
    else {
      const next = cur[k];
      if (next === undefined || next === null) cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
  });
  return root;
}

function structuredCloneKeepingClasses(v: unknown): unknown {
  if (v instanceof GoValue || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(structuredCloneKeepingClasses);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = structuredCloneKeepingClasses(x);
  return out;
}
