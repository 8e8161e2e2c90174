/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON documents the commands print */
import { vi } from 'vitest';

/** Runs a command in process, capturing what it prints on stdout (its exit code is the return value). */
export async function captureStdout(run: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await run(), stdout };
  } finally {
    spy.mockRestore();
  }
}

/** The same for a command run with `-o json`: its document, parsed. */
export async function captureJson(
  run: () => Promise<number>,
): Promise<{ code: number; doc: any; out: string }> {
  const { code, stdout } = await captureStdout(run);
  return { code, doc: JSON.parse(stdout), out: stdout };
}
