import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });

function load(name: string) {
  return ajv.compile(JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')));
}

const validators = { diagnose: load('diagnose.schema.json'), repair: load('repair.schema.json') };

/** Throws with ajv's errors when a real output does not match the published schema. */
export function assertSchema(kind: keyof typeof validators, doc: unknown): void {
  const validate = validators[kind];
  if (!validate(doc))
    throw new Error(`${kind} output does not match its schema: ${ajv.errorsText(validate.errors)}`);
}
