import { mkdtemp, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
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
});
