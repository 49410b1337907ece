import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { ApiNamespace, Scope, ServiceUnavailableError } from '../index.js';
import { DEFAULT_MAX_BODY_BYTES } from '../rpc/protocol.js';
import * as fixtureApp from '../testing/fixture-app/index.js';
import { httpApiEvent, lambdaContext } from '../testing/http-api-event.js';
import { createLambdaHandler } from './lambda.js';

const scope = new Scope('lambda-test');
const app = {
  session: new ApiNamespace(scope, 'session', (context) => ({
    login: () => {
      context.cookies.set('sid', 'abc', { maxAge: 3600 });
      context.cookies.set('theme', 'dark, light; bold', { httpOnly: false });
      context.cookies.delete('legacy');
      context.responseHeaders.set('x-extra', 'yes');
      return 'ok';
    },
    cookie: (name: string) => context.cookies.get(name) ?? null,
    header: (name: string) => context.headers.get(name),
    requestId: () => context.requestId,
    echo: (value: unknown) => value,
    bug: () => {
      throw new Error('database password is hunter2');
    },
    busy: () => {
      throw new ServiceUnavailableError();
    },
  })),
};

const rpcBody = (method: string, params?: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params !== undefined && { params }) });

interface RpcBody {
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data: Record<string, unknown> };
}

function parse(result: APIGatewayProxyStructuredResultV2): RpcBody {
  return JSON.parse(result.body ?? '') as RpcBody;
}

const handler = createLambdaHandler(app);

describe('createLambdaHandler', () => {
  it('answers a JSON-RPC call with 200, plain-object headers and the Lambda request id', async () => {
    const context = lambdaContext();
    const result = await handler(httpApiEvent({ body: rpcBody('session.requestId') }), context);
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toEqual({ jsonrpc: '2.0', id: 1, result: context.awsRequestId });
    expect(result.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': context.awsRequestId,
    });
    expect(result.cookies).toBeUndefined();
    expect(result.isBase64Encoded).toBe(false);
  });

  it('serves the fixture app', async () => {
    const fixtureHandler = createLambdaHandler(fixtureApp);
    const result = await fixtureHandler(httpApiEvent({ body: rpcBody('greetings.hello', ['Ada', true]) }), lambdaContext());
    expect(parse(result).result).toBe('Hello, Ada!');
    const conflict = await fixtureHandler(httpApiEvent({ body: rpcBody('greetings.conflict') }), lambdaContext());
    expect(conflict.statusCode).toBe(409);
  });

  it('decodes a base64 body', async () => {
    const body = Buffer.from(rpcBody('session.echo', ['Zoë 😀']), 'utf8').toString('base64');
    const result = await handler(httpApiEvent({ body, isBase64Encoded: true }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(parse(result).result).toBe('Zoë 😀');
  });

  it('rejects a body over the limit with 413, plain or base64', async () => {
    const small = createLambdaHandler(app, { maxBodyBytes: 100 });
    const big = rpcBody('session.echo', ['x'.repeat(200)]);
    const plain = await small(httpApiEvent({ body: big }), lambdaContext());
    expect(plain.statusCode).toBe(413);
    expect(parse(plain).error?.data).toMatchObject({ status: 413 });
    const encoded = await small(httpApiEvent({ body: Buffer.from(big).toString('base64'), isBase64Encoded: true }), lambdaContext());
    expect(encoded.statusCode).toBe(413);
    // Exactly at the limit is fine; counted in bytes, not characters.
    const fits = rpcBody('session.echo', ['']);
    const atLimit = createLambdaHandler(app, { maxBodyBytes: Buffer.byteLength(fits) });
    expect((await atLimit(httpApiEvent({ body: fits }), lambdaContext())).statusCode).toBe(200);
    const multiByte = createLambdaHandler(app, { maxBodyBytes: Buffer.byteLength(rpcBody('session.echo', ['ééé'])) - 1 });
    expect((await multiByte(httpApiEvent({ body: rpcBody('session.echo', ['ééé']) }), lambdaContext())).statusCode).toBe(413);
  });

  it(`uses the dispatcher's default limit (${DEFAULT_MAX_BODY_BYTES} bytes)`, async () => {
    const body = rpcBody('session.echo', ['x'.repeat(DEFAULT_MAX_BODY_BYTES)]);
    const result = await handler(httpApiEvent({ body }), lambdaContext());
    expect(result.statusCode).toBe(413);
  });

  it('returns every Set-Cookie as its own entry in cookies, never joined', async () => {
    const result = await handler(httpApiEvent({ body: rpcBody('session.login') }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(result.cookies).toHaveLength(3);
    const [sid, theme, legacy] = result.cookies ?? [];
    expect(sid).toMatch(/^sid=abc; Max-Age=3600;/);
    expect(sid).toContain('HttpOnly');
    expect(theme).toMatch(/^theme=dark%2C%20light%3B%20bold;/);
    expect(theme).not.toContain('HttpOnly');
    expect(legacy).toMatch(/^legacy=; Max-Age=0;/);
    const headerNames = Object.keys(result.headers ?? {});
    expect(headerNames).not.toContain('set-cookie');
    expect(result.headers).toMatchObject({ 'x-extra': 'yes' });
  });

  it('makes event.cookies readable through context.cookies', async () => {
    const cookies = ['sid=s%3A123', 'theme=dark', 'empty='];
    const call = async (name: string): Promise<unknown> =>
      parse(await handler(httpApiEvent({ body: rpcBody('session.cookie', [name]), cookies }), lambdaContext())).result;
    expect(await call('sid')).toBe('s:123');
    expect(await call('theme')).toBe('dark');
    expect(await call('empty')).toBe('');
    expect(await call('missing')).toBeNull();
    const header = await handler(httpApiEvent({ body: rpcBody('session.header', ['cookie']), cookies }), lambdaContext());
    expect(parse(header).result).toBe('sid=s%3A123; theme=dark; empty=');
  });

  it('answers GET (or any non-POST) with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const result = await handler(httpApiEvent({ method }), lambdaContext());
      expect(result.statusCode, method).toBe(405);
      expect(result.headers?.allow).toBe('POST');
    }
  });

  it('answers an unknown method with 404 (JSON-RPC method not found)', async () => {
    for (const method of ['session.nope', 'nobody.login', 'session.toString', 'session.then', 'login']) {
      const result = await handler(httpApiEvent({ body: rpcBody(method) }), lambdaContext());
      expect(result.statusCode, method).toBe(404);
      expect(parse(result).error?.code).toBe(-32601);
    }
  });

  it('answers other paths with a 404 JSON message, and accepts a named stage prefix', async () => {
    for (const path of ['/', '/aws-blocks', '/aws-blocks/api/', '/other/aws-blocks/api']) {
      const result = await handler(httpApiEvent({ path, body: rpcBody('session.echo', [1]) }), lambdaContext());
      expect(result.statusCode, path).toBe(404);
      expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(result.body ?? '')).toEqual({ message: 'Not found. The Blocks API is POST /aws-blocks/api' });
    }
    const staged = await handler(
      httpApiEvent({ stage: 'prod', path: '/prod/aws-blocks/api', body: rpcBody('session.echo', [1]) }),
      lambdaContext(),
    );
    expect(staged.statusCode).toBe(200);
  });

  it('answers a bug with 500 carrying only the Lambda request id, and logs the details', async () => {
    const logger = { error: vi.fn() };
    const logged = createLambdaHandler(app, { logger });
    const context = lambdaContext();
    const result = await logged(httpApiEvent({ body: rpcBody('session.bug') }), context);
    expect(result.statusCode).toBe(500);
    expect(parse(result).error).toEqual({
      code: -32603,
      message: `Internal error (request id ${context.awsRequestId})`,
      data: { status: 500, name: 'InternalError', requestId: context.awsRequestId },
    });
    expect(result.body).not.toContain('hunter2');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]?.[0])).toContain(context.awsRequestId);
  });

  it('answers a dependency outage with 503 and Retry-After', async () => {
    const result = await handler(httpApiEvent({ body: rpcBody('session.busy') }), lambdaContext());
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
  });

  it('reads header names case-insensitively', async () => {
    const headers = { 'Content-Type': 'Application/JSON; charset=UTF-8', 'X-Custom-Thing': 'value' };
    const event = httpApiEvent({ body: rpcBody('session.header', ['x-custom-thing']), headers });
    delete event.headers['content-type'];
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(parse(result).result).toBe('value');
  });

  it('rejects a body that is not JSON with 415 or a parse error', async () => {
    const textEvent = httpApiEvent({ body: rpcBody('session.echo', [1]), headers: { 'content-type': 'text/plain' } });
    const wrongType = await handler(textEvent, lambdaContext());
    expect(wrongType.statusCode).toBe(415);
    const broken = await handler(httpApiEvent({ body: '{"jsonrpc":' }), lambdaContext());
    expect(broken.statusCode).toBe(400);
    expect(parse(broken).error?.code).toBe(-32700);
    const empty = await handler(httpApiEvent({}), lambdaContext());
    expect(empty.statusCode).toBe(400);
  });
});
