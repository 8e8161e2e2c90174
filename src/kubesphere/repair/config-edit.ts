/** The repair's edits of kubesphere.yaml: string values set in place, then the whole result verified once more. */
import { setString } from '../yaml/edit.js';
import { verifyEdit } from '../yaml/verify.js';

export interface ConfigTextEdit {
  path: readonly string[];
  /** The string to store, unformatted (a secret, or a duration such as `0s`). */
  value: string;
  /** A secret: never written empty, and quoted like the templates do when the key is new. */
  secret?: boolean;
}

export type ConfigEditResult = { ok: true; text: string; changed: boolean } | { ok: false; reason: string };

export function editConfigText(text: string, edits: readonly ConfigTextEdit[]): ConfigEditResult {
  let out = text;
  for (const e of edits) {
    const where = e.path.join('.');
    if (e.secret && e.value === '') return { ok: false, reason: `refusing to write an empty ${where}` };
    const r = setString(out, e.path, e.value, { newKeyStyle: e.secret ? 'double' : 'plain' });
    if (!r.ok) return { ok: false, reason: `${where}: ${r.reason}` };
    out = r.text;
  }
  const verified = verifyEdit(
    text,
    out,
    edits.map((e) => ({ path: e.path, value: e.value })),
  );
  if (!verified.ok) return { ok: false, reason: verified.reason };
  return { ok: true, text: out, changed: out !== text };
}
