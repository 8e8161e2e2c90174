/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureJson } from '../helpers/capture.js';

/**
 * kubesphere v3.3.2/v3.4.1 pkg/apiserver/config/config.go: viper's OnConfigChange unmarshals the changed file; on
 * failure it logs "config reload error" and the process keeps the configuration it had. Diagnose must not take
 * the file for what runs: the cause is config-invalid, from the log line.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10, hotReloadMs: 50 };

describe('3.3/3.4: a kubesphere.yaml that fails to reload', () => {
  let sb: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['3.3', '3.4'] as const)(
    '%s: "config reload error" in the log → config-invalid, exit 1',
    async (ksVersion) => {
      sb = await startSandbox({ ksVersion, scenario: 'healthy', ...FAST });
      dir = mkdtempSync(join(tmpdir(), 'ks-restore-reload-'));
      const member = sb.clusters.find((c) => c.name === 'member')!;
      const cm = structuredClone(
        member.api.get('configmaps', 'kubesphere-system', 'kubesphere-config')!,
      ) as any;
      cm.data['kubesphere.yaml'] = cm.data['kubesphere.yaml'].replace(
        /accessTokenMaxAge: 0s/,
        'accessTokenMaxAge: five minutes',
      );
      await member.api.update(cm);
      const pod = member.api
        .list('pods', 'kubesphere-system')
        .find((p) => p.metadata.name.startsWith('ks-apiserver'))!.metadata.name;
      const logged = () =>
        (member.logs.lines('kubesphere-system', pod, 'ks-apiserver') ?? []).some((l) =>
          /config reload error/.test(l.text),
        );
      for (let i = 0; i < 100 && !logged(); i++) await new Promise((r) => setTimeout(r, 20));

      const env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: dir, HOME: dir };
      const { code, doc } = await captureJson(() =>
        diagnoseCommand({ host: 'host', member: ['member'], output: 'json' }, env),
      );
      const m = doc.members[0];
      const logs = m.checks.find((c: any) => c.id === 'apiserver-auth-errors');
      expect([logs.status, logs.code, logs.evidence.counts['config-reload-failed']]).toEqual([
        'fail',
        'log-config-reload-failed',
        1,
      ]);
      expect({ code, status: m.status, cause: m.cause }).toEqual({
        code: 1,
        status: 'unhealthy',
        cause: 'config-invalid',
      });
    },
  );
});
