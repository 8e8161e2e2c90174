import { createHmac, timingSafeEqual } from 'node:crypto';

/** HS256 JWTs as ks-apiserver issues and verifies them for access tokens (golang-jwt / dgrijalva jwt-go). */
export type Claims = Record<string, unknown>;

const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

export function signHS256(claims: Claims, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** jwt-go's verdict: claims, or the error text ks-apiserver logs ("signature is invalid", "token is expired by 1m5s"). */
export type Verified = { ok: true; claims: Claims } | { ok: false; error: string };

export function verifyHS256(token: string, secret: string, now: Date, clockSkewSec = 10): Verified {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, error: 'token contains an invalid number of segments' };
  const [head, body, sig] = parts as [string, string, string];
  const want = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return { ok: false, error: 'signature is invalid' };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const nowSec = Math.floor(now.getTime() / 1000);
  if (exp !== undefined && nowSec > exp + clockSkewSec)
    return { ok: false, error: `token is expired by ${nowSec - exp}s` };
  return { ok: true, claims };
}

/**
 * The claims of a console access token, field order as Go marshals the release's Claims struct: 3.0/3.1
 * (username, token_type, then jwt.StandardClaims), 3.2+ (jwt.RegisteredClaims first). 4.x uses the issuer URL.
 */
export function accessTokenClaims(
  version: string,
  username: string,
  issuedAt: Date,
  maxAgeNs: number,
): Claims {
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const exp = maxAgeNs > 0 ? iat + Math.floor(maxAgeNs / 1e9) : undefined;
  const expClaim = exp === undefined ? {} : { exp };
  if (version === '3.0' || version === '3.1') {
    return { username, token_type: 'access_token', ...expClaim, iat, iss: 'kubesphere', nbf: iat };
  }
  const iss = version.startsWith('4') ? 'http://ks-console.kubesphere-system.svc:30880' : 'kubesphere';
  return { iss, sub: username, ...expClaim, iat, token_type: 'access_token', username };
}
