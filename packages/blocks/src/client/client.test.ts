import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from '../dev/server.js';
import type * as Fixture from '../testing/fixture-app/index.js';
import { ApiError as ServerApiError, ConflictError } from '../core/errors.js';
import { ApiError, createBlocksClient, isApiError, withCallOptions, type Middleware } from './index.js';

// Against the real local server (Vite-loaded fixture app), not a fake fetch.
let server: BlocksDevServer;

beforeAll(async () => {
  server = await startBlocksDevServer({ entry: 'packages/blocks/src/testing/fixture-app/index.ts' });
});
afterAll(async () => {
  await server?.close();
});

describe('createBlocksClient', () => {
  it('calls methods with positional arguments and returns results', async () => {
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl });
    await expect(client.greetings.hello('Ada', true)).resolves.toBe('Hello, Ada!');
    await expect(client.counter.value()).resolves.toBe(7);
    await expect(client.greetings.stamp()).resolves.toEqual({ at: '1970-01-01T00:00:00.000Z', label: 'epoch' });
    await expect(client.greetings.add({ a: 41 })).resolves.toBe(42);
  });

  it('reads the URL from amplify outputs and explains when it is missing', async () => {
    const client = createBlocksClient<typeof Fixture>({ outputs: { custom: { blocks_api_url: server.apiUrl } } });
    await expect(client.counter.value()).resolves.toBe(7);
    expect(() => createBlocksClient<typeof Fixture>({ outputs: {} })).toThrow(/custom\.blocks_api_url/);
  });

  it('runs middleware in order, each able to change the request', async () => {
    const seen: string[] = [];
    const first: Middleware = (request, next) => {
      seen.push(`first:${request.method}`);
      request.headers.set('x-fixture', 'from-first');
      return next(request);
    };
    const second: Middleware = async (request, next) => {
      seen.push(`second:${request.headers.get('x-fixture')}`);
      const response = await next(request);
      seen.push(`second-after:${response.status}`);
      return response;
    };
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl, middleware: [first, second] });
    await expect(client.greetings.header()).resolves.toBe('from-first');
    expect(seen).toEqual(['first:greetings.header', 'second:from-first', 'second-after:200']);
  });

  it("throws the server's ApiError again: same class, same fields (status, code, name, message, data)", async () => {
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl });
    const error = await client.greetings.conflict().catch((caught: unknown) => caught);
    expect(isApiError(error)).toBe(true);
    expect(ApiError).toBe(ServerApiError);
    expect(error).toBeInstanceOf(ApiError);
    const thrown = new ConflictError('Already there', { key: 'k' });
    const fields = (e: ServerApiError) => ({ name: e.name, message: e.message, status: e.status, code: e.code, data: e.data });
    expect(fields(error as ServerApiError)).toEqual(fields(thrown));
    expect((error as ServerApiError).requestId).toBeUndefined();
    const bug = (await client.greetings.bug().catch((caught: unknown) => caught)) as ServerApiError;
    expect(bug).toMatchObject({ name: 'InternalError', status: 500, data: undefined });
    expect(bug.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bug.message).toBe(`Internal error (request id ${bug.requestId})`);
    const invalid = await client.greetings.add({ a: 'x' as unknown as number }).catch((caught: unknown) => caught);
    expect(invalid).toMatchObject({ status: 400, code: -32602 });
  });

  it('reports an unknown method as 404', async () => {
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl });
    const untyped = client as unknown as { greetings: { nope(): Promise<unknown> } };
    await expect(untyped.greetings.nope()).rejects.toMatchObject({ status: 404, code: -32601 });
  });

  it('supports AbortSignal per call', async () => {
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl });
    const controller = new AbortController();
    const pending = withCallOptions(client, { signal: controller.signal }).greetings.slow(5_000);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(withCallOptions(client, { headers: { 'x-fixture': 'per-call' } }).greetings.header()).resolves.toBe('per-call');
  });

  it('turns a non-JSON gateway answer into an ApiError, not a parse crash', async () => {
    const client = createBlocksClient<typeof Fixture>({
      url: server.apiUrl,
      fetch: async () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    await expect(client.counter.value()).rejects.toMatchObject({ status: 502, name: 'ApiError' });
  });

  it('is not thenable, so it can be returned from async functions', async () => {
    const client = createBlocksClient<typeof Fixture>({ url: server.apiUrl });
    const resolved = await Promise.resolve(client);
    expect(resolved).toBe(client);
  });
});
