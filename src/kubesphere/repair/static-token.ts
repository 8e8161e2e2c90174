import { createHmac } from 'node:crypto';

/**
 * ks-installer stores beside the jwtSecret a static admin token signed with it (kubesphere-secret `token`,
 * from jwt-script/jwt.sh). When the secret changes, that token must be re-signed with the new one, keeping its
 * header and claims byte for byte, as the installer's next run would. `undefined` when it is not an HS256 JWT.
 */
export function resignHs256(token: string, secret: string): string | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
    if (header.alg !== 'HS256') return undefined;
  } catch {
    return undefined;
  }
  const signingInput = `${parts[0]}.${parts[1]}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
