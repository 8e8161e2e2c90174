import yaml from 'js-yaml';

export type OutputFormat = 'text' | 'json' | 'yaml';

/** Machine output: the only thing written to stdout in json/yaml mode. */
export function renderStructured(value: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false });
}
