import { suggestCommand } from '../output/program.js';

/**
 * What this process has changed on clusters so far, kept as it happens so that an interruption, or a failure
 * no step reported, can still say what was changed and how to undo it. A write counts from the moment it is
 * sent: a reply that never came may hide a write that was applied.
 */
export interface JournalEntry {
  context: string;
  /** e.g. `configmap/kubesphere-config (kubesphere-system)`, `deployment/ks-apiserver restart` */
  target: string;
  state: 'sent' | 'done' | 'failed';
}

export class ChangeJournal {
  readonly entries: JournalEntry[] = [];
  /** The backup that undoes these changes, once it exists. */
  backupDir: string | undefined;
  /** How the undo command is spelled for this journal's changes (repair: rollback; rollback: repair). */
  undo: ((backupDir: string) => string) | undefined = (dir) => suggestCommand(['rollback', '--backup', dir]);

  /** Records a write about to be sent; call `settle` with the returned entry when its answer is known. */
  sending(context: string, target: string): JournalEntry {
    const e: JournalEntry = { context, target, state: 'sent' };
    this.entries.push(e);
    return e;
  }

  settle(e: JournalEntry, ok: boolean): void {
    // A failed write that was a conflict or a refusal changed nothing; the caller says so with ok=false only
    // when the server answered. A write with no answer stays 'sent': it may have been applied.
    e.state = ok ? 'done' : 'failed';
  }

  /** True when something was, or may have been, changed. */
  get changed(): boolean {
    return this.entries.some((e) => e.state !== 'failed');
  }

  /** Lines for a person: what was (or may have been) changed, then how to undo it. */
  describe(): string[] {
    const lines: string[] = [];
    for (const e of this.entries) {
      if (e.state === 'failed') continue;
      lines.push(
        `  ${e.context}: ${e.target}${e.state === 'sent' ? ' (sent; no answer, may have been applied)' : ''}`,
      );
    }
    if (lines.length === 0) return ['Nothing was changed.'];
    const head = 'Changes made so far:';
    const undo = this.backupDir && this.undo ? [`Undo with: ${this.undo(this.backupDir)}`] : [];
    return [head, ...lines, ...undo];
  }
}

/** The journal of the command this process runs (one command per process). */
export const journal = new ChangeJournal();
