/**
 * The deployed KVStore: one DynamoDB table per store, laid out as described
 * in dynamodb-schema.ts. Meets the same `KVStoreApi` contract as the local
 * store, with one documented difference: a listing whose prefix has no '/'
 * spans partitions, so it is a Scan and its order is unspecified (a full
 * pagination still returns every live item exactly once).
 *
 * DynamoDB deletes expired items lazily (up to days after `ttl`), so every
 * read filters them out and every conditional write treats them as absent.
 * Reads are strongly consistent: a Block that writes and then reads or lists
 * must see its write, as it does locally.
 */
import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ServiceUnavailableError } from '../../core/errors.js';
import { documentSdk } from './dynamodb-client.js';
import { isConditionFailed, mapDynamoError } from './dynamodb-errors.js';
import { isPartitionedPrefix, KV_TABLE, partitionOf } from './dynamodb-schema.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';
import {
  assertValidKey,
  encodeCursor,
  normaliseDeleteOptions,
  normaliseListOptions,
  normalisePutOptions,
  serializeValue,
} from './validate.js';

export interface DynamoKVStoreOptions {
  readonly tableName: string;
  /** The client, or where to get it on the first call (so constructing a store loads no SDK). */
  readonly client: DynamoDBDocumentClient | (() => DynamoDBDocumentClient);
  /** The clock, in epoch milliseconds; `Date.now()` by default. */
  readonly now?: () => number;
}

type RawItem = Record<string, unknown>;
type DynamoDBKVClientSource = DynamoKVStoreOptions['client'];
type TableKey = Record<string, string>;

/**
 * Attribute placeholders. DynamoDB rejects reserved words in expressions
 * ('ttl' is one) and unused placeholders, so expressions always use these
 * and `attributeNames` includes only the ones an expression mentions.
 */
const PLACEHOLDERS = {
  '#pk': KV_TABLE.partitionKey,
  '#sk': KV_TABLE.sortKey,
  '#ttl': KV_TABLE.ttl,
  '#val': KV_TABLE.value,
  '#ver': KV_TABLE.version,
} as const;

function attributeNames(...expressions: (string | undefined)[]): Record<string, string> {
  const text = expressions.join(' ');
  const names: Record<string, string> = {};
  for (const [placeholder, name] of Object.entries(PLACEHOLDERS)) {
    if (new RegExp(`${placeholder}\\b`).test(text)) names[placeholder] = name;
  }
  return names;
}

/** True for a stored item that is live at `now`: not expired, or never expiring. */
const LIVE = '(attribute_not_exists(#ttl) OR #ttl > :now)';
/** A missing attribute compares false, so this holds only for a present, expired item. */
const EXPIRED = '#ttl <= :now';

/**
 * Unconditional puts that keep losing races (a concurrent delete or expiry
 * between our two conditional steps each time) give up with a retryable 503.
 */
const MAX_UPSERT_ATTEMPTS = 8;

function tableKey(key: string): TableKey {
  return { [KV_TABLE.partitionKey]: partitionOf(key), [KV_TABLE.sortKey]: key };
}

function isExpired(raw: RawItem, nowSeconds: number): boolean {
  const ttl = raw[KV_TABLE.ttl];
  return typeof ttl === 'number' && ttl <= nowSeconds;
}

function makeItem<T>(key: string, valueJson: string, version: number, expiresAt: number | undefined): KVItem<T> {
  const value = JSON.parse(valueJson) as T;
  return expiresAt === undefined ? { key, value, version } : { key, value, version, expiresAt };
}

/** A page that more items may follow: the cursor resumes after its last key. */
function pageWithCursor<T>(items: KVItem<T>[]): ListResult<T> {
  const last = items.at(-1);
  return last === undefined ? { items } : { items, cursor: encodeCursor(last.key) };
}

/** A KVStoreApi over one DynamoDB table; see the module comment. */
export class DynamoKVStore<T> implements KVStoreApi<T> {
  readonly tableName: string;
  readonly #clientSource: DynamoDBKVClientSource;
  #resolvedClient: DynamoDBDocumentClient | undefined;
  readonly #now: () => number;

  constructor(options: DynamoKVStoreOptions) {
    this.tableName = options.tableName;
    this.#clientSource = options.client;
    // Looked up on every call, not captured, so a faked Date in tests applies.
    this.#now = options.now ?? (() => Date.now());
  }

  async get(key: string): Promise<KVItem<T> | undefined> {
    assertValidKey(key);
    const { GetCommand } = documentSdk();
    const now = this.#nowSeconds();
    const { Item } = await this.#call('get', () =>
      this.#client.send(new GetCommand({ TableName: this.tableName, Key: tableKey(key), ConsistentRead: true })),
    );
    if (Item === undefined || isExpired(Item, now)) return undefined;
    return this.#parse(Item);
  }

  async put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>> {
    assertValidKey(key);
    const { ifNotExists, ifVersion, ttlSeconds } = normalisePutOptions(options);
    const valueJson = serializeValue(value);
    const now = this.#nowSeconds();
    // Whole seconds, rounded up, as the local store: the item lives at least ttlSeconds.
    const expiresAt = ttlSeconds === undefined ? undefined : Math.ceil(now) + ttlSeconds;
    let version: number;
    if (ifNotExists) {
      version = 1;
      const written = await this.#putIf(key, valueJson, version, expiresAt, `attribute_not_exists(#sk) OR ${EXPIRED}`, {
        ':now': now,
      });
      if (!written) throw new ConflictError('Key already exists.', { key });
    } else if (ifVersion !== undefined) {
      version = ifVersion + 1;
      const written = await this.#putIf(key, valueJson, version, expiresAt, `#ver = :expected AND ${LIVE}`, {
        ':expected': ifVersion,
        ':now': now,
      });
      if (!written) {
        throw new ConflictError(`Expected version ${ifVersion}, but the key is absent or has another version.`, {
          key,
        });
      }
    } else {
      version = await this.#upsert(key, valueJson, expiresAt, now);
    }
    return makeItem<T>(key, valueJson, version, expiresAt);
  }

  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    assertValidKey(key);
    const { DeleteCommand } = documentSdk();
    const { ifVersion } = normaliseDeleteOptions(options);
    const now = this.#nowSeconds();
    const condition = ifVersion === undefined ? undefined : `#ver = :expected AND ${LIVE}`;
    try {
      // Also removes an expired item DynamoDB has not swept yet; it was not live, so the answer is false.
      const { Attributes } = await this.#call('delete', () =>
        this.#client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: tableKey(key),
            ReturnValues: 'ALL_OLD',
            ...(condition !== undefined && {
              ConditionExpression: condition,
              ExpressionAttributeNames: attributeNames(condition),
              ExpressionAttributeValues: { ':expected': ifVersion, ':now': now },
            }),
          }),
        ),
      );
      return Attributes !== undefined && !isExpired(Attributes, now);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      throw new ConflictError(`Expected version ${ifVersion}, but the key is absent or has another version.`, { key });
    }
  }

  async list(options?: ListOptions): Promise<ListResult<T>> {
    const { prefix, limit, startAfter } = normaliseListOptions(options);
    const now = this.#nowSeconds();
    const items: KVItem<T>[] = [];
    let startKey: RawItem | undefined = startAfter === undefined ? undefined : tableKey(startAfter);
    // DynamoDB applies Limit before the filters and pages at 1 MB, so keep
    // reading until the page is full or the data ends.
    for (;;) {
      const page = await this.#readPage(prefix, now, startKey, limit - items.length);
      for (const raw of page.Items ?? []) {
        // A live item beyond a full page: more follow.
        if (items.length === limit) return pageWithCursor(items);
        items.push(this.#parse(raw));
      }
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) return { items };
      if (items.length === limit) return pageWithCursor(items);
    }
  }

  /**
   * One DynamoDB page of live items with keys starting with `prefix`, after
   * `startKey`. A prefix with '/' lies in one partition: a Query in sort-key
   * (UTF-8 byte) order. Anything else spans partitions: a filtered Scan.
   */
  #readPage(
    prefix: string,
    now: number,
    startKey: RawItem | undefined,
    wanted: number,
  ): Promise<Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'>> {
    const { QueryCommand, ScanCommand } = documentSdk();
    const common = { TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey };
    if (isPartitionedPrefix(prefix)) {
      const keyCondition = '#pk = :pk AND begins_with(#sk, :prefix)';
      return this.#call('list', () =>
        this.#client.send(
          new QueryCommand({
            ...common,
            KeyConditionExpression: keyCondition,
            FilterExpression: LIVE,
            ExpressionAttributeNames: attributeNames(keyCondition, LIVE),
            ExpressionAttributeValues: { ':pk': partitionOf(prefix), ':prefix': prefix, ':now': now },
            // One more than needed tells whether the page gets a cursor.
            Limit: wanted + 1,
          }),
        ),
      );
    }
    const filter = prefix === '' ? LIVE : `begins_with(#sk, :prefix) AND ${LIVE}`;
    return this.#call('list', () =>
      this.#client.send(
        new ScanCommand({
          ...common,
          FilterExpression: filter,
          ExpressionAttributeNames: attributeNames(filter),
          ExpressionAttributeValues: prefix === '' ? { ':now': now } : { ':prefix': prefix, ':now': now },
          // With a prefix most scanned items may not match; a small Limit would
          // then cost a round trip per few items, so let DynamoDB fill 1 MB pages.
          ...(prefix === '' && { Limit: wanted + 1 }),
        }),
      ),
    );
  }

  /**
   * A put without conditions still needs the stored version to compute the
   * next one. One UpdateItem covers absent and live items (if_not_exists
   * starts at 1); an item that expired but is still stored fails its
   * condition and is replaced as new. Races between the two steps retry.
   */
  async #upsert(key: string, valueJson: string, expiresAt: number | undefined, now: number): Promise<number> {
    const { UpdateCommand } = documentSdk();
    const update =
      'SET #val = :val, #ver = if_not_exists(#ver, :zero) + :one' +
      (expiresAt === undefined ? ' REMOVE #ttl' : ', #ttl = :ttl');
    for (let attempt = 0; attempt < MAX_UPSERT_ATTEMPTS; attempt++) {
      try {
        const { Attributes } = await this.#call('put', () =>
          this.#client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: tableKey(key),
              UpdateExpression: update,
              ConditionExpression: LIVE,
              ExpressionAttributeNames: attributeNames(update, LIVE),
              ExpressionAttributeValues: {
                ':val': valueJson,
                ':zero': 0,
                ':one': 1,
                ':now': now,
                ...(expiresAt !== undefined && { ':ttl': expiresAt }),
              },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        );
        const version = Attributes?.[KV_TABLE.version];
        if (typeof version !== 'number') throw new Error(`DynamoDB returned no version for "${key}" in ${this.tableName}.`);
        return version;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      if (await this.#putIf(key, valueJson, 1, expiresAt, EXPIRED, { ':now': now })) return 1;
    }
    throw new ServiceUnavailableError('KVStore put kept racing with concurrent writes; retry shortly.', 1);
  }

  /** A whole-item PutItem under `condition`; false when the condition did not hold. */
  async #putIf(
    key: string,
    valueJson: string,
    version: number,
    expiresAt: number | undefined,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const { PutCommand } = documentSdk();
    const item: RawItem = {
      ...tableKey(key),
      [KV_TABLE.value]: valueJson,
      [KV_TABLE.version]: version,
      ...(expiresAt !== undefined && { [KV_TABLE.ttl]: expiresAt }),
    };
    try {
      await this.#call('put', () =>
        this.#client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeNames: attributeNames(condition),
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The client, created (and the SDK loaded) on this store's first call. */
  get #client(): DynamoDBDocumentClient {
    this.#resolvedClient ??= typeof this.#clientSource === 'function' ? this.#clientSource() : this.#clientSource;
    return this.#resolvedClient;
  }

  #nowSeconds(): number {
    return this.#now() / 1000;
  }

  async #call<R>(what: string, send: () => Promise<R>): Promise<R> {
    try {
      return await send();
    } catch (error) {
      throw mapDynamoError(error, what);
    }
  }

  /** Only this store writes its table, so a malformed item is a bug worth a 500, not a silent skip. */
  #parse(raw: RawItem): KVItem<T> {
    const key = raw[KV_TABLE.sortKey];
    const valueJson = raw[KV_TABLE.value];
    const version = raw[KV_TABLE.version];
    const ttl = raw[KV_TABLE.ttl];
    if (
      typeof key !== 'string' ||
      typeof valueJson !== 'string' ||
      typeof version !== 'number' ||
      (ttl !== undefined && typeof ttl !== 'number')
    ) {
      throw new Error(`Malformed KVStore item in table ${this.tableName}: ${JSON.stringify(raw[KV_TABLE.sortKey])}.`);
    }
    return makeItem<T>(key, valueJson, version, typeof ttl === 'number' ? ttl : undefined);
  }
}
