import path from 'node:path';
import { ExitCode } from '../errors.js';
import { createColors } from '../output/color.js';
import { diagnoseCommand } from './diagnose.js';
import { repairCommand } from './repair.js';

/**
 * `ks-restore demo`: the main job, narrated, on the built-in simulated clusters. Starts the sandbox, runs
 * diagnose, repair --yes and diagnose again through the same code paths a user runs, then stops it.
 */
export async function demoCommand(flags: Record<string, unknown>, env = process.env): Promise<number> {
  const { startSandbox } = await import('../sandbox/index.js');
  const { parseSandboxFlags } = await import('./sandbox.js');
  const c = createColors({ color: flags.color !== false, stream: process.stdout, env });
  const sandboxOpts = parseSandboxFlags({ ...flags, members: '1' });
  const out = (text: string): void => void process.stdout.write(`${text}\n`);
  const sandbox = await startSandbox({ ...sandboxOpts, trafficIntervalMs: 500, hotReloadMs: 60_000 });
  try {
    const common = {
      kubeconfig: sandbox.kubeconfigPath,
      host: 'host',
      member: ['member'],
      color: flags.color,
    };
    out(c.bold(`ks-restore demo: KubeSphere ${sandboxOpts.ksVersion}, scenario ${sandboxOpts.scenario}`));
    out(
      c.dim(
        `Simulated host and member clusters are running on 127.0.0.1 (kubeconfig ${sandbox.kubeconfigPath}).`,
      ),
    );
    const step = (n: number, title: string, command: string): void => {
      out('');
      out(c.cyan(`── ${n}/3 ${title}`));
      out(c.dim(`$ ${command}`));
      out('');
    };
    step(1, 'What is wrong?', 'ks-restore diagnose --host host --member member');
    const first = await diagnoseCommand(common, env);
    if (first === ExitCode.ok) out(c.dim('\nThe member is healthy: repair will have nothing to do.'));
    step(
      2,
      'Fix it: back up, write, restart, wait, verify',
      'ks-restore repair --host host --member member --yes',
    );
    // Backups go beside the sandbox's kubeconfig and are removed with it: a demo leaves nothing behind.
    const backupDir = path.join(path.dirname(sandbox.kubeconfigPath), 'backups');
    const repaired = await repairCommand({ ...common, yes: true, timeout: '2m', backupDir }, env);
    step(3, 'Is it fixed?', 'ks-restore diagnose --host host --member member');
    const last = await diagnoseCommand(common, env);
    out('');
    out(
      last === ExitCode.ok && repaired === ExitCode.ok
        ? c.green("The member accepts the host's tokens again. Try it yourself: ks-restore sandbox")
        : c.red(`The demo did not end healthy (repair exit ${repaired}, diagnose exit ${last}).`),
    );
    return last === ExitCode.ok && repaired === ExitCode.ok ? ExitCode.ok : ExitCode.problems;
  } finally {
    await sandbox.stop();
  }
}
