/** A container's log line; `text` has no trailing newline. */
export interface LogLine {
  time: Date;
  text: string;
}

interface ContainerLogs {
  current: LogLine[];
  previous?: LogLine[];
}

export type LogAppendListener = (namespace: string, pod: string, container: string, line: LogLine) => void;

const key = (namespace: string, pod: string): string => `${namespace}/${pod}`;

/** What the kubelet keeps per container: the current run's log and, after a restart, the previous one. */
export class LogStore {
  private readonly pods = new Map<string, Map<string, ContainerLogs>>();
  private readonly listeners = new Set<LogAppendListener>();

  append(namespace: string, pod: string, container: string, line: LogLine): void {
    const logs = this.container(namespace, pod, container, true)!;
    const copy = { time: new Date(line.time), text: line.text };
    logs.current.push(copy);
    for (const l of [...this.listeners]) l(namespace, pod, container, { ...copy });
  }

  lines(
    namespace: string,
    pod: string,
    container: string,
    opts: { previous?: boolean } = {},
  ): LogLine[] | undefined {
    const logs = this.container(namespace, pod, container, false);
    const source = opts.previous ? logs?.previous : logs?.current;
    return source?.map((l) => ({ time: new Date(l.time), text: l.text }));
  }

  restartContainer(namespace: string, pod: string, container: string): void {
    const logs = this.container(namespace, pod, container, true)!;
    logs.previous = logs.current;
    logs.current = [];
  }

  deletePod(namespace: string, pod: string): void {
    this.pods.delete(key(namespace, pod));
  }

  /** Containers with a log for this pod; empty when none was written. */
  containers(namespace: string, pod: string): string[] {
    return [...(this.pods.get(key(namespace, pod))?.keys() ?? [])];
  }

  /** Called after every append: how `kubectl logs -f` streams. Returns the unsubscribe function. */
  onAppend(listener: LogAppendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private container(
    namespace: string,
    pod: string,
    container: string,
    create: boolean,
  ): ContainerLogs | undefined {
    let byContainer = this.pods.get(key(namespace, pod));
    if (!byContainer) {
      if (!create) return undefined;
      byContainer = new Map();
      this.pods.set(key(namespace, pod), byContainer);
    }
    let logs = byContainer.get(container);
    if (!logs && create) {
      logs = { current: [] };
      byContainer.set(container, logs);
    }
    return logs;
  }
}
