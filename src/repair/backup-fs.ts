import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rmdir, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file-system side of backups: directories created one component at a time, files written whole or not at
 * all. Every failure is a BackupFsError naming the path; the caller turns it into a usage error (exit 2).
 */
export class BackupFsError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly code: string | undefined,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Kernel pseudo-file-systems (statfs f_type): nothing can be stored there, and Node's recursive mkdir spins on procfs. */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x1cd1: 'devpts',
  0xcafe4a11: 'bpf',
  0x62656570: 'configfs',
  0x6165676c: 'pstore',
  0xde5e81e4: 'efivarfs',
};

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
  EIO: 'input/output error',
};

export function fsFailure(p: string, err: unknown): BackupFsError {
  if (err instanceof BackupFsError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new BackupFsError(p, (code && REASONS[code]) ?? code ?? String(err), code);
}

/**
 * Creates `dir` and any missing parents (mode 0700), returning those it created, top-down. Never uses
 * `mkdir({ recursive: true })`: on procfs it never returns (Node 20). The nearest existing ancestor must be a
 * directory on a real file system.
 */
export async function makeDirChain(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let p = path.resolve(dir);
  for (;;) {
    try {
      const st = await stat(p);
      if (!st.isDirectory()) throw new BackupFsError(p, 'it is a file, not a directory', 'ENOTDIR');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(p) === p) throw fsFailure(p, err);
      missing.unshift(p);
      p = path.dirname(p);
    }
  }
  const fsType = await statfs(p).then(
    (s) => PSEUDO_FS[Number(s.type)],
    () => undefined,
  );
  if (fsType) throw new BackupFsError(p, `it is on the kernel's ${fsType} file system`, 'EPSEUDOFS');
  const created: string[] = [];
  try {
    for (const d of missing) {
      try {
        await mkdir(d, { mode: 0o700 });
        created.push(d);
      } catch (err) {
        // Someone else created it meanwhile: fine if it is a directory.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isDir(d))) throw fsFailure(d, err);
      }
    }
  } catch (err) {
    await removeDirs(created);
    throw err;
  }
  return created;
}

/** Removes directories we created, deepest first, only if empty (rmdir never deletes someone's files). */
export async function removeDirs(created: readonly string[]): Promise<void> {
  for (const d of [...created].reverse()) await rmdir(d).catch(() => undefined);
}

/**
 * Writes a private file (0600 from creation) whole or not at all: a temp file in the same directory, fsync,
 * rename over the target. On failure the temp file is removed and the old target, if any, is untouched.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    created = true;
    try {
      await fh.chmod(0o600);
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    created = false;
    await syncDir(path.dirname(file));
  } catch (err) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw fsFailure(file, err);
  }
}

/**
 * Overwrites an existing file in place: on a full disk it reuses the blocks the file already has, where a
 * temp file would need new ones. Only for small rewrites of a file that grew little (the manifest).
 */
export async function overwriteInPlace(file: string, text: string): Promise<void> {
  try {
    const fh = await open(file, 'r+');
    try {
      const buf = Buffer.from(text, 'utf8');
      await fh.write(buf, 0, buf.length, 0);
      await fh.truncate(buf.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw fsFailure(file, err);
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some file systems refuse fsync on a directory, which is not worth failing for.
  const fh = await open(dir, 'r').catch(() => undefined);
  await fh
    ?.sync()
    .catch(() => undefined)
    .finally(() => fh.close());
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
