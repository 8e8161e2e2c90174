/**
 * The file-system side of backups (src/repair/backup-fs.ts): what each failure says, directories created one at
 * a time and removed only when empty, private files written whole, and the manifest rewritten in place.
 */
import { existsSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BackupFsError,
  fsFailure,
  makeDirChain,
  overwriteInPlace,
  removeDirs,
  writeFileAtomic,
} from '../../src/repair/backup-fs.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'ksr-fs-'));
const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code });

describe('fsFailure words each system error', () => {
  it.each([
    ['ENOTDIR', 'a part of the path is a file, not a directory'],
    ['EEXIST', 'it exists and is not a directory'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'operation not permitted'],
    ['EROFS', 'the file system is read-only'],
    ['ENOSPC', 'no space left on the device'],
    ['EDQUOT', 'disk quota exceeded'],
    ['ENAMETOOLONG', 'the path is too long'],
    ['ELOOP', 'too many symbolic links in the path'],
    ['EIO', 'input/output error'],
  ])('%s: %s', (code, reason) => {
    const f = fsFailure('/x', errno(code));
    expect(f).toMatchObject({ path: '/x', reason, code, message: `/x: ${reason}` });
  });

  it('an unknown code as itself, an error without one as its text, a BackupFsError unchanged', () => {
    expect(fsFailure('/x', errno('EWEIRD'))).toMatchObject({ reason: 'EWEIRD', code: 'EWEIRD' });
    expect(fsFailure('/x', 'boom')).toMatchObject({ reason: 'boom', code: undefined });
    const own = new BackupFsError('/y', 'why', 'EX');
    expect(fsFailure('/x', own)).toBe(own);
  });
});

describe('makeDirChain and removeDirs', () => {
  it('creates the missing directories top-down, 0700, and returns them; none when all exist', async () => {
    const root = await tmp();
    const dir = path.join(root, 'a', 'b', 'c');
    const created = await makeDirChain(dir);
    expect(created).toEqual([path.join(root, 'a'), path.join(root, 'a', 'b'), dir]);
    for (const d of created) expect((await stat(d)).mode & 0o777).toBe(0o700);
    expect(await makeDirChain(dir)).toEqual([]);
  });

  it('a file on the way is an error naming it', async () => {
    const root = await tmp();
    await writeFile(path.join(root, 'f'), 'x');
    await expect(makeDirChain(path.join(root, 'f'))).rejects.toMatchObject({
      path: path.join(root, 'f'),
      reason: 'it is a file, not a directory',
      code: 'ENOTDIR',
    });
    await expect(makeDirChain(path.join(root, 'f', 'g'))).rejects.toMatchObject({
      path: path.join(root, 'f', 'g'),
      code: 'ENOTDIR',
    });
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))(
    'a kernel pseudo-file-system is refused by name',
    async () => {
      await expect(makeDirChain('/proc/self/ks-restore-x/y')).rejects.toMatchObject({
        reason: "it is on the kernel's proc file system",
        code: 'EPSEUDOFS',
      });
    },
  );

  /** The file system type of `p` as statfs reports it, when `p` exists. */
  const fsType = (p: string): number | undefined => {
    try {
      return Number(statfsSync(p).type);
    } catch {
      return undefined;
    }
  };
  it.each<[string, number, string]>([
    ['/sys', 0x62656572, 'sysfs'],
    ['/dev/pts', 0x1cd1, 'devpts'],
  ])('under %s: refused as the %s file system', async (dir, type, name) => {
    if (fsType(dir) !== type) return; // not mounted here
    await expect(makeDirChain(path.join(dir, 'ks-restore-x'))).rejects.toMatchObject({
      path: dir,
      reason: `it is on the kernel's ${name} file system`,
    });
  });

  it('removes only the directories given, deepest first, and only when empty', async () => {
    const root = await tmp();
    const created = await makeDirChain(path.join(root, 'a', 'b'));
    await removeDirs(created);
    expect(await readdir(root)).toEqual([]);
    const again = await makeDirChain(path.join(root, 'a', 'b'));
    await writeFile(path.join(root, 'a', 'keep'), 'someone else');
    await removeDirs(again);
    expect(await readdir(path.join(root, 'a'))).toEqual(['keep']);
  });
});

describe('writeFileAtomic and overwriteInPlace', () => {
  it('writes a private file whole and leaves no temp file; replaces an old one', async () => {
    const root = await tmp();
    const file = path.join(root, 'm.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(root)).toEqual(['m.json']);
  });

  it('a failure names the file, leaves the old one and no temp file', async () => {
    const root = await tmp();
    const file = path.join(root, 'm.json');
    await writeFileAtomic(file, 'old');
    await mkdir(path.join(root, 'd'));
    // Renaming a file over a directory fails after the temp file was written.
    await expect(writeFileAtomic(path.join(root, 'd'), 'x')).rejects.toMatchObject({
      path: path.join(root, 'd'),
    });
    expect((await readdir(root)).sort()).toEqual(['d', 'm.json']);
    await expect(writeFileAtomic(path.join(root, 'no', 'm.json'), 'x')).rejects.toMatchObject({
      reason: 'ENOENT',
    });
    expect(await readFile(file, 'utf8')).toBe('old');
  });

  it('overwrites in place, shorter text truncating the rest; a missing file is an error naming it', async () => {
    const root = await tmp();
    const file = path.join(root, 'm.json');
    await writeFileAtomic(file, 'a long first version');
    await overwriteInPlace(file, 'short');
    expect(await readFile(file, 'utf8')).toBe('short');
    await expect(overwriteInPlace(path.join(root, 'gone'), 'x')).rejects.toMatchObject({
      path: path.join(root, 'gone'),
      code: 'ENOENT',
    });
  });
});
