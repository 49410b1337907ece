/**
 * Logging for background runs (queued jobs, scheduled runs): the logger a
 * handler gets, and the one structured line each run ends with. One JSON
 * object per line, on stdout/stderr: CloudWatch Logs Insights reads the
 * fields deployed, and the dev server's terminal shows the same lines.
 */

export type LogFields = Readonly<Record<string, unknown>>;

export interface RunLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type RunOutcome = 'succeeded' | 'failed' | 'dead-lettered' | 'skipped';

/** Where the lines go; tests pass their own. */
export type LogSink = (level: 'info' | 'warn' | 'error', line: string) => void;

export const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: error.message, errorName: error.name };
  return { error: String(error) };
}

/** Serialises a line without ever throwing (a field that is not JSON becomes a string). */
function toLine(level: string, message: string, base: LogFields, fields: LogFields | undefined): string {
  const entry = { level, msg: message, ...base, ...fields };
  try {
    return JSON.stringify(entry);
  } catch {
    return JSON.stringify({ level, msg: message, ...base, fields: String(fields) });
  }
}

/** A logger whose every line carries `base` (block, jobId, attempt...). */
export function createRunLogger(base: LogFields, sink: LogSink = consoleSink): RunLogger {
  return {
    info: (message, fields) => sink('info', toLine('info', message, base, fields)),
    warn: (message, fields) => sink('warn', toLine('warn', message, base, fields)),
    error: (message, fields) => sink('error', toLine('error', message, base, fields)),
  };
}

export interface RunRecord {
  readonly msg: 'job run' | 'schedule run';
  /** The Block's kind (`kind` of the declaration), for observers. */
  readonly kind?: string;
  readonly block: string;
  readonly outcome: RunOutcome;
  readonly durationMs: number;
  readonly fields: LogFields;
  readonly error?: unknown;
  /**
   * What the run worked on, for observers only (the local console, which
   * redacts it): never written to the log line, where it could leak data.
   */
  readonly payload?: unknown;
}

/** Told of every finished run in this process (the local console's request log). */
export type RunObserver = (record: RunRecord) => void;

// On globalThis: the dev server holds two copies of the kit (Node's and Vite's), and a run
// made by a Block of one copy must reach an observer registered through the other.
const OBSERVERS_KEY: unique symbol = Symbol.for('blocks-kit.runObservers');
type GlobalWithObservers = typeof globalThis & { [OBSERVERS_KEY]?: Set<RunObserver> };

function runObservers(): Set<RunObserver> {
  const global = globalThis as GlobalWithObservers;
  return (global[OBSERVERS_KEY] ??= new Set());
}

/** Registers `observer` for every run that ends from now on; returns its removal. */
export function observeRuns(observer: RunObserver): () => void {
  const observers = runObservers();
  observers.add(observer);
  return () => observers.delete(observer);
}

function notifyObservers(record: RunRecord): void {
  for (const observer of runObservers()) {
    try {
      observer(record);
    } catch {
      // An observer's failure must never fail the run it watches.
    }
  }
}

/** The one line a run ends with: error level unless it succeeded. Observers get the record too. */
export function logRun(record: RunRecord, sink: LogSink = consoleSink): void {
  notifyObservers(record);
  const level = record.outcome === 'succeeded' || record.outcome === 'skipped' ? 'info' : 'error';
  const fields = {
    block: record.block,
    ...record.fields,
    durationMs: record.durationMs,
    outcome: record.outcome,
    ...(record.error !== undefined && errorFields(record.error)),
  };
  sink(level, toLine(level, record.msg, {}, fields));
}

/**
 * Runs `task`, failing it after `timeoutSeconds` (a run that overstays its
 * lease would otherwise run twice at once). The task itself cannot be
 * cancelled; its result is then ignored.
 */
export async function withTimeout<T>(task: () => Promise<T>, timeoutSeconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([task(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
