/**
 * A streaming `multipart/form-data` reader for the local upload route: the
 * form fields (small, before the file, as in an S3 POST upload) are read
 * into memory and the file part is handed on chunk by chunk, so an upload
 * larger than its policy allows is refused while it arrives, never buffered.
 */
import { BadRequestError } from '../../core/errors.js';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_FIELD_BYTES = 16 * 1024;
const MAX_FIELDS = 32;

export interface FilePart {
  /** The form fields that came before the file. */
  readonly fields: ReadonlyMap<string, string>;
  readonly filename: string | undefined;
  /** The file's bytes; read it to the end before calling `rest`. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Reads (and discards) whatever follows the file, up to `limit` bytes. */
  drain(limit: number): Promise<void>;
}

export function boundaryOf(contentType: string | null): string {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new BadRequestError('Expected a multipart/form-data upload');
  return boundary;
}

class Reader {
  #buffer: Buffer;
  readonly #source: AsyncIterator<Uint8Array>;
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>, initial: Buffer) {
    this.#source = source[Symbol.asyncIterator]();
    this.#buffer = initial;
  }

  get buffered(): Buffer {
    return this.#buffer;
  }

  /** Reads one more chunk; false at the end of the stream. */
  async more(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([this.#buffer, next.value]);
    return true;
  }

  take(length: number): Buffer {
    const head = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return head;
  }

  /** The bytes before `marker` (consumed with it), at most `limit` of them. */
  async until(marker: Buffer, limit: number, what: string): Promise<Buffer> {
    for (;;) {
      const at = this.#buffer.indexOf(marker);
      if (at >= 0) {
        const head = Buffer.from(this.take(at));
        this.take(marker.length);
        return head;
      }
      if (this.#buffer.length > limit + marker.length) throw new BadRequestError(`Malformed upload: ${what} too long`);
      if (!(await this.more())) throw new BadRequestError(`Malformed upload: ${what} ends early`);
    }
  }

  async need(length: number): Promise<void> {
    while (this.#buffer.length < length) {
      if (!(await this.more())) throw new BadRequestError('Malformed upload: ends early');
    }
  }
}

function parseDisposition(headers: string): { name: string; filename: string | undefined } {
  const line = headers.split('\r\n').find((header) => /^content-disposition\s*:/i.test(header));
  const name = line && /;\s*name="([^"]*)"/i.exec(line)?.[1];
  if (name === undefined || name === '') throw new BadRequestError('Malformed upload: a part has no name');
  return { name, filename: line ? /;\s*filename="([^"]*)"/i.exec(line)?.[1] : undefined };
}

/** Reads fields up to the part named `file` and returns it, its body still streaming. */
export async function readFilePart(stream: AsyncIterable<Uint8Array>, boundary: string): Promise<FilePart> {
  // A virtual CRLF in front lets the first delimiter match like every other one.
  const reader = new Reader(stream, Buffer.from(CRLF));
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  await reader.until(delimiter, MAX_FIELD_BYTES, 'preamble');
  const fields = new Map<string, string>();
  for (;;) {
    await reader.need(2);
    if (reader.take(2).toString('latin1') !== '\r\n') throw new BadRequestError('Malformed upload: no file part');
    const { name, filename } = parseDisposition((await reader.until(HEADER_END, MAX_HEADER_BYTES, 'part header')).toString('utf8'));
    if (name === 'file') return { fields, filename, body: fileBody(reader, delimiter), drain: (limit) => drain(reader, limit) };
    if (fields.size >= MAX_FIELDS) throw new BadRequestError('Malformed upload: too many fields');
    fields.set(name, (await reader.until(delimiter, MAX_FIELD_BYTES, `field "${name}"`)).toString('utf8'));
  }
}

async function* fileBody(reader: Reader, delimiter: Buffer): AsyncGenerator<Uint8Array> {
  for (;;) {
    const buffered = reader.buffered;
    const at = buffered.indexOf(delimiter);
    if (at >= 0) {
      if (at > 0) yield Buffer.from(reader.take(at));
      reader.take(delimiter.length);
      return;
    }
    // Keep a tail that may be the start of a delimiter split across chunks.
    const safe = buffered.length - (delimiter.length - 1);
    if (safe > 0) yield Buffer.from(reader.take(safe));
    if (!(await reader.more())) throw new BadRequestError('Malformed upload: the file part ends early');
  }
}

async function drain(reader: Reader, limit: number): Promise<void> {
  let seen = reader.take(reader.buffered.length).length;
  while (seen <= limit && (await reader.more())) seen += reader.take(reader.buffered.length).length;
}
