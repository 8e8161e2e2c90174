import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Per-cluster CA and serving certificate, built with a minimal DER encoder so the sandbox needs neither openssl
 * nor a dependency. ECDSA P-256 keeps generation around a millisecond per key.
 */
export interface ClusterPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

// --- DER: only the types an X.509 v3 certificate needs ------------------------------------------------------

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else if (n < 0x10000) len = Buffer.from([0x82, n >> 8, n & 0xff]);
  else throw new Error(`DER content too long: ${n}`);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...items: Buffer[]): Buffer => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => der(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => der(0x04, b);
const bitString = (b: Buffer, unusedBits = 0): Buffer =>
  der(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
const bool = (v: boolean): Buffer => der(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string): Buffer => der(0x0c, Buffer.from(s, 'utf8'));
/** Context-specific tag: constructed for EXPLICIT wrappers, primitive for IMPLICIT values. */
const ctx = (n: number, content: Buffer, constructed: boolean): Buffer =>
  der((constructed ? 0xa0 : 0x80) | n, content);

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return der(0x02, b);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return der(0x06, Buffer.from(out));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime after. */
function time(d: Date): Buffer {
  const iso = d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}

// --- X.509 -------------------------------------------------------------------------------------------------

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** O (when given) then CN, the order Go's pkix.Name writes them. */
const name = (cn: string, o?: string): Buffer =>
  seq(...(o ? [set(seq(oid('2.5.4.10'), utf8(o)))] : []), set(seq(oid('2.5.4.3'), utf8(cn))));

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** SHA-1 of the subjectPublicKey bits, RFC 5280 method 1; lets verifiers match issuer to subject. */
function keyId(spki: Buffer): Buffer {
  // An EC P-256 SPKI ends with the 65-byte uncompressed point.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

interface CertSpec {
  subject: string;
  subjectOrg?: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerKeyId: Buffer;
  extensions: Buffer[];
  notBefore: Date;
  notAfter: Date;
}

function certificate(spec: CertSpec): Buffer {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const tbs = seq(
    ctx(0, integer(Buffer.from([2])), true),
    integer(serial),
    ECDSA_WITH_SHA256,
    name(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject, spec.subjectOrg),
    spki,
    ctx(
      3,
      seq(
        ...spec.extensions,
        extension('2.5.29.14', false, octets(keyId(spki))),
        extension('2.5.29.35', false, seq(ctx(0, spec.issuerKeyId, false))),
      ),
      true,
    ),
  );
  const signature = sign('sha256', tbs, { key: spec.signingKey, dsaEncoding: 'der' });
  return seq(tbs, ECDSA_WITH_SHA256, bitString(signature));
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const newKey = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

interface Ca {
  key: ReturnType<typeof newKey>;
  name: string;
  keyId: Buffer;
  certPem: string;
}

function newCa(caName: string, notBefore: Date, now: Date): Ca {
  const key = newKey();
  const caKeyId = keyId(key.publicKey.export({ type: 'spki', format: 'der' }));
  const cert = certificate({
    subject: caName,
    issuer: caName,
    publicKey: key.publicKey,
    signingKey: key.privateKey,
    issuerKeyId: caKeyId,
    notBefore,
    notAfter: new Date(now.getTime() + 10 * 365 * 86400_000),
    extensions: [
      extension('2.5.29.19', true, seq(bool(true))),
      // keyCertSign (bit 5) | cRLSign (bit 6): 0b0000_0110, one unused trailing bit.
      extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)),
    ],
  });
  return { key, name: caName, keyId: caKeyId, certPem: pem('CERTIFICATE', cert) };
}

// digitalSignature (bit 0): 0b1000_0000, seven unused trailing bits.
const DIGITAL_SIGNATURE = extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7));

/**
 * A new CA named `<caName>-ca` and a leaf certificate it signed, valid a year, for `extKeyUsage`
 * (serverAuth or clientAuth). Backdated an hour to tolerate clock skew, as kubeadm does.
 */
function caAndLeaf(
  caName: string,
  leaf: { subject: string; subjectOrg?: string; extKeyUsage: string; extra?: Buffer[] },
  now: Date,
): { ca: Ca; certPem: string; keyPem: string } {
  const notBefore = new Date(now.getTime() - 3600_000);
  const ca = newCa(`${caName}-ca`, notBefore, now);
  const key = newKey();
  const cert = certificate({
    subject: leaf.subject,
    ...(leaf.subjectOrg ? { subjectOrg: leaf.subjectOrg } : {}),
    issuer: ca.name,
    publicKey: key.publicKey,
    signingKey: ca.key.privateKey,
    issuerKeyId: ca.keyId,
    notBefore,
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    extensions: [
      extension('2.5.29.19', true, seq()),
      DIGITAL_SIGNATURE,
      extension('2.5.29.37', false, seq(oid(leaf.extKeyUsage))),
      ...(leaf.extra ?? []),
    ],
  });
  return {
    ca,
    certPem: pem('CERTIFICATE', cert),
    keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** A CA named `<commonName>-ca` and a serving certificate for 127.0.0.1 and localhost signed by it. */
export function createClusterPki(commonName: string, now: Date = new Date()): ClusterPki {
  const { ca, certPem, keyPem } = caAndLeaf(
    commonName,
    {
      subject: commonName,
      extKeyUsage: '1.3.6.1.5.5.7.3.1',
      extra: [
        extension(
          '2.5.29.17',
          false,
          seq(ctx(7, Buffer.from([127, 0, 0, 1]), false), ctx(2, Buffer.from('localhost'), false)),
        ),
      ],
    },
    now,
  );
  return { caCertPem: ca.certPem, serverCertPem: certPem, serverKeyPem: keyPem };
}

export interface ClientPki {
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

/** A CA named `<caName>-ca` and a client certificate it signed (CN, O), as a kubeconfig user carries them. */
export function createClientPki(
  caName: string,
  client: { commonName: string; organization?: string },
  now: Date = new Date(),
): ClientPki {
  const { ca, certPem, keyPem } = caAndLeaf(
    caName,
    {
      subject: client.commonName,
      ...(client.organization ? { subjectOrg: client.organization } : {}),
      extKeyUsage: '1.3.6.1.5.5.7.3.2',
    },
    now,
  );
  return { caCertPem: ca.certPem, clientCertPem: certPem, clientKeyPem: keyPem };
}
