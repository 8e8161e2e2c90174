import { createHash } from 'node:crypto';

/** What may be shown about a secret: whether it is set, a short fingerprint to compare, and its length. */
export interface SecretFingerprint {
  present: boolean;
  /** First 8 hex digits of the SHA-256 of the secret; absent when the secret is empty. */
  fingerprint?: string;
  length: number;
}

export const MASK = '********';

export function fingerprintSecret(secret: string | undefined): SecretFingerprint {
  if (secret === undefined || secret === '') return { present: false, length: 0 };
  const fingerprint = createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8);
  return { present: true, fingerprint, length: secret.length };
}

/**
 * Replaces every occurrence of each secret, and of its base64 form (Secret objects carry it that way), with
 * `********`. Longest first, so a secret that contains another is masked whole.
 */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  return secretMasker(secrets)(text);
}

/** maskSecrets for many texts and the same secrets: their base64 forms encoded and the order sorted once. */
export function secretMasker(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s === undefined || s === '') continue;
    needles.add(s);
    needles.add(Buffer.from(s, 'utf8').toString('base64'));
  }
  const order = [...needles].sort((a, b) => b.length - a.length);
  return (text) => order.reduce((t, s) => t.split(s).join(MASK), text);
}

const JWT_RE = /\beyJ[\w-]*\.[\w-]+\.[\w-]+/g;

/** Masks anything shaped like a JWT (header.payload.signature): bearer tokens must not reach a report. */
export function maskTokens(text: string): string {
  return text.replace(JWT_RE, MASK);
}
