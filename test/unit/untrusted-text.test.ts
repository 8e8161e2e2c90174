import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { secretsInPlay } from '../../src/kubesphere/config/secrets.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import { plannedRecords } from '../../src/repair/apply.js';
import { createColors } from '../../src/output/color.js';
import { diagnoseDocument } from '../../src/output/diagnose-json.js';
import { renderDiagnoseText } from '../../src/output/diagnose-text.js';
import { secretMasker } from '../../src/output/mask.js';
import { renderOutcomeText, renderPlanText } from '../../src/output/repair-render.js';
import { renderStructured } from '../../src/output/structured.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/** What a hostile log line, object name or server message may carry. */
const OSC52 = '\u001b]52;c;ZWNobyBwd25lZA==\u0007';
const CLEAR = '\u001b[2J';
const RLO = '\u202e';
const CSI1 = '\u009b31m';
const HOSTILE = `${OSC52}${CLEAR}${RLO}${CSI1}`;
/** Raw terminal controls and bidi overrides; the line feeds that separate output lines are fine. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const noColor = createColors({ color: false, stream: {}, env: {} });
const HOST_SECRET = 'FAKEv34hostJwtSecret000000000000';

const host = () =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: HOST_SECRET, clusterRole: 'host' },
    installerSecret: HOST_SECRET,
  });

/** A member whose name, Deployment and logs carry escape sequences (2h: the plan has a diff to show). */
function hostileMember(): ClusterSnapshot {
  const m = snapshot({
    context: `member${RLO}1`,
    yaml: fixture('v3.4-member.yaml').replace(
      'accessTokenMaxAge: 0',
      `accessTokenMaxAge: 2h # edited ${CLEAR}${RLO}`,
    ),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: HOST_SECRET, clusterRole: 'member' },
    installerSecret: HOST_SECRET,
    podsStartedAt: '2026-11-01T10:00:00Z',
  });
  (m.apiserverDeployment as { metadata: { name: string } }).metadata.name = `ks-apiserver${CLEAR}`;
  return m;
}

const unreachable: ClusterSnapshot = {
  ...snapshot({ context: 'far', yaml: '', image: 'kubesphere/ks-apiserver:v3.4.1' }),
  reachability: { ok: false, failure: { kind: 'server', message: `the server says ${HOSTILE}` } },
};

const logs: AuthLogSummary = {
  linesScanned: 5,
  containersScanned: 1,
  kinds: {
    'cache-miss': {
      count: 3,
      first: '2026-11-28T11:00:00Z',
      last: '2026-11-28T11:59:00Z',
      samples: [`W1128 11:59:00.000000       1 jwt.go:53] token not found in cache ${HOSTILE}\tend`],
    },
  },
};

function report() {
  return assess(
    { snapshot: host(), logs: { linesScanned: 1, containersScanned: 1, kinds: {} } },
    [{ gathered: { snapshot: hostileMember(), logs } }, { gathered: { snapshot: unreachable } }],
    { since: '1h' },
  );
}

describe('text from clusters, as the renderers print it', () => {
  it('diagnose text shows escapes instead of control sequences and bidi overrides', () => {
    const text = renderDiagnoseText(report(), {
      colors: noColor,
      verbose: true,
      repairCommand: (ms) => ['ks-restore', 'repair', ...ms.flatMap((m) => ['--member', m.name])],
    });
    expect(text).not.toMatch(RAW);
    // Still there, as visible escapes: the sample, the member's name, the Deployment, the server's message.
    expect(text).toContain(
      'token not found in cache \\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\u001b[2J\\u202e\\u009b31m\\tend',
    );
    expect(text).toContain('Member member\\u202e1');
    expect(text).toContain('the server says \\u001b]52;c;');
    expect(text).toContain('ks-apiserver\\u001b[2J');
  });

  it('the compact fleet report too: table, evidence, the repair command, wrapped or not', () => {
    for (const width of [undefined, 40, 100]) {
      const text = renderDiagnoseText(report(), {
        colors: noColor,
        verbose: false,
        width,
        repairCommand: (ms) => ['ks-restore', 'repair', ...ms.flatMap((m) => ['--member', m.name])],
      });
      expect(text).not.toMatch(RAW);
      expect(text).toMatch(/^member\\u202e1 +v3\.4\.1 /m);
      expect(text.replace(/ \\\n +/g, ' ')).toContain('ks-restore repair --member member\\u202e1\n');
      // Wrapping breaks between escapes, never inside one.
      expect(text).not.toMatch(/\\u[0-9a-f]{0,3}(?![0-9a-f])/);
    }
  });

  it('-o json and -o yaml keep the exact strings', () => {
    const doc = diagnoseDocument(report(), { status: 'unhealthy', exitCode: 1 });
    const json = JSON.parse(renderStructured(doc, 'json')) as typeof doc;
    const member = json.members[0]!;
    const errors = member.checks.find((c) => c.id === 'apiserver-auth-errors')!;
    expect(JSON.stringify(errors.evidence)).toContain(JSON.stringify(HOSTILE).slice(1, -1));
    expect(member.context).toBe(`member${RLO}1`);
    expect(json.members[1]!.checks.map((c) => c.summary)).toContain(`the server says ${HOSTILE}`);
    expect(renderStructured(doc, 'yaml')).toContain('\\e]52;c;');
  });

  it('the repair plan and its outcome show escapes: names, diff lines, errors', () => {
    const r = report();
    const h = host();
    const m = hostileMember();
    const plan = planMemberRepair({
      host: { facts: deriveFacts(h), server: h.server },
      member: { snapshot: m, facts: deriveFacts(m), report: r.members[0]! },
      force: false,
    });
    const actions = plannedRecords(plan, { restart: true, timeoutMs: 300_000 });
    actions[0] = {
      ...actions[0]!,
      status: 'failed',
      error: { message: `admission says ${HOSTILE}`, hint: OSC52 },
    };
    const run = {
      plan,
      before: r.members[0]!,
      actions,
      verification: null,
      mask: secretMasker(secretsInPlay(deriveFacts(h), deriveFacts(m))),
    };
    const text =
      renderPlanText(run, noColor, { timeout: '5m', restart: true }) + renderOutcomeText(run, noColor);
    expect(text).toContain('accessTokenMaxAge: 0s');
    expect(text).toContain('-    accessTokenMaxAge: 2h # edited \\u001b[2J\\u202e');
    expect(text).toContain('admission says \\u001b]52;c;');
    expect(text).toContain('deployment/ks-apiserver\\u001b[2J');
    expect(text).not.toMatch(RAW);
  });
});
