/* eslint-disable @typescript-eslint/no-explicit-any -- stored objects, read field by field */
import yaml from 'js-yaml';
import { expect } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';

const NS = 'kubesphere-system';
const CC = 'clusterconfigurations.installer.kubesphere.io';
/** Shorter values could turn up in any text by chance, and a sweep for them would prove nothing. */
const DISTINCTIVE = 16;

/** Every string value under a `jwtSecret` key, at any depth (3.x and 4.x layouts, duplicate keys resolved). */
function jwtSecretsIn(doc: unknown, out: Set<string>): void {
  if (Array.isArray(doc)) for (const v of doc) jwtSecretsIn(v, out);
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'jwtSecret' && typeof v === 'string') out.add(v);
      else jwtSecretsIn(v, out);
    }
  }
}

/** The jwtSecrets a kubesphere.yaml sets, at any path. */
export function jwtSecretsOf(kubesphereYaml: string): string[] {
  const out = new Set<string>();
  jwtSecretsIn(yaml.load(kubesphereYaml, { json: true }), out);
  return [...out];
}

const decode = (b64: unknown): string | undefined =>
  typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;

/**
 * Every secret the sandbox's clusters hold right now, of any length: the jwtSecrets of kubesphere-config, the
 * ClusterConfiguration and kubesphere-secret, and kubesphere-secret's static admin token. Throws when one is
 * too short to be told apart from ordinary text: the sandbox must make distinctive ones.
 */
export function sandboxSecrets(sb: Sandbox): { jwtSecrets: string[]; tokens: string[] } {
  const jwt = new Set<string>();
  const tokens = new Set<string>();
  for (const c of sb.clusters) {
    const cm = c.api.get('configmaps', NS, 'kubesphere-config') as any;
    const text = cm?.data?.['kubesphere.yaml'];
    if (typeof text === 'string') for (const v of jwtSecretsOf(text)) jwt.add(v);
    // 4.x has no ClusterConfiguration (the store does not serve the type at all).
    if (c.ksVersion.startsWith('3.')) jwtSecretsIn((c.api.get(CC, NS, 'ks-installer') as any)?.spec, jwt);
    const secret = c.api.get('secrets', NS, 'kubesphere-secret') as any;
    const value = decode(secret?.data?.secret);
    if (value !== undefined) jwt.add(value);
    const token = decode(secret?.data?.token);
    if (token !== undefined) tokens.add(token);
  }
  jwt.delete('');
  tokens.delete('');
  for (const s of [...jwt, ...tokens]) {
    if (s.length < DISTINCTIVE)
      throw new Error(`a sandbox secret of ${s.length} characters is too short to sweep outputs for`);
  }
  return { jwtSecrets: [...jwt], tokens: [...tokens] };
}

/** Fails when any of the values, or its base64 form, occurs in the text. */
export function expectNoneOf(text: string, values: string[]): void {
  for (const v of values) {
    expect(text.includes(v), 'a secret value reached the output').toBe(false);
    expect(text.includes(Buffer.from(v).toString('base64')), 'a base64 secret reached the output').toBe(
      false,
    );
  }
}
