/**
 * An in-memory DynamoDB (dynalite) on a free localhost port, for testing the
 * aws-runtime KVStore offline. Tables get the real KVStore schema.
 *
 * @example
 * const db = await startDynalite();
 * const table = await db.createTable();
 * const store = new DynamoKVStore({ tableName: table, client: db.client });
 * await db.close();
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { KV_TABLE } from '../dynamodb-schema.js';

/** dynalite checks that requests are signed, not by whom. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const DUMMY_REGION = 'us-east-1';

export interface Dynalite {
  /** e.g. `http://127.0.0.1:45123` */
  readonly endpoint: string;
  /** A document client for this server (no SDK retries, so injected faults surface at once). */
  readonly client: DynamoDBDocumentClient;
  /** Creates a KVStore-shaped table and resolves to its name; a fresh name each call unless given. */
  createTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

let tableCounter = 0;

/** A document client pointed at `endpoint` with dummy credentials. */
export function createTestDocumentClient(endpoint: string, maxAttempts = 1): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ endpoint, region: DUMMY_REGION, credentials: DUMMY_CREDENTIALS, maxAttempts });
  return DynamoDBDocumentClient.from(client);
}

export interface DynaliteOptions {
  /** DynamoDB's item size limit, 400 by default; lower it to provoke "item too large". */
  readonly maxItemSizeKb?: number;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<Dynalite> {
  // Tables become ACTIVE at once instead of after 500 ms.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createTestDocumentClient(endpoint);

  async function createTable(name = `kv-test-${++tableCounter}`): Promise<string> {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: KV_TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: KV_TABLE.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: KV_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: KV_TABLE.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    // dynalite marks the table ACTIVE on a timer and then writes that down
    // asynchronously; on a busy machine the next request can still find it
    // CREATING (ResourceNotFoundException), so wait for the state itself.
    while ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return name;
  }

  async function close(): Promise<void> {
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  return { endpoint, client, createTable, close };
}
