#!/usr/bin/env node
// node scripts/krew-manifest.mjs [--tarball ks-restore-X.tgz] [--uri URL] [--homepage URL] [--out FILE]
// Writes the krew plugin manifest (ks-restore.yaml) for the npm tarball: krew downloads `uri`, checks its
// sha256, unpacks it and links `kubectl-ks_restore` to the bin. The npm tarball is a complete plugin archive
// (the bundle carries every dependency), so the one published to the registry is the one to point at.
// Without --tarball, `npm pack` makes one (building first) in a temporary directory.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The manifest as YAML text; pure, so tests can check it. */
export function krewManifest({ version, homepage, uri, sha256 }) {
  const q = (s) => JSON.stringify(s); // a JSON string is a YAML string
  return `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: ks-restore
spec:
  version: ${q(`v${version}`)}
  homepage: ${q(homepage)}
  shortDescription: ${q("Fix KubeSphere members that reject the host's tokens")}
  description: |
    Diagnoses and repairs the KubeSphere multi-cluster failure where the host
    cluster's console cannot open a member cluster (it keeps returning to the
    login page) because the member's ks-apiserver rejects the host's tokens:
    "token not found in cache" or "signature is invalid". It compares the
    clusters' jwtSecrets by fingerprint (never printing them), sets
    accessTokenMaxAge on the member, restarts ks-apiserver (ks-agent on 4.x),
    waits for the rollout and verifies, with a backup and a rollback command.
    KubeSphere 3.0 to 4.x.
  caveats: |
    ks-restore is a Node.js program: it needs node >= 20.19 on your PATH.
    It uses your kubeconfig as kubectl does (--kubeconfig, KUBECONFIG, --context).
    Start with a read-only check:  kubectl ks-restore diagnose --context HOST
    Shell completion of kubectl ks-restore (kubectl >= 1.26) needs kubectl_complete-ks_restore
    on your PATH, which krew does not install (kubernetes-sigs/krew#812):
      ln -s ~/.krew/store/ks-restore/v${version}/package/bin/kubectl_complete-ks_restore.cjs \\
        ~/.krew/bin/kubectl_complete-ks_restore
  platforms:
    # Windows is left out: krew runs only .exe entrypoints there (kubernetes-sigs/krew#131).
    - selector:
        matchExpressions:
          - key: os
            operator: In
            values: [darwin, linux]
      uri: ${q(uri)}
      sha256: ${q(sha256)}
      # npm tarballs keep everything under package/; no files list: krew extracts all of it.
      bin: package/bin/kubectl-ks_restore.cjs
`;
}

function packTarball(root) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ks-restore-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return path.join(dir, JSON.parse(out)[0].filename);
}

async function cli() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const { values } = parseArgs({
    options: {
      tarball: { type: 'string' },
      uri: { type: 'string' },
      homepage: { type: 'string' },
      out: { type: 'string', default: 'ks-restore.yaml' },
    },
  });
  const tarball = values.tarball ?? packTarball(root);
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const manifest = krewManifest({
    version: pkg.version,
    homepage: values.homepage ?? pkg.homepage ?? `https://www.npmjs.com/package/${pkg.name}`,
    uri: values.uri ?? `https://registry.npmjs.org/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`,
    sha256,
  });
  writeFileSync(values.out, manifest);
  process.stderr.write(
    `wrote ${values.out} for ${path.basename(tarball)} (sha256 ${sha256}).\n` +
      'Publish exactly this tarball (npm publish <tgz>) so the registry serves the same bytes; try it with\n' +
      `kubectl krew install --manifest=${values.out} --archive=${tarball}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await cli();
