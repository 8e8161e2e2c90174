/* eslint-disable @typescript-eslint/no-explicit-any -- API documents, read field by field */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import yaml from 'js-yaml';

// --- a kubectl-free client: the kubeconfig's CA, server and token over node:https -------------------------
export interface Ctx {
  server: string;
  ca: string;
  token: string;
}

export function contextOf(kubeconfigPath: string, name: string): Ctx {
  const kc = yaml.load(readFileSync(kubeconfigPath, 'utf8')) as any;
  const ctx = kc.contexts.find((c: any) => c.name === name).context;
  const cluster = kc.clusters.find((c: any) => c.name === ctx.cluster).cluster;
  const user = kc.users.find((u: any) => u.name === ctx.user).user;
  return {
    server: cluster.server,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString(),
    token: user.token,
  };
}

export function call(
  ctx: Ctx,
  method: string,
  path: string,
  opts: { body?: unknown; accept?: string; ca?: string | null; contentType?: string } = {},
): Promise<{ status: number; text: string; json: any }> {
  const url = new URL(path, ctx.server);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ...(opts.ca === null ? {} : { ca: opts.ca ?? ctx.ca }),
        headers: {
          authorization: `Bearer ${ctx.token}`,
          accept: opts.accept ?? 'application/json',
          ...(payload ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
