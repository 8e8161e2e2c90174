import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import type { BackupManifest, BackupMember, BackupObject } from './backup.js';

export interface LoadedBackup {
  dir: string;
  manifest: BackupManifest;
  objects: Map<string, ObjectJson>;
}

const TARGETS: readonly string[] = ['configmap', 'secret', 'clusterconfiguration'];

/**
 * Reads a backup directory (or its manifest.json) for rollback. The manifest is input like any other: each
 * file it lists must be a plain file directly in the directory, and no error quotes what a file contains.
 */
export async function readBackup(p: string): Promise<LoadedBackup> {
  const dir = path.resolve(path.basename(p) === 'manifest.json' ? path.dirname(p) : p);
  const manifestPath = path.join(dir, 'manifest.json');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as BackupManifest;
  } catch (err) {
    const entries = await readdir(dir).catch(() => undefined);
    throw new UsageError(
      `cannot read the backup at ${dir}: ${entries ? 'it has no readable manifest.json' : ((err as NodeJS.ErrnoException).code ?? 'unreadable')}.`,
      'Pass the directory that repair printed ("backup: …"), e.g. --backup ~/.local/state/ks-restore/backups/20261128T171248Z.',
    );
  }
  if (manifest?.kind !== 'ks-restore-backup' || manifest.version !== 1) {
    throw new UsageError(
      `${dir} is not a ks-restore backup (manifest kind/version unknown).`,
      'Pass a directory created by ks-restore repair.',
    );
  }
  if (!Array.isArray(manifest.members) || !manifest.members.every(wellFormedMember)) {
    throw new UsageError(
      `${manifestPath} is damaged: its members or objects are not as ks-restore repair writes them.`,
      'Pass a backup directory created by ks-restore repair, unmodified.',
    );
  }
  const objects = new Map<string, ObjectJson>();
  for (const m of manifest.members) {
    for (const o of m.objects) objects.set(o.file, await readObject(dir, manifestPath, m, o));
  }
  return { dir, manifest, objects };
}

async function readObject(
  dir: string,
  manifestPath: string,
  m: BackupMember,
  o: BackupObject,
): Promise<ObjectJson> {
  const entry = `the entry for ${o.target}/${o.name} on "${m.context}" in ${manifestPath}`;
  const plain = o.file !== '' && o.file === path.basename(o.file) && o.file !== '.' && o.file !== '..';
  if (!plain || o.file === 'manifest.json' || o.file.includes('\\')) {
    throw new UsageError(
      `${entry} names the file ${JSON.stringify(o.file)}, which is not a file of the backup directory ${dir}; refusing to read it.`,
      'The manifest was edited or is not from ks-restore repair: restore from the files in the backup directory by hand.',
    );
  }
  const file = path.join(dir, o.file);
  const st = await lstat(file).catch(() => undefined);
  if (!st || !st.isFile()) {
    throw new UsageError(
      st
        ? `${entry} names ${o.file}, which is not a regular file (a link or a directory); refusing to read it.`
        : `the backup lacks ${o.file} (${entry}).`,
      'The backup directory is incomplete or was changed; restore from what is there by hand.',
    );
  }
  let obj: unknown;
  try {
    obj = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // JSON.parse's message quotes the text it choked on: never repeat it.
    throw new UsageError(
      `${file} (${entry}) is not a JSON object as repair saved it.`,
      'The backup directory was changed; restore from what is there by hand.',
    );
  }
  const meta = (obj as ObjectJson | null)?.metadata;
  if (typeof obj !== 'object' || obj === null || typeof meta !== 'object' || meta === null) {
    throw new UsageError(
      `${file} (${entry}) is not a Kubernetes object as repair saved it.`,
      'The backup directory was changed; restore from what is there by hand.',
    );
  }
  return obj as ObjectJson;
}

function wellFormedMember(m: unknown): m is BackupMember {
  const x = m as Partial<BackupMember> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.context === 'string' &&
    typeof x.server === 'string' &&
    Array.isArray(x.objects) &&
    x.objects.every(
      (o: Partial<BackupObject> | null) =>
        typeof o === 'object' &&
        o !== null &&
        typeof o.file === 'string' &&
        typeof o.name === 'string' &&
        typeof o.namespace === 'string' &&
        TARGETS.includes(String(o.target)),
    )
  );
}
