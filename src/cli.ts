import { Argument, Command, CommanderError, Option } from 'commander';
import { ExitCode, KsRestoreError } from './errors.js';
import { DEFAULT_CONCURRENCY } from './kubesphere/checks/concurrency.js';
import { setProgramName } from './output/program.js';
import { terminalSafe } from './output/sanitize.js';
import { journal } from './repair/journal.js';
import { VERSION } from './version.js';

// The same rows as README's exit-code table (a test compares them).
const EXIT_CODES_HELP = `
Exit codes:
  0  healthy; repaired and verified; nothing to do
  1  problems found (diagnose); changes pending (repair --dry-run); a cause repair cannot fix remains
  2  usage or input error: unknown flag or context, unreadable kubeconfig, no consent, role guard
  3  a cluster could not be read (unreachable, unauthorized, forbidden, not KubeSphere); nothing was changed
  4  a change was made and a later step failed, or the rollout did not finish in time: see rollback
  70  internal error (a bug: please report it)
  130/143  interrupted (Ctrl-C / SIGTERM): what was changed so far is printed, with the rollback command`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function hostOption(): Option {
  return new Option('--host <context>', 'kubeconfig context of the host cluster (default: current context)');
}

/** kubectl's flags where users type them: --request-timeout 0, -v=N (the old boolean -v is level 1). */
function requestTimeoutOption(): Option {
  return new Option('--request-timeout <duration>', 'timeout for each API request; 0 means none').default(
    '10s',
  );
}

function withVerbosity(cmd: Command, what: string): Command {
  return cmd
    .option(
      '-v, --verbose [level]',
      `${what}; -v=6 also logs each API request (method, path, status, latency) on stderr`,
    )
    .addOption(new Option('--v <level>', 'kubectl spelling of -v=N').hideHelp());
}

/** Which members, and how to reach them: shared by diagnose and repair. */
function withMemberOptions(cmd: Command): Command {
  return cmd
    .addOption(hostOption())
    .option('--context <context>', "kubectl's name for --host")
    .option(
      '--member <context>',
      'kubeconfig context of a member cluster, or NAME=CONTEXT (repeatable)',
      collect,
      [],
    )
    .option('--all-members', 'discover every member the host has joined (the default without --member)')
    .option('--cluster <name>', 'with discovery: only this member Cluster (repeatable)', collect)
    .option(
      '--use-host-credentials',
      'reach members without a context through the kubeconfig the host stores for them (direct connections; kept in memory only)',
    )
    .option('--concurrency <n>', 'members read at once', String(DEFAULT_CONCURRENCY));
}

function outputOption(extra: string[] = []): Option {
  return new Option('-o, --output <format>', 'output format')
    .choices(['text', 'json', 'yaml', ...extra])
    .default('text');
}

/** How the program was started: `ks-restore`, or `kubectl ks-restore` through the kubectl-ks_restore plugin. */
export interface ProgramOptions {
  name?: string;
}

/** Builds the commander program. Actions import their command lazily so --help stays instant. */
export function buildProgram(options: ProgramOptions = {}): Command {
  const name = options.name ?? 'ks-restore';
  // Examples spelled as the user started the program (`kubectl ks-restore …` under the kubectl plugin).
  const examples = (text: string): string => text.replace(/^( {2})ks-restore /gm, `$1${name} `);
  const program = new Command(name)
    .description(
      "Diagnose and repair KubeSphere multi-cluster token failures: the host console bounces to the login page when opening a member cluster because the member's ks-apiserver rejects the host's tokens.",
    )
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  withVerbosity(
    withMemberOptions(program.command('diagnose')),
    'show evidence for every check, not only for problems',
  )
    .description(
      'find out why the host console cannot open a member cluster, with evidence (changes nothing)',
    )
    .option('--kubeconfig <path>', 'kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--since <duration>', 'read ks-apiserver logs this far back', '1h')
    .option('--tail <lines>', 'read at most this many log lines per container (default: all within --since)')
    // prometheus: text exposition format, for node_exporter's textfile collector or a Pushgateway
    .addOption(outputOption(['prometheus']))
    .addOption(requestTimeoutOption())
    .option('--no-headers', 'fleet summary table without its header row, as kubectl get --no-headers')
    .option('--no-color', 'disable color (also NO_COLOR=1 or TERM=dumb)')
    .addHelpText(
      'after',
      examples(
        '\nWithout --member, every member the host has joined is found from its Cluster objects.\n\nExamples:\n  ks-restore diagnose --host host --member member\n  ks-restore diagnose --member member -o json | jq .members[0].status\n  ks-restore diagnose --context host            # all members (--context is --host)\n  ks-restore diagnose --cluster member-1 -v=6   # one member, each API request on stderr\n  ks-restore diagnose -o prometheus > ks-restore.prom   # metrics for a textfile collector',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { diagnoseCommand } = await import('./commands/diagnose.js');
      process.exitCode = await diagnoseCommand(opts);
    });

  withVerbosity(withMemberOptions(program.command('repair')), 'show retries on stderr')
    .description(
      "fix the member durably: copy the host's jwtSecret, set accessTokenMaxAge to 0s, restart, wait, verify",
    )
    .option('--kubeconfig <path>', 'kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
    .option('-y, --yes', 'apply without asking (required when there is no terminal)')
    .option('--dry-run', 'show the plan and validate it with the API servers (dryRun=All); change nothing')
    .option('--no-restart', 'change the configuration but do not restart ks-apiserver')
    .option('--timeout <duration>', 'how long to wait for the rollout', '5m')
    .option(
      '--backup-dir <dir>',
      'where to save the objects before changing them (default: ~/.local/state/ks-restore/backups)',
    )
    .addOption(outputOption())
    .addOption(requestTimeoutOption())
    .option(
      '--force',
      'override the role guard (set accessTokenMaxAge 0 on a cluster whose member role is not established)',
    )
    .option('--no-color', 'disable color (also NO_COLOR=1 or TERM=dumb)')
    .addHelpText(
      'after',
      examples(
        '\nExamples:\n  ks-restore repair --member member --dry-run\n  ks-restore repair --host host --member member --yes\n  ks-restore repair --context host --yes -o json   # every member that needs it, no prompt',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { repairCommand } = await import('./commands/repair.js');
      process.exitCode = await repairCommand(opts);
    });

  withVerbosity(program.command('rollback'), 'show retries on stderr')
    .description('restore the objects a repair changed, from its backup, then restart and wait')
    .requiredOption('--backup <path>', 'the backup directory that repair printed')
    .option('--kubeconfig <path>', 'kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
    .option('-y, --yes', 'apply without asking (required when there is no terminal)')
    .option(
      '--dry-run',
      'show what would be restored (a masked diff per object) and validate it with the API servers (dryRun=All); change nothing',
    )
    .option('--force', 'restore even where the objects changed again since the repair')
    .option('--timeout <duration>', 'how long to wait for the rollout', '5m')
    .addOption(requestTimeoutOption())
    .addOption(outputOption())
    .option('--no-color', 'disable color (also NO_COLOR=1 or TERM=dumb)')
    .addHelpText(
      'after',
      examples(
        '\nExamples:\n  ks-restore rollback --backup ~/.local/state/ks-restore/backups/<time>-<member> --dry-run\n  ks-restore rollback --backup <dir> --yes     # the command repair printed',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { rollbackCommand } = await import('./commands/rollback.js');
      process.exitCode = await rollbackCommand(opts);
    });

  program
    .command('demo')
    .description(
      'the whole job on simulated clusters: start the sandbox, diagnose, repair --yes, diagnose again',
    )
    .addOption(
      new Option('--ks-version <version>', 'KubeSphere version to simulate')
        .choices(['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'])
        .default('3.4'),
    )
    .option('--scenario <name>', 'fault to simulate (see ks-restore sandbox --list-scenarios)', 'token-cache')
    .option('--no-color', 'disable color (also NO_COLOR=1 or TERM=dumb)')
    .addHelpText(
      'after',
      examples(
        '\nExamples:\n  ks-restore demo\n  ks-restore demo --ks-version 4.1 --scenario secret-mismatch\n  ks-restore demo --ks-version 3.3 --scenario installer-revert',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { demoCommand } = await import('./commands/demo.js');
      process.exitCode = await demoCommand(opts);
    });

  program
    .command('sandbox')
    .description(
      'run simulated KubeSphere host and member clusters on 127.0.0.1 (real HTTPS Kubernetes APIs)',
    )
    .addOption(
      new Option('--ks-version <version>', 'KubeSphere version to simulate')
        .choices(['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'])
        .default('3.4'),
    )
    .option(
      '--scenario <name>',
      'fault to simulate, or "mixed" for a fleet of differing members (see --list-scenarios)',
      'token-cache',
    )
    .option('--list-scenarios', 'list the scenarios and exit')
    .option('--members <n>', 'number of member clusters (default: 1; 8 with --scenario mixed)')
    .option('--kubeconfig <path>', 'write the kubeconfig here (default: a new temp file)')
    .option('--latency <ms>', 'add this delay to every API response', '0')
    .addOption(
      new Option(
        '--control-plane <kind>',
        'embedded: our own API server, needs only Node; real: etcd + kube-apiserver + kube-controller-manager (npm run build:control-plane)',
      )
        .choices(['embedded', 'real'])
        .default('embedded'),
    )
    .option(
      '--fault <rule>',
      'inject a fault: cluster=,method=,path=,nth=,times=,kind=STATUS|reset|hang|stall|truncate|malformed|html|concurrent-edit[,retry-after=S] (repeatable)',
      collect,
    )
    .addHelpText(
      'after',
      examples(
        '\nServes until interrupted (Ctrl-C or SIGTERM), then exits 0.\n\nExamples:\n  ks-restore sandbox --ks-version 4.1 --scenario both\n  ks-restore sandbox --scenario mixed --members 20   # versions, faults, a proxy and an unreachable member\n  ks-restore sandbox --control-plane real             # the same clusters on a real kube-apiserver',
      ),
    )
    .action(async (opts: Record<string, unknown>) => {
      const { sandboxCommand } = await import('./commands/sandbox.js');
      process.exitCode = await sandboxCommand(opts);
    });

  program
    .command('completion')
    .description('print a shell completion script (contexts and Clusters completed from your kubeconfig)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nExamples:\n  source <(ks-restore completion bash)        # in ~/.bashrc\n  source <(ks-restore completion zsh)         # in ~/.zshrc, after compinit\n  ks-restore completion fish | source         # in ~/.config/fish/config.fish',
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionCommand } = await import('./commands/completion.js');
      process.exitCode = completionCommand(shell);
    });

  return program;
}

/** The one error boundary: the only place that prints errors and sets the exit code. */
export async function main(argv: string[], options: ProgramOptions = {}): Promise<void> {
  // `ks-restore diagnose | head`: the reader went away; stop quietly as other Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  // Last resort: every request settles (src/kube/exchange.ts), but should anything ever leave the command
  // waiting on nothing, Node would exit 13 without a word. Say what was changed instead, and how to undo it.
  let finished = false;
  process.once('beforeExit', () => {
    if (finished) return;
    process.stderr.write(
      `error: ks-restore stopped before the command finished (an operation never completed). This is a bug in ks-restore; please report it.\n${terminalSafe(journal.describe().join('\n'), { keepNewlines: true })}\n`,
    );
    process.exit(journal.changed ? ExitCode.partial : ExitCode.internal);
  });
  setProgramName(options.name ?? 'ks-restore');
  const program = buildProgram(options);
  try {
    // The shells' completion helper (cobra's protocol), outside commander so it can take any words.
    if (argv[2] === '__complete') {
      const { completeCommand } = await import('./commands/completion.js');
      process.exitCode = await completeCommand(program, argv.slice(3));
      return;
    }
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
    // An error no step reported, after something was changed: say what, and how to undo it (exit 4).
    if (journal.changed && process.exitCode !== ExitCode.partial) {
      process.stderr.write(`${terminalSafe(journal.describe().join('\n'), { keepNewlines: true })}\n`);
      process.exitCode = ExitCode.partial;
    }
  } finally {
    finished = true;
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (or the help/version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
    if (err.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof KsRestoreError) {
    // Messages may quote a server or an exec plugin: no terminal control sequence gets through.
    process.stderr.write(`error: ${terminalSafe(err.message, { keepNewlines: true })}\n`);
    if (err.hint) process.stderr.write(`${terminalSafe(err.hint, { keepNewlines: true })}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(
    `internal error: ${terminalSafe(detail, { keepNewlines: true })}\nThis is a bug in ks-restore. Re-run with KS_RESTORE_DEBUG=1 for a stack trace and report it.\n`,
  );
  if (process.env.KS_RESTORE_DEBUG && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`);
  return ExitCode.internal;
}
