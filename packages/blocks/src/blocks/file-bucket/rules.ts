/**
 * The checks every FileBucket variant applies before touching storage, so a
 * bad key or a disallowed type fails the same way locally and deployed, and
 * a key never reaches a file system path or an S3 request unvetted.
 */
import { ApiError, BadRequestError, PayloadTooLargeError } from '../../core/errors.js';
import type { DownloadUrlOptions, FileBucketOptions, ListFilesOptions, UploadUrlOptions } from './types.js';

export const MAX_KEY_BYTES = 1024;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** S3 accepts at most 5 GiB in one POST upload. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
export const DEFAULT_EXPIRES_IN = 300;
export const MAX_EXPIRES_IN = 3600;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** 415: the declared content type is not one the bucket accepts. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(message = 'Unsupported media type', data?: unknown) {
    super(message, 415, data);
  }
}

export interface BucketRules {
  readonly allowedContentTypes: readonly string[] | undefined;
  readonly maxBytes: number;
  readonly keyPattern: RegExp | undefined;
}

// type "/" subtype, RFC 6838 restricted names; parameters (`; charset=`) are allowed after.
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9-]+=[A-Za-z0-9._-]+)*$/;

const hasControl = (text: string): boolean => [...text].some((char) => char.charCodeAt(0) <= 0x1f || char.charCodeAt(0) === 0x7f);
const hasControlOrBackslash = (text: string): boolean => hasControl(text) || text.includes('\\');

export function normaliseOptions(options: FileBucketOptions, owner: string): BucketRules {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_OBJECT_BYTES) {
    throw new TypeError(`${owner}: maxBytes must be an integer from 1 to ${MAX_OBJECT_BYTES}.`);
  }
  for (const type of options.allowedContentTypes ?? []) {
    const family = type.endsWith('/*') ? `${type.slice(0, -2)}/x` : type;
    if (!CONTENT_TYPE.test(family) || type.includes(';')) throw new TypeError(`${owner}: "${type}" is not a content type (e.g. image/png or image/*).`);
  }
  return {
    allowedContentTypes: options.allowedContentTypes?.map((type) => type.toLowerCase()),
    maxBytes,
    keyPattern: options.keyPattern,
  };
}

/** Why `key` is refused, or undefined. */
function keyProblem(key: unknown, rules: BucketRules): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key === '') return 'must not be empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} UTF-8 bytes`;
  if (key.startsWith('/')) return 'must not start with "/"';
  // A lone surrogate has no UTF-8 encoding: two different keys would collapse into the same bytes.
  if (!key.isWellFormed()) return 'is not well-formed UTF-16';
  // Control characters, and the backslash some file systems read as a separator.
  if (hasControlOrBackslash(key)) return 'contains a control character or a backslash';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return 'contains a "." or ".." segment';
  if (segments.slice(0, -1).some((segment) => segment === '')) return 'contains an empty segment ("//")';
  if (segments.at(-1) === '') return 'must not end with "/"';
  if (rules.keyPattern && !rules.keyPattern.test(key)) return 'does not match the bucket\'s key pattern';
  return undefined;
}

export function assertKey(key: unknown, rules: BucketRules): string {
  const problem = keyProblem(key, rules);
  if (problem) throw new BadRequestError(`Invalid file key: it ${problem}`);
  return key as string;
}

export function assertPrefix(prefix: unknown): string {
  if (prefix === undefined) return '';
  if (typeof prefix !== 'string' || Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES || hasControlOrBackslash(prefix) || prefix.startsWith('/')) {
    throw new BadRequestError('Invalid list prefix');
  }
  return prefix;
}

export function assertContentType(contentType: unknown, rules: BucketRules): string {
  if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
    throw new BadRequestError('Invalid content type: expected e.g. image/png');
  }
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  const allowed = rules.allowedContentTypes;
  if (allowed && !allowed.some((type) => type === essence || (type.endsWith('/*') && essence.startsWith(type.slice(0, -1))))) {
    throw new UnsupportedMediaTypeError(`Files of type ${essence} are not accepted here (allowed: ${allowed.join(', ')})`);
  }
  return contentType;
}

export function assertSize(size: number, maxBytes: number): void {
  if (size > maxBytes) throw new PayloadTooLargeError(`Files are limited to ${formatBytes(maxBytes)}`);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

function expiresIn(value: unknown): number {
  if (value === undefined) return DEFAULT_EXPIRES_IN;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_EXPIRES_IN) {
    throw new BadRequestError(`expiresIn must be whole seconds from 1 to ${MAX_EXPIRES_IN}`);
  }
  return value;
}

function lifetime(value: unknown): { expiresIn: number; expiresAt: number } {
  const seconds = expiresIn(value);
  return { expiresIn: seconds, expiresAt: Math.floor(Date.now() / 1000) + seconds };
}

export interface UploadGrant {
  readonly key: string;
  readonly contentType: string;
  readonly maxBytes: number;
  readonly expiresIn: number;
  /** Epoch seconds: `expiresIn` from now. */
  readonly expiresAt: number;
}

export function uploadGrant(key: unknown, options: UploadUrlOptions, rules: BucketRules): UploadGrant {
  const maxBytes = options.maxBytes ?? rules.maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new BadRequestError('maxBytes must be a positive integer');
  assertSize(maxBytes, rules.maxBytes);
  return {
    key: assertKey(key, rules),
    contentType: assertContentType(options.contentType, rules),
    maxBytes,
    ...lifetime(options.expiresIn),
  };
}

export interface DownloadGrant {
  readonly key: string;
  readonly expiresIn: number;
  readonly expiresAt: number;
  /** The download name as asked for, and the header that carries it. */
  readonly filename: string | undefined;
  readonly disposition: string | undefined;
}

export function downloadGrant(key: unknown, options: DownloadUrlOptions, rules: BucketRules): DownloadGrant {
  return {
    key: assertKey(key, rules),
    ...lifetime(options.expiresIn),
    filename: options.filename,
    disposition: options.filename === undefined ? undefined : contentDisposition(options.filename),
  };
}

/**
 * `attachment` with an ASCII fallback name and the exact UTF-8 name
 * (RFC 6266 / 8187), so a quote or a newline in a name cannot split the header.
 */
export function contentDisposition(filename: unknown): string {
  if (typeof filename !== 'string' || filename === '' || filename.length > 255 || hasControl(filename) || !filename.isWellFormed()) {
    throw new BadRequestError('Invalid download filename');
  }
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function listOptions(options: ListFilesOptions): { prefix: string; limit: number; cursor: string | undefined } {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw new BadRequestError(`limit must be 1 to ${MAX_LIST_LIMIT}`);
  if (options.cursor !== undefined && (typeof options.cursor !== 'string' || options.cursor === '' || options.cursor.length > 4096)) {
    throw new BadRequestError('Invalid cursor');
  }
  return { prefix: assertPrefix(options.prefix), limit, cursor: options.cursor };
}

export function toBytes(body: Uint8Array | string): Uint8Array {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  throw new BadRequestError('A file body is bytes (Uint8Array) or text');
}
