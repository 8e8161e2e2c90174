import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Backup, readBackup } from '../../src/repair/backup.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: 'kubesphere-system', resourceVersion: '42' },
  data: { 'kubesphere.yaml': `authentication:\n  jwtSecret: "not-a-real-secret"\n${'#'.repeat(6000)}\n` },
};
const member = { context: 'member', server: 'https://127.0.0.1:1' };

/** A real full disk: a 64 KiB tmpfs (needs root and mount, as CI has). */
describe('backups on a full disk', () => {
  let tmp: string;
  let disk: string | undefined;
  let why = 'needs root and `mount -t tmpfs` (CI runs as root and runs these)';

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-full-'));
    const dir = path.join(tmp, 'disk');
    await mkdir(dir);
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      disk = dir;
    } catch (err) {
      why = `mount -t tmpfs failed: ${String(err)}`;
    }
  });
  afterEach(async () => {
    if (disk)
      for (const f of await readdir(disk)) await rm(path.join(disk, f), { recursive: true, force: true });
  });
  afterAll(async () => {
    if (disk) execFileSync('umount', [disk]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const fill = async (leavePages: number) => {
    const st = await statfs(disk!);
    const size = Number(st.bavail) * Number(st.bsize) - leavePages * Number(st.bsize);
    await writeFile(path.join(disk!, 'filler'), Buffer.alloc(Math.max(0, size)));
  };

  it('an object that does not fit: a usage error, and no backup file is left', async (ctx) => {
    if (!disk) return ctx.skip(why);
    await fill(2);
    const b = await Backup.create(path.join(disk, 'backups'), new Date());
    const err = await b.save(member, 'configmap', cm).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/no space left/);
    expect(await readdir(disk)).toEqual(['filler']);
  });

  it('the record of a write survives a disk that filled up after the backup was taken', async (ctx) => {
    if (!disk) return ctx.skip(why);
    const b = await Backup.create(path.join(disk, 'backups'), new Date());
    await b.save(member, 'configmap', cm);
    await fill(0);
    // A temp file for the new manifest cannot be written now; rollback still needs to know this write happened.
    await b.recordWritten('member', 'configmap', '43');
    const loaded = await readBackup(b.dir);
    expect(loaded.manifest.members[0]!.objects[0]!.resourceVersionAfter).toBe('43');
    expect((await readdir(b.dir)).sort()).toEqual([
      'manifest.json',
      'member-configmap-kubesphere-config.json',
    ]);
  });
});
