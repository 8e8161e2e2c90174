import ora, { type Ora } from 'ora';

/** Progress on stderr: a spinner on a TTY, nothing otherwise (pipes, CI, -o json). */
export interface Progress {
  start(text: string): void;
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  info(text: string): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start() {},
  update() {},
  succeed() {},
  fail() {},
  info() {},
  stop() {},
};

export function createProgress(opts: {
  stream: NodeJS.WriteStream;
  enabled: boolean;
  color: boolean;
}): Progress {
  if (!opts.enabled || !opts.stream.isTTY) return silentProgress;
  let spinner: Ora | undefined;
  const get = (): Ora => {
    spinner ??= ora({ stream: opts.stream, color: opts.color ? 'cyan' : false, discardStdin: false });
    return spinner;
  };
  return {
    start: (text) => void get().start(text),
    update: (text) => {
      get().text = text;
    },
    succeed: (text) => void get().succeed(text),
    fail: (text) => void get().fail(text),
    info: (text) => void get().info(text),
    stop: () => void spinner?.stop(),
  };
}
