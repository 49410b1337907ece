/**
 * The console's request log: every call the dev server's Blocks transport
 * served, redacted once when recorded (so nothing secret is ever held), kept
 * in a ring buffer of bounded size. Listeners (the terminal's
 * `[rpc-in]`/`[rpc-out]` lines) get the same redacted entries.
 */
import type { ServedExchange } from '../../transports/node.js';
import { callerOf, type Caller } from './caller.js';
import { createRedactor } from './redact.js';
import { RingBuffer, type RingBufferOptions } from './ring-buffer.js';

export interface RequestLogEntry {
  /** Increases by one per call, in the order the calls started to be recorded. */
  readonly seq: number;
  /** ISO time the call arrived. */
  readonly time: string;
  readonly kind: 'rpc' | 'route';
  /** `notes.create` for a call, `GET /aws-blocks/files/…` for a route. */
  readonly method: string;
  readonly caller: Caller;
  readonly status: number;
  /** The JSON-RPC error code of a failed call. */
  readonly errorCode?: number;
  readonly errorMessage?: string;
  readonly durationMs: number;
  readonly requestId?: string;
  /** Redacted; absent when there was nothing to show. */
  readonly params?: unknown;
  readonly result?: unknown;
}

export interface RequestLogOptions extends Partial<RingBufferOptions> {
  /** Values to hide wherever they appear (secret settings); asked before each entry is recorded. */
  readonly secrets?: () => Promise<readonly string[]>;
  /** Largest JSON kept of one entry's params or result; longer ones are cut. */
  readonly maxPayloadChars?: number;
}

const DEFAULTS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024, maxPayloadChars: 16 * 1024 };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Past this a body (a file download, say) is not worth decoding for a log.
const MAX_DECODED_BYTES = 1024 * 1024;

function textOf(body: string | Uint8Array | undefined): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body.byteLength > MAX_DECODED_BYTES) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(body);
}

/** Cuts a redacted value whose JSON is too long to keep; it stays valid JSON for the viewer. */
function bounded(value: unknown, maxChars: number): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= maxChars) return value;
  return { truncated: true, preview: `${json.slice(0, maxChars)}…`, totalChars: json.length };
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

export class RequestLog {
  readonly #buffer: RingBuffer<RequestLogEntry>;
  readonly #secrets: () => Promise<readonly string[]>;
  readonly #maxPayloadChars: number;
  readonly #listeners = new Set<RequestLogListener>();
  #seq = 0;
  // Entries are redacted one after another, so they land in seq order.
  #queue: Promise<void> = Promise.resolve();

  constructor(options: RequestLogOptions = {}) {
    this.#buffer = new RingBuffer<RequestLogEntry>(
      { maxEntries: options.maxEntries ?? DEFAULTS.maxEntries, maxBytes: options.maxBytes ?? DEFAULTS.maxBytes },
      // UTF-16 in memory: two bytes a character, plus the object itself.
      (entry) => 2 * (JSON.stringify(entry).length + 64),
    );
    this.#secrets = options.secrets ?? (() => Promise.resolve([]));
    this.#maxPayloadChars = options.maxPayloadChars ?? DEFAULTS.maxPayloadChars;
  }

  /** The transport's observer: never throws, records asynchronously. */
  readonly observe = (exchange: ServedExchange): void => {
    const seq = ++this.#seq;
    this.#queue = this.#queue
      .then(async () => this.#push(this.#entryOf(seq, exchange, await this.#secrets())))
      .catch((error: unknown) => console.error('[blocks console] could not record a call:', error));
  };

  /** Resolves once every call observed so far is in the log. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #push(entry: RequestLogEntry): void {
    this.#buffer.push(entry);
    for (const listener of this.#listeners) listener(entry);
  }

  #entryOf(seq: number, exchange: ServedExchange, secrets: readonly string[]): RequestLogEntry {
    const redact = createRedactor(secrets);
    const max = this.#maxPayloadChars;
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
    const responseText = textOf(exchange.responseBody);
    if (exchange.kind === 'rpc') {
      const call = parseJson(requestText ?? '') as { method?: unknown; params?: unknown } | undefined;
      const answer = parseJson(responseText ?? '') as { result?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
      const error = answer?.error;
      return {
        ...common,
        method: typeof call?.method === 'string' ? String(redact(call.method)).slice(0, 200) : '(unreadable request)',
        ...(call?.params !== undefined && { params: bounded(redact(call.params), max) }),
        ...(answer && 'result' in answer && { result: bounded(redact(answer.result), max) }),
        ...(typeof error?.code === 'number' && { errorCode: error.code }),
        ...(typeof error?.message === 'string' && { errorMessage: String(redact(error.message)) }),
      };
    }
    const query = exchange.query && [...exchange.query.keys()].length > 0 ? Object.fromEntries(exchange.query) : undefined;
    const contentType = exchange.responseHeaders.get('content-type') ?? '';
    const json = contentType.includes('json') && responseText !== undefined ? parseJson(responseText) : undefined;
    return {
      ...common,
      method: `${exchange.method} ${String(redact(exchange.path))}`,
      ...(query && { params: bounded(redact(query), max) }),
      ...(json !== undefined && { result: bounded(redact(json), max) }),
    };
  }

  /** Entries after `afterSeq`, oldest first. */
  since(afterSeq = 0): RequestLogEntry[] {
    return this.#buffer.toArray().filter((entry) => entry.seq > afterSeq);
  }

  get(seq: number): RequestLogEntry | undefined {
    return this.#buffer.find((entry) => entry.seq === seq);
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
