import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClusterPki } from '../../src/sandbox/pki.js';

describe('createClusterPki', () => {
  const pki = createClusterPki('member-1');
  const ca = new X509Certificate(pki.caCertPem);
  const server = new X509Certificate(pki.serverCertPem);

  it('makes a CA and a server certificate signed by it', () => {
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subject).toBe('CN=member-1');
  });

  it('covers 127.0.0.1 and localhost for server auth', () => {
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(server.validFrom).getTime()).toBeLessThan(Date.now());
  });

  it('makes a fresh CA per cluster', () => {
    const other = new X509Certificate(createClusterPki('member-2').caCertPem);
    expect(server.verify(other.publicKey)).toBe(false);
  });

  // How fast is the benchmark's business (npm run bench starts 50-member sandboxes), not a timed test's.
  it('gives each of 51 clusters a CA of its own', () => {
    const cas = Array.from({ length: 51 }, (_, i) => createClusterPki(`c${i}`).caCertPem);
    expect(new Set(cas).size).toBe(51);
  });

  it('passes a TLS handshake that verifies against the CA', async () => {
    const srv = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (_req, res) =>
      res.end('ok'),
    );
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca: pki.caCertPem }, (res) => {
          res.setEncoding('utf8');
          let data = '';
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve(data));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      srv.close();
    }
  });

  const openssl = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));
  it.skipIf(!openssl)('verifies with openssl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-pki-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), pki.caCertPem);
      writeFileSync(join(dir, 'server.pem'), pki.serverCertPem);
      const out = execFileSync(
        openssl!,
        ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')],
        {
          encoding: 'utf8',
        },
      );
      expect(out).toContain(': OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
