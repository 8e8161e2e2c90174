// One sandbox for the benchmark, in its own process so its CPU is not the client's. Started by
// bench/lib/sandbox.mjs with the bundled src/sandbox (argv[2]) and JSON options (argv[3]); prints JSON lines on
// stdout: {"ready":…} once serving, {"rollout":{start,end}} for each rollout of a member's ks-apiserver.
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [bundle, json] = process.argv.slice(2);
const opts = JSON.parse(json);
const { startSandbox } = await import(pathToFileURL(bundle).href);

const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const sb = await startSandbox({
  ksVersion: opts.ksVersion ?? '3.4',
  scenario: opts.scenario ?? 'token-cache',
  members: opts.members,
  kubeconfigPath: opts.kubeconfig,
  latencyMs: opts.latency,
  // Live console traffic (a page load on every cluster every 2 s) costs the sandbox CPU throughout a run, which
  // with 50 members is the measurement's bottleneck on two cores; the past hour of it is in the logs anyway.
  ...(opts.liveTraffic ? {} : { trafficIntervalMs: 0 }),
});

const member = sb.clusters.find((c) => c.role === 'member');
const NS = 'kubesphere-system';

// The log benchmark: a member ks-apiserver log of `logLines` lines in klog format, spread over the last 50
// minutes, one in 50 the FAQ's "token not found in cache" error.
const logPod = member.api.list('pods', NS).find((p) => p.metadata.name.startsWith('ks-apiserver-'));
if (opts.logLines > 0) {
  const pod = logPod;
  const end = Date.now() - 60_000;
  const span = 50 * 60_000;
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  for (let i = 0; i < opts.logLines; i++) {
    const t = new Date(end - span + Math.floor((i * span) / opts.logLines));
    const stamp = `${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${pad(t.getUTCMilliseconds(), 3)}${pad(i % 1000, 3)}`;
    const text =
      i % 50 === 0
        ? `E${stamp}       1 token.go:65] token not found in cache`
        : `I${stamp}       1 apiserver.go:${200 + (i % 40)}] GET /kapis/resources.kubesphere.io/v1alpha3/namespaces?limit=${i % 97} 200 OK in ${i % 13}ms`;
    member.logs.append(NS, pod.metadata.name, 'ks-apiserver', { time: t, text });
  }
}

// The repair benchmark: when each rollout of the member's ks-apiserver starts (its pod template changes) and
// ends (kubectl rollout status' condition), so the client's time beyond the rollouts can be told apart.
let rolling;
let lastGen = member.api.get('deployments.apps', NS, 'ks-apiserver')?.metadata.generation ?? 0;
member.api.subscribe((e) => {
  if (e.resource.resource !== 'deployments' || e.object.metadata.name !== 'ks-apiserver') return;
  const d = e.object;
  const gen = d.metadata.generation ?? 0;
  const st = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  if (gen > lastGen && !rolling) rolling = { start: Date.now() };
  lastGen = Math.max(lastGen, gen);
  const done =
    (st.observedGeneration ?? 0) >= gen &&
    (st.updatedReplicas ?? 0) === want &&
    (st.replicas ?? 0) === want &&
    (st.availableReplicas ?? 0) === want;
  if (rolling && done) {
    say({ rollout: { start: rolling.start, end: Date.now() } });
    rolling = undefined;
  }
});

say({ ready: { kubeconfig: sb.kubeconfigPath, logPod: logPod?.metadata.name } });
const stop = async () => {
  await sb.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
