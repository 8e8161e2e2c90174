import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Backup, readBackup } from '../../src/repair/backup.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: 'kubesphere-system', resourceVersion: '42' },
  data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: "not-a-real-secret"\n' },
};

describe('Backup', () => {
  it('writes private files (dir 0700, files 0600) and reads them back as fetched', async () => {
    const root = path.join(await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-')), 'nested', 'backups');
    const b = await Backup.create(root, new Date('2026-11-28T17:12:48.123Z'));
    await b.save(
      {
        context: 'member',
        server: 'https://127.0.0.1:1',
        restart: { namespace: 'kubesphere-system', name: 'ks-apiserver' },
      },
      'configmap',
      cm,
    );
    await b.recordWritten('member', 'configmap', '43');
    expect(path.basename(b.dir)).toBe('20261128T171248Z');
    expect((await stat(b.dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(b.dir)) expect((await stat(path.join(b.dir, f))).mode & 0o777).toBe(0o600);
    const loaded = await readBackup(b.dir);
    const member = loaded.manifest.members[0]!;
    expect(member.restart).toEqual({ namespace: 'kubesphere-system', name: 'ks-apiserver' });
    expect(member.objects[0]).toMatchObject({
      target: 'configmap',
      resourceVersionBefore: '42',
      resourceVersionAfter: '43',
    });
    expect(loaded.objects.get(member.objects[0]!.file)).toEqual(cm);
  });

  it('never reuses a directory of the same second', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const now = new Date('2026-11-28T17:12:48Z');
    const a = await Backup.create(root, now);
    const b = await Backup.create(root, now);
    expect(a.dir).not.toBe(b.dir);
  });

  it('rejects a directory that is not a backup with a usage error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    await expect(readBackup(dir)).rejects.toBeInstanceOf(UsageError);
    await mkdir(path.join(dir, 'x'));
    await writeFile(path.join(dir, 'x', 'manifest.json'), '{"kind":"other"}');
    await expect(readBackup(path.join(dir, 'x'))).rejects.toBeInstanceOf(UsageError);
  });

  it('leaves no temp file behind after writing', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(root, new Date());
    await b.save({ context: 'member', server: 'https://127.0.0.1:1' }, 'configmap', cm);
    await b.recordWritten('member', 'configmap', '43');
    expect((await readdir(b.dir)).sort()).toEqual([
      'manifest.json',
      'member-configmap-kubesphere-config.json',
    ]);
  });
});

describe('Backup.create and save refuse a place they cannot use: a usage error naming it, nothing left behind', () => {
  const member = { context: 'member', server: 'https://127.0.0.1:1' };

  it.each([
    ['a path under a regular file (ENOTDIR)', (file: string) => path.join(file, 'backups')],
    ['a regular file', (file: string) => file],
  ])('%s', async (_name, place) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const file = path.join(tmp, 'not-a-dir');
    await writeFile(file, 'x');
    const root = place(file);
    const err = await Backup.create(root, new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(root);
    expect((err as UsageError).hint).toContain('--backup-dir');
    expect(await readdir(tmp)).toEqual(['not-a-dir']);
  });

  // Node 20's mkdir({ recursive: true }) never returns on procfs: these must fail fast, not hang.
  it
    .runIf(process.platform === 'linux' && existsSync('/proc/self'))
    .each([
      '/proc/self/ks-restore-x',
      '/proc/1/x',
      '/proc/self/ks-restore-x/deeper/still',
      '/sys/ks-restore-x',
    ])(
    '%s (a kernel pseudo-file-system) fails within a second',
    async (root) => {
      const started = Date.now();
      const err = await Backup.create(root, new Date()).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain(root);
    },
    5000,
  );

  it('a file that cannot be written removes the whole backup and the directories it created', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(path.join(tmp, 'a', 'b'), new Date());
    await b.save(member, 'secret', {
      ...cm,
      kind: 'Secret',
      metadata: { ...cm.metadata, name: 'kubesphere-secret' },
    });
    // A name longer than a file name may be (ENAMETOOLONG): a real write failure, as a full disk would be.
    const long = { ...cm, metadata: { ...cm.metadata, name: 'n'.repeat(300) } };
    const err = await b.save(member, 'configmap', long).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(b.dir);
    expect(existsSync(b.dir)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('readBackup takes the manifest as untrusted input', () => {
  const MARKER = 'CONTENT-OF-A-FILE-OUTSIDE';

  async function backupWith(file: string, setup?: (dir: string) => Promise<void>) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    await writeFile(path.join(tmp, 'outside.json'), `${MARKER}\n`);
    const b = await Backup.create(path.join(tmp, 'backups'), new Date());
    await b.save({ context: 'member', server: 'https://127.0.0.1:1' }, 'configmap', cm);
    const manifestPath = path.join(b.dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.members[0].objects[0].file = file.replace('$TMP', tmp);
    await writeFile(manifestPath, JSON.stringify(manifest));
    await setup?.(b.dir);
    return { dir: b.dir, manifestPath };
  }

  it.each([
    ['a path with ..', '../../outside.json', undefined],
    ['an absolute path', '$TMP/outside.json', undefined],
    ['a sub-directory', 'sub/x.json', undefined],
    [
      'a symbolic link out of the directory',
      'link.json',
      (dir: string) => symlink(path.join(dir, '..', '..', 'outside.json'), path.join(dir, 'link.json')),
    ],
    [
      'a listed file that is not JSON',
      'garbled.json',
      (dir: string) => writeFile(path.join(dir, 'garbled.json'), `${MARKER}\n`),
    ],
  ])('%s: a usage error naming the entry, never quoting the file', async (_name, file, setup) => {
    const { dir, manifestPath } = await backupWith(file, setup);
    const err = await readBackup(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const text = `${(err as UsageError).message} ${(err as UsageError).hint}`;
    expect(text).toContain(manifestPath);
    expect(text).not.toContain(MARKER);
  });

  it('a manifest whose objects are not a list is a usage error, not a crash', async () => {
    const { dir, manifestPath } = await backupWith('x.json');
    await writeFile(
      manifestPath,
      JSON.stringify({ kind: 'ks-restore-backup', version: 1, members: [{ context: 'm' }] }),
    );
    await expect(readBackup(dir)).rejects.toBeInstanceOf(UsageError);
  });
});
