/**
 * The console's request log: every call the dev server's Blocks transport
 * served, and every background run (core/run-log.ts's observers: a queued
 * job, a scheduled run), redacted once when recorded (so nothing secret is
 * ever held), kept in a ring buffer of bounded size. Listeners (the
 * terminal's `[rpc-in]`/`[rpc-out]` lines) get the same redacted entries.
 */
import type { RunOutcome, RunRecord } from '../../core/run-log.js';
import type { ServedExchange } from '../../transports/node.js';
import { safeJsonParse } from '../../core/safe-json.js';
import { callerOf, type Caller } from './caller.js';
import { createRedactor, type Redactor } from './redact.js';
import { RingBuffer, type RingBufferOptions } from './ring-buffer.js';

export interface RequestLogEntry {
  /** Increases by one per call, in the order the calls started to be recorded. */
  readonly seq: number;
  /** ISO time the call arrived. */
  readonly time: string;
  readonly kind: 'rpc' | 'route' | 'job';
  /** `notes.create` for a call, `GET /aws-blocks/files/…` for a route, `<Block kind> <scope>/<id>` for a run. */
  readonly method: string;
  readonly caller: Caller;
  readonly status: number;
  /** The JSON-RPC error code of a failed call. */
  readonly errorCode?: number;
  readonly errorMessage?: string;
  readonly durationMs: number;
  /** The call's request id; for a job run, the id of the call that enqueued it. */
  readonly requestId?: string;
  /** A background run's details (kind `job`). */
  readonly job?: JobRunInfo;
  /** Redacted; absent when there was nothing to show. */
  readonly params?: unknown;
  readonly result?: unknown;
  /** The result was not kept: no console page was open when the call was made (see `watch`). */
  readonly resultSkipped?: true;
}

export interface JobRunInfo {
  /** `<scope>/<id>` of the Block that ran. */
  readonly block: string;
  readonly outcome: RunOutcome;
  readonly jobId?: string;
  readonly attempt?: number;
  /** When a scheduled run was due. */
  readonly scheduledTime?: string;
}

export interface RequestLogOptions extends Partial<RingBufferOptions> {
  /** Values to hide wherever they appear (secret settings); asked before each entry is recorded. */
  readonly secrets?: () => Promise<readonly string[]>;
  /** Largest JSON kept of one entry's params or result; longer ones are cut. */
  readonly maxPayloadChars?: number;
  /** Clock in ms, for tests. */
  readonly now?: () => number;
}

// A console page polls every second; this long without one, nobody is watching.
const WATCH_MS = 30_000;

const DEFAULTS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024, maxPayloadChars: 16 * 1024 };
// Fixed cost of an entry beyond its payloads: the object, its strings, the caller.
const ENTRY_OVERHEAD_BYTES = 512;

// The same parser as the dispatcher's: a body it refused is not walked here either.
const parseJson = safeJsonParse;

// Past this a body (a file download, say) is not worth decoding for a log.
const MAX_DECODED_BYTES = 1024 * 1024;

function textOf(body: string | Uint8Array | undefined): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body.byteLength > MAX_DECODED_BYTES) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(body);
}

/** Cuts a redacted value whose JSON is too long to keep (it stays valid JSON for the viewer); adds what it keeps to `size`. */
function bounded(value: unknown, maxChars: number, size: { chars: number }): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= maxChars) {
    size.chars += json?.length ?? 0;
    return value;
  }
  size.chars += maxChars + 64;
  return { truncated: true, preview: `${json.slice(0, maxChars)}…`, totalChars: json.length };
}

interface Sized {
  readonly entry: RequestLogEntry;
  /** Estimated bytes held (UTF-16: two a character). */
  readonly bytes: number;
}

/** A call or a run observed but not yet redacted into the log. */
type PendingItem = { seq: number; exchange: ServedExchange; full: boolean } | { seq: number; run: RunRecord; endedAt: number };

export type RequestLogListener = (entry: RequestLogEntry) => void;

export class RequestLog {
  readonly #buffer: RingBuffer<Sized>;
  readonly #secrets: () => Promise<readonly string[]>;
  readonly #maxPayloadChars: number;
  readonly #listeners = new Set<RequestLogListener>();
  #seq = 0;
  // Calls wait here, unredacted, only until the next flush; at most maxEntries of them.
  #pending: PendingItem[] = [];
  #watchedUntil = 0;
  readonly #now: () => number;
  #flushing: Promise<void> | undefined;

  constructor(options: RequestLogOptions = {}) {
    this.#buffer = new RingBuffer<Sized>(
      { maxEntries: options.maxEntries ?? DEFAULTS.maxEntries, maxBytes: options.maxBytes ?? DEFAULTS.maxBytes },
      (sized) => sized.bytes,
    );
    this.#secrets = options.secrets ?? (() => Promise.resolve([]));
    this.#maxPayloadChars = options.maxPayloadChars ?? DEFAULTS.maxPayloadChars;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A console page is open (it calls this on every poll). While none is, a
   * successful call's result is not parsed nor kept: the log still lists the
   * call with its params, and the dev server does not pay for reading every
   * response it sends.
   */
  watch(): void {
    this.#watchedUntil = this.#now() + WATCH_MS;
  }

  /**
   * The transport's observer: never throws, and does no work on the call's
   * path. Calls are redacted in batches after it (one look-up of the secret
   * values per batch), in the order they were observed.
   */
  readonly observe = (exchange: ServedExchange): void => {
    this.#enqueue({ seq: ++this.#seq, exchange, full: this.#now() < this.#watchedUntil });
  };

  /** core/run-log.ts's observer: a background run that ended. Same rules as `observe`. */
  readonly observeRun = (run: RunRecord): void => {
    this.#enqueue({ seq: ++this.#seq, run, endedAt: this.#now() });
  };

  #enqueue(item: PendingItem): void {
    this.#pending.push(item);
    // A burst faster than the flush keeps only what the log would keep anyway.
    if (this.#pending.length > this.#buffer.maxEntries) this.#pending.splice(0, this.#pending.length - this.#buffer.maxEntries);
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const secrets = await this.#secrets();
        const batch = this.#pending;
        this.#pending = [];
        const redact = createRedactor(secrets);
        for (const item of batch) this.#push('run' in item ? this.#runEntryOf(item.seq, item.run, item.endedAt, redact) : this.#entryOf(item.seq, item.exchange, redact, item.full));
      }
    } catch (error) {
      this.#pending = [];
      console.error('[blocks console] could not record calls:', error);
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Resolves once every call observed so far is in the log. */
  async settled(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  #push(sized: Sized): void {
    this.#buffer.push(sized);
    for (const listener of this.#listeners) listener(sized.entry);
  }

  #entryOf(seq: number, exchange: ServedExchange, redact: Redactor, full: boolean): Sized {
    const max = this.#maxPayloadChars;
    const size = { chars: 0 };
    const common = {
      seq,
      time: new Date(exchange.startedAt).toISOString(),
      kind: exchange.kind,
      caller: callerOf(exchange.headers),
      status: exchange.status,
      durationMs: exchange.durationMs,
      ...(exchange.responseHeaders.get('x-request-id') && { requestId: exchange.responseHeaders.get('x-request-id')! }),
    };
    const requestText = textOf(exchange.requestBody);
    // A failure's body is small and says why: always read. A success's only while someone watches.
    const readResponse = full || exchange.status >= 400;
    const responseText = readResponse ? textOf(exchange.responseBody) : undefined;
    const sized = (entry: RequestLogEntry): Sized => ({ entry, bytes: 2 * (size.chars + ENTRY_OVERHEAD_BYTES) });
    if (exchange.kind === 'rpc') {
      const call = parseJson(requestText ?? '') as { method?: unknown; params?: unknown } | undefined;
      const answer = parseJson(responseText ?? '') as { result?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
      const error = answer?.error;
      return sized({
        ...common,
        method: typeof call?.method === 'string' ? String(redact(call.method)).slice(0, 200) : '(unreadable request)',
        ...(call?.params !== undefined && { params: bounded(redact(call.params), max, size) }),
        ...(answer && 'result' in answer && { result: bounded(redact(answer.result), max, size) }),
        ...(!readResponse && { resultSkipped: true }),
        ...(typeof error?.code === 'number' && { errorCode: error.code }),
        ...(typeof error?.message === 'string' && { errorMessage: String(redact(error.message)).slice(0, 1000) }),
      });
    }
    const query = exchange.query && [...exchange.query.keys()].length > 0 ? Object.fromEntries(exchange.query) : undefined;
    const contentType = exchange.responseHeaders.get('content-type') ?? '';
    const json = contentType.includes('json') && responseText !== undefined ? parseJson(responseText) : undefined;
    return sized({
      ...common,
      method: `${exchange.method} ${String(redact(exchange.path)).slice(0, 1000)}`,
      ...(query && { params: bounded(redact(query), max, size) }),
      ...(json !== undefined && { result: bounded(redact(json), max, size) }),
      ...(!readResponse && { resultSkipped: true }),
    });
  }

  #runEntryOf(seq: number, run: RunRecord, endedAt: number, redact: Redactor): Sized {
    const size = { chars: 0 };
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? String(redact(value)).slice(0, 200) : undefined);
    const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
    const requestId = text(run.fields.requestId);
    const jobId = text(run.fields.jobId);
    const attempt = number(run.fields.attempt);
    const scheduledTime = text(run.fields.scheduledTime);
    const failed = run.outcome === 'failed' || run.outcome === 'dead-lettered';
    const error = run.error instanceof Error ? run.error.message : run.error === undefined ? undefined : String(run.error);
    // Who caused the run: the caller of the call that enqueued it, while that call is still in the log.
    const enqueuedBy = requestId === undefined ? undefined : this.#buffer.find(({ entry }) => entry.kind !== 'job' && entry.requestId === requestId)?.entry.caller;
    const job: JobRunInfo = {
      block: String(redact(run.block)).slice(0, 200),
      outcome: run.outcome,
      ...(jobId !== undefined && { jobId }),
      ...(attempt !== undefined && { attempt }),
      ...(scheduledTime !== undefined && { scheduledTime }),
    };
    const entry: RequestLogEntry = {
      seq,
      time: new Date(endedAt - run.durationMs).toISOString(),
      kind: 'job',
      method: `${text(run.kind) ?? 'run'} ${job.block}`,
      caller: enqueuedBy ?? { label: run.msg === 'schedule run' ? 'schedule' : 'background' },
      status: failed ? 500 : 200,
      durationMs: run.durationMs,
      ...(requestId !== undefined && { requestId }),
      job,
      ...(run.payload !== undefined && { params: bounded(redact(run.payload), this.#maxPayloadChars, size) }),
      ...(error !== undefined && { errorMessage: String(redact(error)).slice(0, 1000) }),
    };
    return { entry, bytes: 2 * (size.chars + ENTRY_OVERHEAD_BYTES) };
  }

  /** Entries after `afterSeq`, oldest first. */
  since(afterSeq = 0): RequestLogEntry[] {
    return this.#buffer
      .toArray()
      .map((sized) => sized.entry)
      .filter((entry) => entry.seq > afterSeq);
  }

  get(seq: number): RequestLogEntry | undefined {
    return this.#buffer.find((sized) => sized.entry.seq === seq)?.entry;
  }

  onEntry(listener: RequestLogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clear(): void {
    this.#buffer.clear();
  }

  get stats(): { entries: number; bytes: number; recorded: number } {
    return { entries: this.#buffer.size, bytes: this.#buffer.bytes, recorded: this.#seq };
  }
}

/** The terminal's view of the same entries: `[rpc-in]` with the params, `[rpc-out]` with status and time. */
export function terminalLines(entry: RequestLogEntry): [string, string] {
  const params = entry.params === undefined ? '' : ` ${JSON.stringify(entry.params)}`;
  const outcome = entry.errorCode !== undefined ? ` error ${entry.errorCode}${entry.errorMessage ? ` ${entry.errorMessage}` : ''}` : '';
  return [
    `[rpc-in] #${entry.seq} ${entry.method} by ${entry.caller.label}${params}`,
    `[rpc-out] #${entry.seq} ${entry.method} ${entry.status} in ${entry.durationMs} ms${outcome}`,
  ];
}
