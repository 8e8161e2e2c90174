import type { KubeObject } from '../apiserver/store.js';
import { signHS256 } from './jwt.js';
import type { KsVersion } from './versions.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * Secret kubesphere-system/kubesphere-secret as ks-installer's init-token role creates it
 * (`kubectl create secret generic kubesphere-secret --from-literal=token=… --from-literal=secret=…`): `secret`
 * is the jwtSecret the config template reads, `token` a static admin token jwt.sh signs with it.
 */
export function installerSecret(_v: KsVersion, jwtSecret: string): KubeObject {
  const token = signHS256(
    { email: 'admin@kubesphere.io', username: 'admin', token_type: 'static_token' },
    jwtSecret,
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'kubesphere-secret', namespace: 'kubesphere-system' },
    type: 'Opaque',
    data: { secret: b64(jwtSecret), token: b64(token) },
  };
}

export function secretValue(secret: KubeObject | undefined, key: string): string | undefined {
  const data = secret?.data as Record<string, string> | undefined;
  return data?.[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString('utf8');
}
