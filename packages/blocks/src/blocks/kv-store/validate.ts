/**
 * Input checks and encodings shared by every KVStore implementation, so the
 * local store and the DynamoDB store reject exactly the same inputs with
 * exactly the same errors.
 */
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.js';
import {
  DEFAULT_LIST_LIMIT,
  MAX_KEY_BYTES,
  MAX_LIST_LIMIT,
  MAX_VALUE_BYTES,
  type DeleteOptions,
  type ListOptions,
  type PutOptions,
} from './types.js';

/** Longest accepted `ttlSeconds` (100 years): keeps `expiresAt` an exact integer. */
const MAX_TTL_SECONDS = 100 * 365 * 24 * 60 * 60;

/**
 * Orders keys by their UTF-8 bytes, which is how DynamoDB orders sort keys.
 * This differs from JavaScript's default (UTF-16 code unit) order for
 * characters outside the Basic Multilingual Plane, e.g. '\uFFFD' < '😀' here.
 */
export function compareKeys(a: string, b: string): number {
  // Same answer as Buffer.compare of the UTF-8 encodings (UTF-8 keeps code point order), without
  // encoding: sorting 100k keys made ~3.4M Buffers that way, seconds of a local store's open.
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * A UTF-16 code unit's rank in code point order: surrogates (halves of
 * characters above U+FFFF) move above U+E000–U+FFFF, everything else keeps
 * its place.
 */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * Why `text` cannot be a key (or key prefix), or undefined if it can.
 * Lone surrogates are rejected because they have no UTF-8 encoding: two
 * different keys would collapse into the same bytes (U+FFFD).
 */
function textProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit <= 0x1f) {
      return `contains the control character U+${unit.toString(16).toUpperCase().padStart(4, '0')} at index ${i}`;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `contains a lone surrogate at index ${i} (not well-formed UTF-16)`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      return `contains a lone surrogate at index ${i} (not well-formed UTF-16)`;
    }
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} UTF-8 bytes`;
  return undefined;
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, got ${describeType(key)}`;
  if (key.length === 0) return 'must not be empty';
  return textProblem(key);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Throws `BadRequestError` unless `key` is a usable key. */
export function assertValidKey(key: unknown): asserts key is string {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new BadRequestError(`Invalid key: it ${problem}.`);
}

/**
 * The stored form of a value. Rejects what JSON cannot carry at the top level
 * (undefined, functions, symbols, bigints, cycles) instead of storing
 * something the caller did not write.
 */
export function serializeValue(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequestError(`Invalid value: it cannot be serialised as JSON (${reason}).`);
  }
  if (json === undefined) {
    throw new BadRequestError(`Invalid value: ${describeType(value)} cannot be serialised as JSON.`);
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw new PayloadTooLargeError(
      `Value too large: ${bytes} bytes of JSON, the limit is ${MAX_VALUE_BYTES}.`,
      { bytes, limit: MAX_VALUE_BYTES },
    );
  }
  return json;
}

/** Options objects must be plain objects (or absent); anything else is a caller bug. */
function optionsRecord(options: unknown, what: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new BadRequestError(`Invalid ${what} options: expected an object, got ${describeType(options)}.`);
  }
  return options as Record<string, unknown>;
}

function optionalPositiveInteger(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new BadRequestError(`Invalid ${name}: expected an integer from 1 to ${max}.`);
  }
  return value;
}

export interface NormalisedPutOptions {
  readonly ifNotExists: boolean;
  readonly ifVersion?: number;
  readonly ttlSeconds?: number;
}

export function normalisePutOptions(options?: PutOptions): NormalisedPutOptions {
  const record = optionsRecord(options, 'put');
  const { ifNotExists = false } = record;
  if (typeof ifNotExists !== 'boolean') throw new BadRequestError('Invalid ifNotExists: expected a boolean.');
  const ifVersion = optionalPositiveInteger(record.ifVersion, 'ifVersion');
  const ttlSeconds = optionalPositiveInteger(record.ttlSeconds, 'ttlSeconds', MAX_TTL_SECONDS);
  // Both at once can never succeed: a live item has a version, an absent one does not.
  if (ifNotExists && ifVersion !== undefined) {
    throw new BadRequestError('Invalid put options: use ifNotExists or ifVersion, not both.');
  }
  return { ifNotExists, ifVersion, ttlSeconds };
}

export interface NormalisedDeleteOptions {
  readonly ifVersion?: number;
}

export function normaliseDeleteOptions(options?: DeleteOptions): NormalisedDeleteOptions {
  const record = optionsRecord(options, 'delete');
  return { ifVersion: optionalPositiveInteger(record.ifVersion, 'ifVersion') };
}

export interface NormalisedListOptions {
  readonly prefix: string;
  readonly limit: number;
  /** The last key of the previous page, decoded from `cursor`; the page starts after it. */
  readonly startAfter?: string;
}

export function normaliseListOptions(options?: ListOptions): NormalisedListOptions {
  const record = optionsRecord(options, 'list');
  const { prefix = '', limit = DEFAULT_LIST_LIMIT, cursor } = record;
  if (typeof prefix !== 'string') throw new BadRequestError('Invalid prefix: expected a string.');
  const problem = prefix === '' ? undefined : textProblem(prefix);
  if (problem !== undefined) throw new BadRequestError(`Invalid prefix: it ${problem}.`);
  const checkedLimit = optionalPositiveInteger(limit, 'limit', MAX_LIST_LIMIT) ?? DEFAULT_LIST_LIMIT;
  const startAfter = cursor === undefined ? undefined : decodeCursor(cursor);
  // A cursor only resumes the listing it came from: one from another prefix
  // (say another user's) must not become a way to page outside this one.
  if (startAfter !== undefined && !startAfter.startsWith(prefix)) throw new BadRequestError('Invalid cursor');
  return { prefix, limit: checkedLimit, startAfter };
}

// Versioned so the cursor format can change without misreading old cursors.
const CURSOR_TAG = 'k1:';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** An opaque cursor that resumes a listing after `lastKey`. */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(CURSOR_TAG + lastKey, 'utf8').toString('base64url');
}

/** The key a cursor resumes after; `BadRequestError('Invalid cursor')` for anything we did not issue. */
function decodeCursor(cursor: unknown): string {
  const invalid = (): BadRequestError => new BadRequestError('Invalid cursor');
  if (typeof cursor !== 'string' || !BASE64URL.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips junk silently; only a canonical round trip is ours.
  if (bytes.toString('base64url') !== cursor) throw invalid();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid();
  }
  if (!text.startsWith(CURSOR_TAG)) throw invalid();
  const key = text.slice(CURSOR_TAG.length);
  if (keyProblem(key) !== undefined) throw invalid();
  return key;
}
