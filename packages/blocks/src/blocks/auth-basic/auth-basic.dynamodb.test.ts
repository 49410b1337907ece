import { afterAll, beforeAll } from 'vitest';
import { DynamoKVStore } from '../kv-store/dynamodb-store.js';
import { startDynalite, type Dynalite } from '../kv-store/testing/dynalite.js';
import type { AuthBasicStores } from './options.js';
import { describeAuthBasicSuite } from './testing/suite.js';

let db: Dynalite;

beforeAll(async () => {
  db = await startDynalite();
});

afterAll(async () => {
  await db.close();
});

async function dynamoStores(): Promise<AuthBasicStores> {
  const open = async <T>(): Promise<DynamoKVStore<T>> => new DynamoKVStore<T>({ tableName: await db.createTable(), client: db.client });
  const [users, sessions, codes, throttle] = await Promise.all([open(), open(), open(), open()]);
  return { users, sessions, codes, throttle } as AuthBasicStores;
}

describeAuthBasicSuite('DynamoDB (dynalite)', dynamoStores);
