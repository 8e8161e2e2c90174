import { fingerprintSecret, maskTokens } from '../kubesphere/config/fingerprint.js';
import { maskSecretAssignments } from '../kubesphere/config/secrets.js';

/** A text masker that remembers what it masks, so a renderer can add what it finds to the same pass. */
export interface Masker {
  (text: string): string;
  readonly secrets: readonly string[];
}

/**
 * Replaces every occurrence of every known secret (and its base64 form) in a text with
 * `******** (fp 1a2b3c4d)`, so that a diff still shows that a secret changed without showing either value;
 * then masks the value of any credential-named key (`jwtSecret: …`) and anything shaped like a JWT, known or not.
 */
export function secretMasker(secrets: ReadonlyArray<string | undefined>): Masker {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
  const needles = new Map<string, string>();
  for (const s of known) {
    const fp = fingerprintSecret(s).fingerprint;
    const add = (value: string, mask: string) => {
      if (value.length > 0 && !needles.has(value)) needles.set(value, mask);
    };
    add(s, `******** (fp ${fp})`);
    // A multi-line value (a YAML block scalar) shows line by line in a diff.
    for (const part of s.split('\n')) add(part.trim(), `******** (fp ${fp})`);
    add(Buffer.from(s, 'utf8').toString('base64'), `******** (fp ${fp}, base64)`);
  }
  const mask = (text: string): string =>
    maskTokens(maskSecretAssignments(maskOccurrences(text, [...needles]), 'credentials'));
  return Object.assign(mask, { secrets: known });
}

/**
 * One pass over the original text: every occurrence of every needle is covered, and overlapping occurrences
 * (one secret inside or across another) become one mask, labelled by the longest. Masks already written are
 * never searched again, so a short secret cannot match inside a mask's label.
 */
function maskOccurrences(text: string, needles: ReadonlyArray<readonly [string, string]>): string {
  const hits: Array<{ start: number; end: number; mask: string }> = [];
  for (const [value, mask] of needles) {
    for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
      hits.push({ start: i, end: i + value.length, mask });
    }
  }
  hits.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < hits.length) {
    const first = hits[i]!;
    let { end } = first;
    let widest = first;
    for (i++; i < hits.length && hits[i]!.start < end; i++) {
      const h = hits[i]!;
      if (h.end - h.start > widest.end - widest.start) widest = h;
      end = Math.max(end, h.end);
    }
    out += text.slice(pos, first.start) + widest.mask;
    pos = end;
  }
  return out + text.slice(pos);
}
