import { chmod, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { WriteTarget } from '../kubesphere/repair/plan.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import { fsFailure, makeDirChain, overwriteInPlace, removeDirs, writeFileAtomic } from './backup-fs.js';

/**
 * Backups hold the objects as fetched, so they hold a jwtSecret: directory 0700, files 0600, created with
 * that mode (never chmod'ed after being written world-readable).
 */
export interface BackupObject {
  target: WriteTarget;
  namespace: string;
  name: string;
  file: string;
  /** resourceVersion as fetched, and as we left it: rollback refuses when it changed again since. */
  resourceVersionBefore: string | null;
  resourceVersionAfter: string | null;
}

export interface BackupMember {
  context: string;
  server: string;
  /** Reached through the kubeconfig the host stores for it (--use-host-credentials), not a local context. */
  via?: { hostContext: string; cluster: string };
  restart: { namespace: string; name: string } | null;
  objects: BackupObject[];
}

export interface MemberRef {
  context: string;
  server: string;
  restart?: { namespace: string; name: string };
  via?: { hostContext: string; cluster: string };
}

export interface BackupManifest {
  kind: 'ks-restore-backup';
  version: 1;
  createdAt: string;
  members: BackupMember[];
}

export function defaultBackupRoot(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'ks-restore', 'backups');
}

export class Backup {
  private constructor(
    readonly dir: string,
    /** Directories this backup created (parents included): removed again if the backup cannot be completed. */
    private readonly created: string[],
    private readonly manifest: BackupManifest,
  ) {}

  /**
   * Creates `root` as needed and a new directory in it. Any failure is a usage error (exit 2) and leaves
   * nothing behind: it happens before the first write to a cluster.
   */
  static async create(root: string, now: Date): Promise<Backup> {
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    let created: string[];
    try {
      created = await makeDirChain(root);
    } catch (err) {
      throw backupError('create the backup directory', root, err);
    }
    let dir = path.join(root, stamp);
    for (let i = 2; ; i++) {
      try {
        await mkdir(dir, { mode: 0o700 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 50) {
          await removeDirs(created);
          throw backupError('create a backup directory under', root, err);
        }
        dir = path.join(root, `${stamp}-${i}`);
      }
    }
    const backup = new Backup(dir, [...created, dir], {
      kind: 'ks-restore-backup',
      version: 1,
      createdAt: now.toISOString(),
      members: [],
    });
    try {
      // mkdir's mode is filtered by the umask; 0700 whatever the umask.
      await chmod(dir, 0o700);
      await backup.flush();
    } catch (err) {
      throw await backup.discard('write the backup in', err);
    }
    return backup;
  }

  /**
   * Saves an object before it is written; call once per object, before the first write of the run. A failure
   * (disk full, …) removes the whole backup and is a usage error: nothing has been changed yet.
   */
  async save(member: MemberRef, target: WriteTarget, obj: ObjectJson): Promise<void> {
    const m = this.member(member);
    const file = `${safe(member.context)}-${target}-${safe(obj.metadata.name ?? '')}.json`;
    try {
      await writeFileAtomic(path.join(this.dir, file), `${JSON.stringify(obj, null, 2)}\n`);
    } catch (err) {
      throw await this.discard('write the backup in', err);
    }
    m.objects.push({
      target,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      file,
      resourceVersionBefore: obj.metadata.resourceVersion ?? null,
      resourceVersionAfter: null,
    });
    try {
      await this.flush();
    } catch (err) {
      throw await this.discard('write the backup in', err);
    }
  }

  async recordWritten(
    context: string,
    target: WriteTarget,
    resourceVersion: string | undefined,
  ): Promise<void> {
    const obj = this.manifest.members
      .find((m) => m.context === context)
      ?.objects.find((o) => o.target === target);
    if (obj) obj.resourceVersionAfter = resourceVersion ?? null;
    // The object was written: rollback needs this record. On a full disk the manifest is rewritten in place,
    // in the blocks it already has, rather than lose it.
    const text = this.manifestText();
    const file = path.join(this.dir, 'manifest.json');
    try {
      await writeFileAtomic(file, text);
    } catch {
      try {
        await overwriteInPlace(file, text);
      } catch (err) {
        throw new UsageError(
          `cannot record in the backup manifest ${file} that ${target} was written: ${fsFailure(file, err).reason}.`,
          `Rollback will not know this object was changed: restore it by hand from ${this.dir} if needed.`,
        );
      }
    }
  }

  /** Removes this incomplete backup (it holds secrets and cannot be rolled back to) and says what failed. */
  private async discard(what: string, err: unknown): Promise<UsageError> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    await removeDirs(this.created.filter((d) => d !== this.dir));
    return backupError(what, this.dir, err);
  }

  private member(member: MemberRef): BackupMember {
    let m = this.manifest.members.find((x) => x.context === member.context);
    if (!m) {
      m = {
        context: member.context,
        server: member.server,
        ...(member.via ? { via: member.via } : {}),
        restart: member.restart ?? null,
        objects: [],
      };
      this.manifest.members.push(m);
    }
    return m;
  }

  private manifestText(): string {
    return `${JSON.stringify(this.manifest, null, 2)}\n`;
  }

  private async flush(): Promise<void> {
    await writeFileAtomic(path.join(this.dir, 'manifest.json'), this.manifestText());
  }
}

export { readBackup, type LoadedBackup } from './backup-read.js';

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function backupError(what: string, p: string, err: unknown): UsageError {
  const f = fsFailure(p, err);
  return new UsageError(
    `cannot ${what} ${p}: ${f.path === p ? f.reason : `${f.path}: ${f.reason}`}. Nothing was changed on any cluster, and no partial backup was left.`,
    'Choose another place with --backup-dir DIR: a writable directory on a local disk with free space.',
  );
}
