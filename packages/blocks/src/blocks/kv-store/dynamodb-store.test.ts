import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  BadRequestError,
  ConflictError,
  PayloadTooLargeError,
  ServiceUnavailableError,
} from '../../core/errors.js';
import { describeKVStoreContract } from './testing/contract.js';
import { KV_DYNAMODB_ENDPOINT_ENV, KV_TABLE, KV_TABLE_BINDING, partitionOf } from './dynamodb-schema.js';
import { DynamoKVStore } from './dynamodb-store.js';
import { KVStore as AwsKVStore } from './index.aws.js';
import { Scope as AwsScope } from '../../core/scope.js';
import { createTestDocumentClient, DUMMY_CREDENTIALS, DUMMY_REGION, startDynalite, type Dynalite } from './testing/dynalite.js';

let db: Dynalite;

beforeAll(async () => {
  db = await startDynalite();
});

afterAll(async () => {
  await db.close();
});

async function freshStore(client: DynamoDBDocumentClient = db.client, now?: () => number): Promise<DynamoKVStore<unknown>> {
  return new DynamoKVStore({ tableName: await db.createTable(), client, now });
}

/** The item as stored, bypassing the store (and its expiry filter). */
async function rawItem(store: DynamoKVStore<unknown>, key: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: store.tableName, Key: { [KV_TABLE.partitionKey]: partitionOf(key), [KV_TABLE.sortKey]: key } }),
  );
  return Item;
}

interface SentCommand {
  readonly name: string;
  readonly output: Record<string, unknown>;
}

/** A client that records every command it completes, by the low-level command name. */
function recordingClient(): { client: DynamoDBDocumentClient; sent: SentCommand[] } {
  const client = createTestDocumentClient(db.endpoint);
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      sent.push({ name: String(context.commandName), output: result.output as Record<string, unknown> });
      return result;
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, sent };
}

/**
 * A client whose every attempt fails with `fault()`. Added in the deserialize
 * step, which runs inside the SDK's retry loop, so retries see the fault too.
 */
function faultyClient(fault: () => Error, maxAttempts = 1): { client: DynamoDBDocumentClient; attempts: () => number } {
  const client = createTestDocumentClient(db.endpoint, maxAttempts);
  let attempts = 0;
  client.middlewareStack.add(
    () => async () => {
      attempts++;
      throw fault();
    },
    { step: 'deserialize', name: 'injectFault' },
  );
  return { client, attempts: () => attempts };
}

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (injected)`), { name, $metadata: {}, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describeKVStoreContract('DynamoKVStore on dynalite', () => freshStore());

describe('DynamoKVStore table layout', () => {
  it('stores pk = first key segment, sk = key, val = the JSON text, ver, ttl in epoch seconds', async () => {
    const store = await freshStore();
    await store.put('alice/notes/1', { title: 'Zoë', n: [1, 2] });
    expect(await rawItem(store, 'alice/notes/1')).toEqual({
      pk: 'alice',
      sk: 'alice/notes/1',
      val: '{"title":"Zoë","n":[1,2]}',
      ver: 1,
    });
    const item = await store.put('alice/notes/1', 'later', { ttlSeconds: 60 });
    expect(await rawItem(store, 'alice/notes/1')).toEqual({
      pk: 'alice',
      sk: 'alice/notes/1',
      val: '"later"',
      ver: 2,
      ttl: item.expiresAt,
    });
    await store.put('solo', 1);
    await store.put('/rooted', 2);
    expect(await rawItem(store, 'solo')).toMatchObject({ pk: 'solo', sk: 'solo' });
    expect(await rawItem(store, '/rooted')).toMatchObject({ pk: '/', sk: '/rooted' });
  });

  it('maps keys and prefixes to partitions', () => {
    expect(partitionOf('sub-123/note-9')).toBe('sub-123');
    expect(partitionOf('sub-123/')).toBe('sub-123');
    expect(partitionOf('a/b/c')).toBe('a');
    expect(partitionOf('plain')).toBe('plain');
    expect(partitionOf('/x')).toBe('/');
    expect(partitionOf('//')).toBe('/');
  });
});

describe('DynamoKVStore listing', () => {
  it("lists one user's items with a single Query on their partition, never a Scan", async () => {
    const { client, sent } = recordingClient();
    const store = await freshStore(client);
    const alice = Array.from({ length: 12 }, (_, i) => `alice/${String(i).padStart(2, '0')}`);
    await Promise.all([...alice, 'bob/1', 'bob/2', 'alicex', 'alice', 'zed/1'].map((key) => store.put(key, key)));
    sent.length = 0;

    const { items, cursor } = await store.list({ prefix: 'alice/' });
    expect(items.map((item) => item.key)).toEqual(alice);
    expect(cursor).toBeUndefined();
    expect(sent.map((command) => command.name)).toEqual(['QueryCommand']);
    // DynamoDB read only Alice's items: nothing else in the table was examined.
    expect(sent[0]?.output).toMatchObject({ ScannedCount: alice.length, Count: alice.length });

    sent.length = 0;
    const page = await store.list({ prefix: 'alice/', limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(sent.map((command) => command.name)).toEqual(['QueryCommand']);
    // One item beyond the page is read to know whether a cursor is needed.
    expect(sent[0]?.output.ScannedCount).toBe(6);
    client.destroy();
  });

  it('lists a prefix without "/" with a Scan', async () => {
    const { client, sent } = recordingClient();
    const store = await freshStore(client);
    await Promise.all(['a/1', 'ab', 'b'].map((key) => store.put(key, key)));
    sent.length = 0;
    expect((await store.list({ prefix: 'a' })).items.map((item) => item.key).sort()).toEqual(['a/1', 'ab']);
    expect(sent.map((command) => command.name)).toEqual(['ScanCommand']);
    client.destroy();
  });

  it('rejects a cursor from another prefix before sending anything', async () => {
    const { client, sent } = recordingClient();
    const store = await freshStore(client);
    await Promise.all(['alice/1', 'alice/2', 'bob/1'].map((key) => store.put(key, key)));
    const { cursor } = await store.list({ prefix: 'alice/', limit: 1 });
    sent.length = 0;
    const error = await failure(store.list({ prefix: 'bob/', cursor }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as ApiError).message).toBe('Invalid cursor');
    expect(sent).toEqual([]);
    client.destroy();
  });

  it('keeps paging past DynamoDB pages emptied by the expiry filter', async () => {
    let now = Date.now();
    const store = await freshStore(db.client, () => now);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`u/${String(i).padStart(2, '0')}`, i, { ttlSeconds: 10 })));
    await Promise.all(['u/50', 'u/51', 'u/52'].map((key) => store.put(key, key)));
    now += 60_000;
    const first = await store.list({ prefix: 'u/', limit: 2 });
    expect(first.items.map((item) => item.key)).toEqual(['u/50', 'u/51']);
    const second = await store.list({ prefix: 'u/', limit: 2, cursor: first.cursor });
    expect(second).toEqual({ items: [{ key: 'u/52', value: 'u/52', version: 1 }] });
    expect((await store.list({ limit: 2 })).items).toHaveLength(2);
  });
});

describe('DynamoKVStore expiry', () => {
  it('ignores an expired item that DynamoDB has not deleted yet, and writes over it as new', async () => {
    let now = Date.UTC(2030, 0, 1);
    const store = await freshStore(db.client, () => now);
    const item = await store.put('alice/session', 'token', { ttlSeconds: 30 });
    expect(item.expiresAt).toBe(now / 1000 + 30);
    now += 31_000;

    // Still physically in the table: DynamoDB's TTL sweep is lazy.
    expect(await rawItem(store, 'alice/session')).toMatchObject({ ver: 1, ttl: item.expiresAt });
    expect(await store.get('alice/session')).toBeUndefined();
    expect(await store.list({ prefix: 'alice/' })).toEqual({ items: [] });
    expect(await store.list()).toEqual({ items: [] });
    await expect(store.put('alice/session', 'x', { ifVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.delete('alice/session', { ifVersion: 1 })).rejects.toBeInstanceOf(ConflictError);

    // An unconditional put over the expired item starts a new life at version 1.
    expect(await store.put('alice/session', 'fresh')).toEqual({ key: 'alice/session', value: 'fresh', version: 1 });
    expect(await rawItem(store, 'alice/session')).toEqual({ pk: 'alice', sk: 'alice/session', val: '"fresh"', ver: 1 });

    await store.put('alice/other', 1, { ttlSeconds: 1 });
    now += 2000;
    // Deleting an expired item reports no live item but removes it physically.
    expect(await store.delete('alice/other')).toBe(false);
    expect(await rawItem(store, 'alice/other')).toBeUndefined();
  });
});

describe('DynamoKVStore error mapping', () => {
  const unavailable: [string, () => Error][] = [
    ['ThrottlingException', () => sdkError('ThrottlingException')],
    ['ProvisionedThroughputExceededException', () => sdkError('ProvisionedThroughputExceededException')],
    ['RequestLimitExceeded', () => sdkError('RequestLimitExceeded')],
    ['TimeoutError', () => sdkError('TimeoutError')],
    ['RequestTimeout', () => sdkError('RequestTimeout')],
    ['a socket timeout', () => Object.assign(new Error('socket hang up'), { code: 'ETIMEDOUT' })],
    ['InternalServerError (500)', () => sdkError('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['ServiceUnavailable (503)', () => sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } })],
  ];

  it.each(unavailable)('%s becomes a retryable 503 on every operation', async (_, fault) => {
    const { client } = faultyClient(fault);
    const store = await freshStore(client);
    const calls = [
      store.get('k'),
      store.put('k', 1),
      store.put('k', 1, { ifNotExists: true }),
      store.put('k', 1, { ifVersion: 1 }),
      store.delete('k'),
      store.list({ prefix: 'u/' }),
      store.list(),
    ];
    for (const call of calls) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).status).toBe(503);
      expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(1);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    client.destroy();
  });

  it("maps throttling only after the SDK's own retries", async () => {
    const { client, attempts } = faultyClient(() => sdkError('ThrottlingException', { $retryable: { throttling: true } }), 2);
    const store = await freshStore(client);
    expect(await failure(store.get('k'))).toBeInstanceOf(ServiceUnavailableError);
    expect(attempts()).toBe(2);
    client.destroy();
  });

  it('lets other failures through unchanged (a 500 with a request id at the dispatcher)', async () => {
    const denied = sdkError('AccessDeniedException', { $metadata: { httpStatusCode: 400 } });
    const { client } = faultyClient(() => denied);
    const store = await freshStore(client);
    expect(await failure(store.get('k'))).toBe(denied);
    const other = sdkError('ValidationException', { message: 'One or more parameter values were invalid' });
    const { client: second } = faultyClient(() => other);
    expect(await failure((await freshStore(second)).put('k', 1))).toBe(other);
    client.destroy();
    second.destroy();
  });

  it('maps a failed condition to ConflictError and "item too large" to PayloadTooLargeError', async () => {
    const store = await freshStore();
    await store.put('k', 1);
    expect(await failure(store.put('k', 2, { ifNotExists: true }))).toBeInstanceOf(ConflictError);

    // A real oversized item, from a dynalite with a 1 KB item limit.
    const small = await startDynalite({ maxItemSizeKb: 1 });
    try {
      const tiny = new DynamoKVStore({ tableName: await small.createTable(), client: small.client });
      const big = 'x'.repeat(2000);
      const error = await failure(tiny.put('big', big));
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect((error as ApiError).status).toBe(413);
      expect(await failure(tiny.put('big', big, { ifNotExists: true }))).toBeInstanceOf(PayloadTooLargeError);
      await tiny.put('big', 'small');
      expect(await failure(tiny.put('big', big))).toBeInstanceOf(PayloadTooLargeError);
      expect(await failure(tiny.put('big', big, { ifVersion: 1 }))).toBeInstanceOf(PayloadTooLargeError);
      expect(await tiny.get('big')).toMatchObject({ value: 'small', version: 1 });
    } finally {
      await small.close();
    }
  });
});

describe('KVStore under the aws-runtime condition', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function stubAwsEnv(tables: Record<string, string>): void {
    vi.stubEnv(KV_TABLE_BINDING.env, JSON.stringify(tables));
    vi.stubEnv(KV_DYNAMODB_ENDPOINT_ENV, db.endpoint);
    vi.stubEnv('AWS_REGION', DUMMY_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', DUMMY_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', DUMMY_CREDENTIALS.secretAccessKey);
  }

  it('finds its table in BLOCKS_KV_TABLES and talks to it through the shared client', async () => {
    const tableName = await db.createTable();
    stubAwsEnv({ 's/notes': tableName, 's/other': 'unused-table' });
    const notes = new AwsKVStore<{ text: string }>(new AwsScope('s'), 'notes');
    expect(notes.kind).toBe('KVStore');
    const written = await notes.put('user-1/n1', { text: 'hello' });
    expect(written).toEqual({ key: 'user-1/n1', value: { text: 'hello' }, version: 1 });
    expect(await notes.get('user-1/n1')).toEqual(written);
    expect((await notes.list({ prefix: 'user-1/' })).items).toEqual([written]);
    expect(await notes.delete('user-1/n1')).toBe(true);
    const raw = await db.client.send(new GetCommand({ TableName: tableName, Key: { pk: 'user-1', sk: 'user-1/n1' } }));
    expect(raw.Item).toBeUndefined();
  });

  it('gives up on a DynamoDB that never answers with a 503 well inside the 10 s Lambda timeout', async () => {
    // Accepts requests and never responds: only the client's own timeouts end the call.
    let requests = 0;
    const silent = createServer(() => {
      requests++;
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      stubAwsEnv({ 's/notes': 'kv-notes' });
      vi.stubEnv(KV_DYNAMODB_ENDPOINT_ENV, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      const notes = new AwsKVStore(new AwsScope('s'), 'notes');
      const started = performance.now();
      const error = await failure(notes.get('user/1'));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(requests).toBe(3);
      expect(elapsed).toBeLessThan(9000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  }, 20_000);

  it('fails its first call, not its construction, when the table mapping is missing', async () => {
    stubAwsEnv({ 's/notes': 'kv-notes' });
    const missing = new AwsKVStore(new AwsScope('s'), 'drafts');
    const error = await failure(missing.get('k'));
    expect(String(error)).toMatch(/KVStore "s\/drafts" has no DynamoDB table name.*BLOCKS_KV_TABLES has no entry/);
  });
});
