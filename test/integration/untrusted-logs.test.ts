import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { jwtSecretsInYaml } from '../../src/kubesphere/config/secrets.js';
import { createColors } from '../../src/output/color.js';
import { diagnoseDocument } from '../../src/output/diagnose-json.js';
import { renderDiagnoseText } from '../../src/output/diagnose-text.js';
import { renderStructured } from '../../src/output/structured.js';
import { startSandbox, type Sandbox, type SimCluster } from '../../src/sandbox/index.js';
import { klogLine } from '../../src/sandbox/kubesphere/klog.js';

const NS = 'kubesphere-system';
const HOSTILE = '\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J\u202e\u009b31m';
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function secretOf(c: SimCluster): string {
  const cm = c.store.get('configmaps', NS, 'kubesphere-config') as unknown as {
    data: Record<string, string>;
  };
  const [secret] = jwtSecretsInYaml(cm.data['kubesphere.yaml']!);
  return secret!;
}

describe('a member log line that quotes secrets and carries escape sequences (over real HTTPS)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'secret-mismatch',
      backfill: false,
      podStartMs: 20,
      podStopMs: 10,
      trafficIntervalMs: 0,
      apiserverBootMs: 10,
    });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("is sampled with both clusters' secrets masked; text shows the escapes, JSON the exact line", async () => {
    const hostCluster = sb.clusters.find((c) => c.role === 'host')!;
    const memberCluster = sb.clusters.find((c) => c.name === 'member')!;
    const hostSecret = secretOf(hostCluster);
    const memberSecret = secretOf(memberCluster);
    expect(hostSecret).not.toBe(memberSecret);
    const pod = memberCluster.store.list('pods', NS).find((p) => p.metadata.labels?.app === 'ks-apiserver')!
      .metadata.name!;
    const msg = `jwt: failed to parse token: signature is invalid ${HOSTILE} (host ${hostSecret}, member ${memberSecret})`;
    memberCluster.logs.append(NS, pod, 'ks-apiserver', {
      time: new Date(),
      text: klogLine({ sev: 'W', at: 'issuer.go:182', msg }, new Date()),
    });

    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const d = await runDiagnosis(
      openCluster(kc, 'host', { requestTimeoutMs: 5000 }),
      [openCluster(kc, 'member', { requestTimeoutMs: 5000 })],
      { sinceSeconds: 3600, since: '1h', describeFailure },
    );
    const json = renderStructured(diagnoseDocument(d.report, { status: 'unhealthy', exitCode: 1 }), 'json');
    const text = renderDiagnoseText(d.report, {
      colors: createColors({ color: false, stream: {}, env: {} }),
      verbose: true,
      repairCommand: () => ['ks-restore', 'repair'],
    });
    for (const out of [json, text]) {
      expect(out).not.toContain(hostSecret);
      expect(out).not.toContain(memberSecret);
    }
    expect(json).toContain(JSON.stringify(HOSTILE).slice(1, -1));
    expect(text).toContain(
      'signature is invalid \\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\u001b[2J\\u202e\\u009b31m',
    );
    expect(text).not.toMatch(RAW);
  });
});
