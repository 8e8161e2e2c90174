import { fingerprintSecret } from '../kubesphere/config/fingerprint.js';

/**
 * Replaces every known secret (and its base64 form) in a text with `******** (fp 1a2b3c4d)`, longest first,
 * so that a diff still shows that a secret changed without showing either value.
 */
export function secretMasker(secrets: Array<string | undefined>): (text: string) => string {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
  const pairs: Array<[string, string]> = [];
  for (const s of known) {
    const fp = fingerprintSecret(s).fingerprint;
    pairs.push([s, `******** (fp ${fp})`]);
    pairs.push([Buffer.from(s, 'utf8').toString('base64'), `******** (fp ${fp}, base64)`]);
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => pairs.reduce((t, [secret, mask]) => t.split(secret).join(mask), text);
}
