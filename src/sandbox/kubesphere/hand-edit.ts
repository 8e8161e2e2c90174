import type { KsVersion } from './versions.js';

export interface HandEditOptions {
  version: KsVersion;
  jwtSecret?: string;
  accessTokenMaxAge?: string;
  /** A comment line put above each edited line, the way people annotate a fix. */
  comment?: string;
}

/**
 * kubesphere.yaml after someone followed the FAQ with `kubectl edit`: the value that wins (the last one) is
 * replaced in place, a missing accessTokenMaxAge is added under oauthOptions (3.x) or issuer (4.x), and a
 * comment marks the edit. Everything else — blank lines, `True`, key order, duplicates — stays as it was.
 */
export function handEdit(text: string, o: HandEditOptions): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (o.jwtSecret !== undefined) {
    const i = lastIndex(lines, /^\s*jwtSecret:/);
    if (i >= 0) setLine(lines, i, `jwtSecret: "${o.jwtSecret}"`, o.comment);
  }
  if (o.accessTokenMaxAge !== undefined)
    setMaxAge(lines, o.version.startsWith('4') ? 'issuer' : 'oauthOptions', o);
  return lines.join('\n') + '\n';
}

function setMaxAge(lines: string[], parent: 'issuer' | 'oauthOptions', o: HandEditOptions): void {
  const value = o.accessTokenMaxAge!;
  const p = lines.findIndex((l) => new RegExp(`^  ${parent}:\\s*$`).test(l));
  if (p < 0) {
    // No oauthOptions block (3.0/3.1 hosts): add one at the end of the authentication block.
    const auth = lines.findIndex((l) => /^authentication:\s*$/.test(l));
    let end = auth + 1;
    while (end < lines.length && (/^\s{2,}\S/.test(lines[end]!) || lines[end] === '')) end++;
    while (end > auth + 1 && lines[end - 1] === '') end--;
    const block = [`  ${parent}:`, `    accessTokenMaxAge: ${value}`];
    if (o.comment) block.splice(1, 0, `    # ${o.comment}`);
    lines.splice(end, 0, ...block);
    return;
  }
  let end = p + 1;
  while (end < lines.length && (lines[end] === '' || /^\s{4,}/.test(lines[end]!))) end++;
  let hit = -1;
  for (let i = p + 1; i < end; i++) if (/^ {4}accessTokenMaxAge:/.test(lines[i]!)) hit = i;
  if (hit >= 0) setLine(lines, hit, `accessTokenMaxAge: ${value}`, o.comment);
  else {
    lines.splice(p + 1, 0, `    accessTokenMaxAge: ${value}`);
    if (o.comment) lines.splice(p + 1, 0, `    # ${o.comment}`);
  }
}

function setLine(lines: string[], i: number, content: string, comment: string | undefined): void {
  const indent = /^\s*/.exec(lines[i]!)![0];
  lines[i] = indent + content;
  if (comment) lines.splice(i, 0, `${indent}# ${comment}`);
}

function lastIndex(lines: string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i]!)) return i;
  return -1;
}
