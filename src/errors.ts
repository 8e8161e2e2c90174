/** Exit codes: the contract with scripts. Documented in --help and README. */
export const ExitCode = {
  ok: 0,
  /** diagnose found problems; repair --dry-run would change something */
  problems: 1,
  /** bad flags, unknown context, unreadable kubeconfig, refused consent */
  usage: 2,
  /** a cluster could not be read (unreachable, unauthorized, forbidden, not KubeSphere) before any change */
  unreadable: 3,
  /** a change was made and a later step failed, or the rollout did not finish */
  partial: 4,
  /** interrupted by the user (SIGINT) */
  interrupted: 130,
  /** terminated (SIGTERM) */
  terminated: 143,
  /** a bug in ks-restore */
  internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Base of every error ks-restore expects. The message is one paragraph for a person: what went wrong, naming
 * the thing; `hint` is the next step. Never put a secret or a raw HTTP body in either.
 */
export class KsRestoreError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode: ExitCodeValue; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Bad command line or input files: exit 2. */
export class UsageError extends KsRestoreError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, ...(hint === undefined ? {} : { hint }) });
  }
}
