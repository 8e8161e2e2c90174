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
 * `issuerClockSkewSec`: 3.0/3.1 issuers backdate iat and nbf by their maximumClockSkew (token/jwt.go IssueTo).
 */
export function accessTokenClaims(
  version: string,
  username: string,
  issuedAt: Date,
  maxAgeNs: number,
  issuerClockSkewSec = 0,
): Claims {
  const old = version === '3.0' || version === '3.1';
  const iat = Math.floor(issuedAt.getTime() / 1000) - (old ? issuerClockSkewSec : 0);
  const exp = maxAgeNs > 0 ? iat + Math.floor(maxAgeNs / 1e9) : undefined;
  const expClaim = exp === undefined ? {} : { exp };
  if (old) {
    return { username, token_type: 'access_token', ...expClaim, iat, iss: 'kubesphere', nbf: iat };
  }
  const iss = version.startsWith('4') ? 'http://ks-console.kubesphere-system.svc:30880' : 'kubesphere';
  return { iss, sub: username, ...expClaim, iat, token_type: 'access_token', username };
}

/**
 * A token the verifier's clock puts before its issue: the error ks-apiserver returns, or undefined. 3.2+ token/
 * issuer.go Verify allows `maximumClockSkew` ("jwt: token used before issued, iat:…, now:…"; 3.2–3.4 print Unix
 * seconds, 4.x Go times); 3.0/3.1 use jwt-go v3 StandardClaims.Valid(), with no leeway and the nbf message last.
 */
export function issuedInFuture(
  version: string,
  claims: Claims,
  now: Date,
  maximumClockSkewSec = 10,
  uptimeSec = 0,
): string | undefined {
  const nowSec = Math.floor(now.getTime() / 1000);
  const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : undefined;
  if (version === '3.0' || version === '3.1') {
    if (nbf !== undefined && nowSec < nbf) return 'token is not valid yet';
    return iat !== undefined && nowSec < iat ? 'Token used before issued' : undefined;
  }
  if (iat === undefined) return undefined;
  if (version.startsWith('4')) {
    if (now.getTime() + maximumClockSkewSec * 1000 >= iat * 1000) return undefined;
    return `jwt: token used before issued, iat:${goTime(new Date(iat * 1000))}, now:${goTime(now, uptimeSec)}`;
  }
  if (nowSec + maximumClockSkewSec >= iat) return undefined;
  return `jwt: token used before issued, iat:${iat}, now:${nowSec}`;
}

/** Go's time.Time String() in UTC; a time.Now() value adds its monotonic reading (`m=+…`). */
function goTime(t: Date, monotonicSec?: number): string {
  const iso = t.toISOString();
  // Go trims trailing zeros of the fraction (.999999999 layout).
  const frac = `.${iso.slice(20, 23)}`.replace(/\.?0+$/, '');
  const mono = monotonicSec === undefined ? '' : ` m=+${monotonicSec.toFixed(9)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC${mono}`;
}
