/**
 * The 4.x host's cluster controller reinstalls ks-core on a member when the FNV-1a 64 hash of the Cluster's
 * `spec.config` differs from this annotation (kubesphere v4.1.3 pkg/controller/cluster/helper.go configChanged,
 * pkg/utils/hashutil/hashutil.go FNVString, pkg/constants/constants.go ConfigHashAnnotation).
 */
export const CONFIG_HASH_ANNOTATION = 'kubesphere.io/config-hash';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** Go's `hex.EncodeToString(fnv.New64a().Sum(text))`: 16 lowercase hex digits. */
export function fnv64aHex(bytes: Uint8Array): string {
  let h = OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  return h.toString(16).padStart(16, '0');
}

/** `spec.config` is a Go []byte, so JSON carries it in base64; absent is nil (the hash of no bytes). */
export function clusterConfigHash(specConfigB64: unknown): string {
  const bytes = typeof specConfigB64 === 'string' ? Buffer.from(specConfigB64, 'base64') : Buffer.alloc(0);
  return fnv64aHex(bytes);
}
