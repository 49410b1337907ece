/**
 * KVStore's panel in the local console (Data tab): browse by prefix with
 * paging, read an item with its version and TTL, write with the version
 * check (so an edit over someone else's newer write is a visible conflict),
 * delete, and export or import the store as JSON lines.
 */
import { BadRequestError } from '../../core/errors.js';
import { inputInteger, inputString, type ConsoleInput, type ConsoleSection } from '../../core/console-panel.js';
import { parseSafeJson } from '../../core/safe-json.js';
import type { KVItem, KVStoreApi } from './types.js';

const PAGE = 25;
// An import is one request body; past this, split the file.
const MAX_IMPORT_LINES = 10_000;

interface ItemView {
  key: string;
  value: unknown;
  version: number;
  /** ISO time the item expires, when it has a TTL. */
  expiresAt?: string;
}

function view(item: KVItem<unknown>): ItemView {
  return {
    key: item.key,
    value: item.value,
    version: item.version,
    ...(item.expiresAt !== undefined && { expiresAt: new Date(item.expiresAt * 1000).toISOString() }),
  };
}

function valueOf(input: ConsoleInput): unknown {
  if (!('value' in input)) throw new BadRequestError('"value" is missing');
  return input.value;
}

async function exportLines(store: KVStoreApi<unknown>, prefix: string): Promise<string> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, limit: 1000, ...(cursor !== undefined && { cursor }) });
    for (const item of page.items) {
      lines.push(JSON.stringify({ key: item.key, value: item.value, ...(item.expiresAt !== undefined && { expiresAt: item.expiresAt }) }));
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

async function importLines(store: KVStoreApi<unknown>, text: string): Promise<{ imported: number }> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > MAX_IMPORT_LINES) throw new BadRequestError(`At most ${MAX_IMPORT_LINES} lines per import`);
  // Check every line before writing any, so a bad file changes nothing.
  const records = lines.map((line, index) => {
    let parsed: unknown;
    try {
      parsed = parseSafeJson(line);
    } catch {
      throw new BadRequestError(`Line ${index + 1} is not JSON (or nests too deep, or has a __proto__ key)`);
    }
    const record = parsed as { key?: unknown; value?: unknown; expiresAt?: unknown };
    if (typeof record?.key !== 'string' || !('value' in record)) throw new BadRequestError(`Line ${index + 1} needs "key" and "value"`);
    const ttl = typeof record.expiresAt === 'number' ? Math.ceil(record.expiresAt - Date.now() / 1000) : undefined;
    return { key: record.key, value: record.value, ttl };
  });
  let imported = 0;
  for (const { key, value, ttl } of records) {
    if (ttl !== undefined && ttl <= 0) continue; // already expired
    await store.put(key, value, ttl !== undefined ? { ttlSeconds: ttl } : undefined);
    imported += 1;
  }
  return { imported };
}

export function kvStoreConsole(store: KVStoreApi<unknown>): ConsoleSection {
  return {
    ui: 'kv-store',
    tab: 'Data',
    actions: {
      async list(input) {
        const cursor = inputString(input, 'cursor', { optional: true });
        const page = await store.list({
          prefix: inputString(input, 'prefix', { optional: true, max: 1024 }),
          limit: Math.min(inputInteger(input, 'limit') ?? PAGE, 200),
          ...(cursor && { cursor }),
        });
        return { items: page.items.map(view), ...(page.cursor !== undefined && { cursor: page.cursor }) };
      },
      async get(input) {
        const item = await store.get(inputString(input, 'key', { max: 1024 }));
        return { item: item ? view(item) : null };
      },
      async put(input) {
        const key = inputString(input, 'key', { max: 1024 });
        const ifVersion = inputInteger(input, 'ifVersion');
        const ttlSeconds = inputInteger(input, 'ttlSeconds');
        const item = await store.put(key, valueOf(input), {
          ...(ifVersion !== undefined ? { ifVersion } : { ifNotExists: input.create === true }),
          ...(ttlSeconds !== undefined && ttlSeconds > 0 && { ttlSeconds }),
        });
        return { item: view(item) };
      },
      async delete(input) {
        const ifVersion = inputInteger(input, 'ifVersion');
        const deleted = await store.delete(inputString(input, 'key', { max: 1024 }), ifVersion !== undefined ? { ifVersion } : undefined);
        return { deleted };
      },
      async export(input) {
        return { lines: await exportLines(store, inputString(input, 'prefix', { optional: true, max: 1024 })) };
      },
      async import(input) {
        return importLines(store, inputString(input, 'lines', { max: 32 * 1024 * 1024 }));
      },
    },
  };
}
