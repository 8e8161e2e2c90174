#!/usr/bin/env node
// node bench/floor.mjs KUBECONFIG PLAN.json: the floor under a diagnose. It makes exactly the requests a diagnose
// made (PLAN: [{context, path}] from its -v=6 lines), in the fewest rounds the data allows, with nothing but
// node:http2 — one TLS session per cluster, every body read in full, JSON parsed, log lines counted — and does no
// analysis. What a diagnose costs beyond this is ks-restore's own; what this costs, any Node client pays.
//   round 1: the host's reads, its Cluster list among them (members are found there);
//   round 2: each member's reads, once the Cluster list is in;
//   round 3: each cluster's log reads, once that cluster's pods are in.
import { Buffer } from 'node:buffer';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import yaml from 'js-yaml';

const [kubeconfigPath, planPath] = process.argv.slice(2);
const kc = yaml.load(readFileSync(kubeconfigPath, 'utf8'));
const plan = JSON.parse(readFileSync(planPath, 'utf8'));
const byName = (list, name) => list.find((x) => x.name === name);
const b64 = (s) => Buffer.from(s, 'base64');

function connect(contextName) {
  const ctx = byName(kc.contexts, contextName).context;
  const cluster = byName(kc.clusters, ctx.cluster).cluster;
  const user = byName(kc.users, ctx.user).user;
  return http2.connect(cluster.server, {
    ca: b64(cluster['certificate-authority-data']),
    ...(user['client-certificate-data'] ? { cert: b64(user['client-certificate-data']) } : {}),
    ...(user['client-key-data'] ? { key: b64(user['client-key-data']) } : {}),
  });
}

function get(session, path, headers) {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, accept: 'application/json', ...headers });
    const chunks = [];
    let status = 0;
    req.on('response', (h) => (status = h[':status']));
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (path.includes('/log?')) resolve(body.split('\n').length);
      else resolve(status === 200 ? JSON.parse(body) : status);
    });
    req.on('error', reject);
    req.end();
  });
}

const contexts = [...new Set(plan.map((r) => r.context))];
const host = contexts[0];
const isLog = (r) => r.path.includes('/log?');
const isClusterList = (r) => r.path.startsWith('/apis/cluster.kubesphere.io/');
const sessions = new Map(contexts.map((c) => [c, connect(c)]));

async function cluster(context, first) {
  await first;
  const s = sessions.get(context);
  const mine = plan.filter((r) => r.context === context && !(context === host && isClusterList(r)));
  await Promise.all(mine.filter((r) => !isLog(r)).map((r) => get(s, r.path)));
  await Promise.all(mine.filter(isLog).map((r) => get(s, r.path, { accept: '*/*' })));
}

const hostSession = sessions.get(host);
const clusterList = Promise.all(
  plan.filter((r) => r.context === host && isClusterList(r)).map((r) => get(hostSession, r.path)),
);
await Promise.all([clusterList, cluster(host), ...contexts.slice(1).map((c) => cluster(c, clusterList))]);
for (const s of sessions.values()) s.close();
