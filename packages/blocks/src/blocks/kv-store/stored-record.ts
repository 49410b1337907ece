/**
 * One record as the local store keeps it: `{ version, expiresAt?, value }` as
 * JSON text. The older one-file-per-key layout (legacy-files.ts) held the
 * same shape plus its key, so both read records through `decodeRecord`.
 */

export interface StoredRecord {
  readonly version: number;
  readonly expiresAt?: number;
  readonly value: unknown;
}

/** Builds the record text around the already-serialised value, so the value is stringified only once. */
export function encodeRecord(valueJson: string, version: number, expiresAt: number | undefined): string {
  const expiry = expiresAt === undefined ? '' : `,"expiresAt":${expiresAt}`;
  return `{"version":${version}${expiry},"value":${valueJson}}`;
}

/** The record, or why it is unreadable (only damage from outside the store can cause that). */
export function decodeRecord(text: string): StoredRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const record = parsed as Record<string, unknown>;
  if (!('value' in record)) return 'no "value"';
  if (typeof record.version !== 'number' || !Number.isSafeInteger(record.version) || record.version < 1) {
    return 'no positive integer "version"';
  }
  if (record.expiresAt !== undefined && typeof record.expiresAt !== 'number') return '"expiresAt" is not a number';
  return parsed as StoredRecord;
}
