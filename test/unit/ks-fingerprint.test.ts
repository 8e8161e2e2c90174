import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintSecret, MASK, maskSecrets, maskTokens } from '../../src/kubesphere/config/fingerprint.js';

describe('fingerprintSecret', () => {
  it('is the first 8 hex digits of the SHA-256, with the length', () => {
    const secret = 'FAKEv34hostJwtSecret000000000000';
    const expected = createHash('sha256').update(secret).digest('hex').slice(0, 8);
    expect(fingerprintSecret(secret)).toEqual({ present: true, fingerprint: expected, length: 32 });
    expect(expected).toMatch(/^[0-9a-f]{8}$/);
  });

  it('differs for secrets that differ in one character', () => {
    expect(fingerprintSecret('FAKEsecretA').fingerprint).not.toBe(
      fingerprintSecret('FAKEsecretB').fingerprint,
    );
  });

  it.each(['', undefined])('%j is absent, with no fingerprint', (secret) => {
    expect(fingerprintSecret(secret)).toEqual({ present: false, length: 0 });
  });

  it('never contains the secret', () => {
    expect(JSON.stringify(fingerprintSecret('FAKEdeadbeef'))).not.toContain('FAKEdeadbeef');
  });
});

describe('maskSecrets', () => {
  it('replaces every occurrence, keeping the rest', () => {
    expect(maskSecrets('jwtSecret: "s3cr3t" # was s3cr3t', ['s3cr3t'])).toBe(
      `jwtSecret: "${MASK}" # was ${MASK}`,
    );
  });

  it('masks the base64 form too (Secret objects)', () => {
    const b64 = Buffer.from('FAKEsecretValue').toString('base64');
    expect(maskSecrets(`secret: ${b64}`, ['FAKEsecretValue'])).toBe(`secret: ${MASK}`);
  });

  it('masks the longer secret whole when one contains another', () => {
    expect(maskSecrets('a=abcdef b=abc', ['abc', 'abcdef'])).toBe(`a=${MASK} b=${MASK}`);
  });

  it('ignores empty and missing secrets', () => {
    expect(maskSecrets('nothing to hide', ['', undefined])).toBe('nothing to hide');
  });
});

describe('maskTokens', () => {
  it('masks JWT-shaped tokens', () => {
    const line = 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6ImFkbWluIn0.c2lnbmF0dXJl end';
    expect(maskTokens(line)).toBe(`Authorization: Bearer ${MASK} end`);
  });

  it('leaves ordinary dotted words alone', () => {
    expect(maskTokens('ks-apiserver.kubesphere-system.svc')).toBe('ks-apiserver.kubesphere-system.svc');
  });
});
