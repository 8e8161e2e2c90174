import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from './status.js';

export interface User {
  name: string;
  readOnly: boolean;
}

export interface Tokens {
  adminToken: string;
  readonlyToken: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Bearer-token authentication; undefined means 401. */
export function authenticate(req: IncomingMessage, tokens: Tokens): User | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  if (same(m[1]!, tokens.adminToken)) return { name: 'admin', readOnly: false };
  if (same(m[1]!, tokens.readonlyToken)) return { name: 'readonly', readOnly: true };
  return undefined;
}

export function unauthorized(): HttpError {
  return new HttpError(401, 'Unauthorized', 'Unauthorized');
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** RBAC: the read-only user may get, list and watch (logs included); everything else is Forbidden. */
export function authorize(user: User, a: Attributes): void {
  if (!user.readOnly || READ_VERBS.has(a.verb)) return;
  const display = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${display} "${a.name}"` : display;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  throw new HttpError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    { name: a.name, group: a.group, kind: a.resource },
  );
}
