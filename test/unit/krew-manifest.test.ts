import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats: string;
    platforms: {
      selector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
      uri: string;
      sha256: string;
      bin: string;
      files?: unknown;
    }[];
  };
}

describe('scripts/krew-manifest.mjs', () => {
  it('writes a krew v1alpha2 Plugin for the tarball: version with v, its sha256, the kubectl-ks_restore bin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksr-krew-'));
    try {
      const tgz = join(dir, 'ks-restore-0.0.0.tgz');
      writeFileSync(tgz, 'not really a tarball');
      const out = join(dir, 'ks-restore.yaml');
      execFileSync(process.execPath, [resolve('scripts/krew-manifest.mjs'), '--tarball', tgz, '--out', out], {
        stdio: 'pipe',
      });
      const m = yaml.load(readFileSync(out, 'utf8')) as Manifest;
      const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
        version: string;
        bin: Record<string, string>;
      };
      expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
      expect(m.kind).toBe('Plugin');
      expect(m.metadata.name).toBe('ks-restore'); // krew links it as kubectl-ks_restore
      expect(m.spec.version).toBe(`v${pkg.version}`);
      expect(m.spec.shortDescription.length).toBeLessThanOrEqual(60);
      expect(m.spec.description.length).toBeGreaterThan(0);
      expect(m.spec.caveats).toMatch(/node/);
      const [p, ...others] = m.spec.platforms;
      expect(others).toEqual([]);
      expect(p!.selector.matchExpressions).toEqual([
        { key: 'os', operator: 'In', values: ['darwin', 'linux'] },
      ]);
      expect(p!.sha256).toBe(createHash('sha256').update('not really a tarball').digest('hex'));
      expect(p!.uri).toBe(`https://registry.npmjs.org/ks-restore/-/ks-restore-${pkg.version}.tgz`);
      // npm tarballs hold everything under package/
      expect(p!.bin).toBe(`package/${pkg.bin['kubectl-ks_restore']}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
