/**
 * The deployed data path under DynamoDB trouble: the real sample app, with
 * the Lambda's KVStore (the `aws-runtime` entry of the kit) and its shared
 * SDK client, called through the dispatcher. Throttling and timeouts are
 * injected by a client middleware inside the SDK's retry loop, so the SDK
 * retries them as it would in the cloud. The client must get 503 with
 * `Retry-After`, never 500, after exactly `maxAttempts` attempts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedDocumentClient } from '../../packages/blocks/src/blocks/kv-store/dynamodb-client.js';
import { KV_DYNAMODB_ENDPOINT_ENV, KV_TABLE_BINDING } from '../../packages/blocks/src/blocks/kv-store/dynamodb-schema.js';
import { DUMMY_CREDENTIALS, DUMMY_REGION, startDynalite, type Dynalite } from '../../packages/blocks/src/blocks/kv-store/testing/dynalite.js';
import { expectWellFormed, startSampleApp, type SampleApp, type WireResponse } from './helpers.js';

// The app imports 'blocks-kit'; here it gets what the Lambda bundle gets.
vi.mock('blocks-kit', async () => (await import('../../packages/blocks/src/testing/kit-variant.js')).kitUnder('aws-runtime'));

let db: Dynalite;
let app: SampleApp;
let maxAttempts: number;
/** The fault every SDK attempt meets; undefined lets requests through to dynalite. */
let fault: (() => Error) | undefined;
let attempts = 0;

beforeAll(async () => {
  db = await startDynalite();
  app = await startSampleApp({
    env: {
      [KV_TABLE_BINDING.env]: JSON.stringify({ 'notes-app/notes': await db.createTable() }),
      [KV_DYNAMODB_ENDPOINT_ENV]: db.endpoint,
      AWS_REGION: DUMMY_REGION,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    },
  });
  // The very client the app's stores use, configured as in the Lambda.
  const client = sharedDocumentClient();
  maxAttempts = await client.config.maxAttempts();
  client.middlewareStack.add(
    (next) => async (args) => {
      if (fault === undefined) return next(args);
      attempts++;
      throw fault();
    },
    { step: 'deserialize', name: 'securitySuiteFault' },
  );
  // No backoff between the SDK's retries: the count matters here, not the wait.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await app?.close();
  await db?.close();
});

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (injected)`), { name, $metadata: { httpStatusCode: 400 }, ...extra });
}

const FAULTS: ReadonlyArray<readonly [string, () => Error]> = [
  ['ThrottlingException', () => sdkError('ThrottlingException')],
  ['ProvisionedThroughputExceededException', () => sdkError('ProvisionedThroughputExceededException')],
  ['RequestLimitExceeded', () => sdkError('RequestLimitExceeded')],
  ['a request timeout (TimeoutError)', () => sdkError('TimeoutError', { $metadata: {} })],
  ['a socket timeout (ETIMEDOUT)', () => Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
  ['InternalServerError (500)', () => sdkError('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
];

const NOTE_ID = `${'0'.repeat(10)}-${'0'.repeat(16)}`;
const CALLS: ReadonlyArray<readonly [string, unknown]> = [
  ['notes.create', { text: 'hello' }],
  ['notes.list', {}],
  ['notes.update', { id: NOTE_ID, text: 'edited' }],
  ['notes.delete', { id: NOTE_ID }],
];

async function call(method: string, params: unknown, groups: string[] = []): Promise<WireResponse> {
  return app.dispatcher.handle({
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', ...app.headersFor('dynamo-user', groups) }),
    body: new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })),
  });
}

async function faulty(make: () => Error, method: string, params: unknown, groups?: string[]): Promise<WireResponse> {
  fault = make;
  attempts = 0;
  try {
    return await call(method, params, groups);
  } finally {
    fault = undefined;
  }
}

describe('DynamoDB throttling and timeouts, through the dispatcher', () => {
  it('works against the table when nothing is wrong', async () => {
    const created = await call('notes.create', { text: 'before the storm' });
    expect(created.status, created.body).toBe(200);
    expect(maxAttempts).toBe(3);
  });

  it.each(FAULTS)('answers %s with 503 and Retry-After after exactly maxAttempts attempts', async (_name, make) => {
    // Every fault on one method, and every method under one fault (below), keep the SDK's retry quota in budget.
    const response = await faulty(make, 'notes.create', { text: 'x' });
    const body = expectWellFormed(response);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(body.error).toMatchObject({ code: -32603, data: { status: 503, name: 'ServiceUnavailableError' } });
    expect(attempts).toBe(maxAttempts);
  });

  it.each(CALLS)('answers %s under throttling with 503, retried maxAttempts times', async (method, params) => {
    const response = await faulty(() => sdkError('ThrottlingException'), method, params);
    expectWellFormed(response);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(attempts).toBe(maxAttempts);
  });

  it('answers the admin scan under throttling with 503 too', async () => {
    const response = await faulty(() => sdkError('ProvisionedThroughputExceededException'), 'admin.overview', [], ['admins']);
    expectWellFormed(response);
    expect(response.status).toBe(503);
    expect(attempts).toBe(maxAttempts);
  });

  it('does not retry or dress up a failure that is not transient: a generic 500, logged', async () => {
    const before = app.serverErrors.length;
    const response = await faulty(() => sdkError('AccessDeniedException'), 'notes.list', {});
    expectWellFormed(response, { allowInternalError: true });
    expect(response.status).toBe(500);
    expect(attempts).toBe(1);
    expect(app.serverErrors.length).toBe(before + 1);
  });

  it('recovers as soon as DynamoDB does, with every earlier note intact', async () => {
    const list = await call('notes.list', {});
    const body = expectWellFormed(list);
    expect(list.status).toBe(200);
    expect((body.result as { items: { text: string }[] }).items.map((note) => note.text)).toEqual(['before the storm']);
  });
});
