import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiNamespace } from '../core/api-namespace.js';
import {
  ApiError,
  ConflictError,
  DuplicateIdError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../core/errors.js';
import { withInput } from '../core/input.js';
import { Scope } from '../core/scope.js';
import { createDispatcher, type Dispatcher, type RpcHttpResponse } from './dispatcher.js';
import { serveRpc } from '../transports/node.js';

class Greeter {
  hello(): string {
    return 'from the prototype';
  }
}

function makeApp() {
  const scope = new Scope('test-app');
  const hidden = new ApiNamespace(scope, 'hidden', () => ({ secret: () => 'should not be reachable' }));
  void hidden;
  return {
    math: new ApiNamespace(scope, 'math', (context) => ({
      add: (a: number, b: number) => a + b,
      echo: (value: unknown) => value,
      nothing: () => undefined,
      whoCalled: () => ({ method: context.method, requestId: context.requestId }),
      header: (name: string) => context.headers.get(name),
      notAFunction: 42 as unknown as () => number,
      sum: withInput(z.object({ values: z.array(z.number()).max(5) }), ({ values }) =>
        values.reduce((total, value) => total + value, 0),
      ),
    })),
    errors: new ApiNamespace(scope, 'errors', () => ({
      unauthorized: () => {
        throw new UnauthorizedError();
      },
      forbidden: () => {
        throw new ForbiddenError();
      },
      notFound: () => {
        throw new NotFoundError('No such note');
      },
      conflict: () => {
        throw new ConflictError('Version mismatch', { current: 3 });
      },
      teapot: () => {
        throw new ApiError('I am a teapot', 418, { tea: 'earl grey' });
      },
      unavailable: () => {
        throw new ApiError('Try later', 503);
      },
      throttled: () => {
        throw new ServiceUnavailableError('Slow down', 7.2);
      },
      bug: () => {
        throw new Error('secret database password in a stack trace');
      },
      bigint: () => 10n,
    })),
    cookies: new ApiNamespace(scope, 'cookies', (context) => ({
      setTwo: () => {
        context.cookies.set('a', '1');
        context.cookies.set('b', '2', { httpOnly: false, sameSite: 'strict', maxAge: 60 });
        context.responseHeaders.set('x-extra', 'yes');
        context.responseHeaders.set('content-type', 'text/html');
        return 'ok';
      },
      read: () => context.cookies.get('session') ?? null,
      clear: () => {
        context.cookies.delete('session');
        throw new UnauthorizedError('Signed out');
      },
    })),
    proto: new ApiNamespace(scope, 'proto', () => new Greeter() as unknown as Record<string, () => string>),
    withOwnForbidden: new ApiNamespace(scope, 'with-own-forbidden', () => ({
      then: () => 'thenable!',
      constructor: () => 'constructor!',
      toString: () => 'toString!',
    })),
    notANamespace: { call: () => 'plain object export' },
  };
}

function post(
  dispatcher: Dispatcher,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RpcHttpResponse> {
  return dispatcher.handle({
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
  });
}

const rpc = (method: string, params?: unknown, id: string | number = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params !== undefined && { params }),
});

function parse(response: RpcHttpResponse): {
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data: Record<string, unknown> };
} {
  const message = JSON.parse(response.body) as Record<string, unknown>;
  expect(message.jsonrpc).toBe('2.0');
  expect('result' in message !== 'error' in message).toBe(true);
  return message as ReturnType<typeof parse>;
}

describe('dispatcher', () => {
  const logger = { error: vi.fn() };
  const dispatcher = createDispatcher(makeApp(), { logger });

  it('calls exportName.method with positional params', async () => {
    const response = await post(dispatcher, rpc('math.add', [2, 3], 'abc'));
    expect(response.status).toBe(200);
    expect(parse(response)).toEqual({ jsonrpc: '2.0', id: 'abc', result: 5 });
  });

  it('passes named params as one object argument', async () => {
    const response = await post(dispatcher, rpc('math.echo', { a: 1, nested: { b: [true] } }));
    expect(parse(response).result).toEqual({ a: 1, nested: { b: [true] } });
  });

  it('answers undefined results with null', async () => {
    expect(parse(await post(dispatcher, rpc('math.nothing'))).result).toBeNull();
  });

  it('gives the method its name, a request id and case-insensitive headers', async () => {
    const response = await post(dispatcher, rpc('math.whoCalled'));
    const result = parse(response).result as { method: string; requestId: string };
    expect(result.method).toBe('math.whoCalled');
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).toBe(result.requestId);
    const header = await post(dispatcher, rpc('math.header', ['X-Custom-Thing']), { 'x-custom-THING': 'value' });
    expect(parse(header).result).toBe('value');
  });

  it.each([
    ['__proto__'],
    ['constructor'],
    ['toString'],
    ['hasOwnProperty'],
    ['valueOf'],
    ['then'],
    ['prototype'],
    ['notAFunction'],
    ['missing'],
  ])('refuses math.%s as method not found', async (name) => {
    const response = await post(dispatcher, rpc(`math.${name}`));
    expect(response.status).toBe(404);
    expect(parse(response).error).toMatchObject({ code: -32601, data: { status: 404 } });
  });

  it('refuses forbidden names even when the factory defines them as own methods', async () => {
    for (const name of ['then', 'constructor', 'toString']) {
      const response = await post(dispatcher, rpc(`withOwnForbidden.${name}`));
      expect(response.status).toBe(404);
    }
  });

  it('refuses inherited (prototype) methods, unexported namespaces and plain-object exports', async () => {
    for (const method of ['proto.hello', 'hidden.secret', 'notANamespace.call', 'math', 'math.', '.add', 'nope.add']) {
      const response = await post(dispatcher, rpc(method));
      expect(response.status, method).toBe(404);
      expect(parse(response).error?.code).toBe(-32601);
    }
  });

  it.each([
    ['unauthorized', 401, -32001, 'UnauthorizedError'],
    ['forbidden', 403, -32003, 'ForbiddenError'],
    ['notFound', 404, -32004, 'NotFoundError'],
    ['conflict', 409, -32009, 'ConflictError'],
    ['teapot', 418, -32018, 'ApiError'],
    ['unavailable', 503, -32603, 'ApiError'],
  ])('maps errors.%s to HTTP %i / code %i', async (method, status, code, name) => {
    const response = await post(dispatcher, rpc(`errors.${method}`));
    expect(response.status).toBe(status);
    const { error } = parse(response);
    expect(error).toMatchObject({ code, data: { status, name } });
  });

  it('tells clients when to retry on every 503: the delay the error names, else one second', async () => {
    expect((await post(dispatcher, rpc('errors.throttled'))).headers.get('retry-after')).toBe('8');
    expect((await post(dispatcher, rpc('errors.unavailable'))).headers.get('retry-after')).toBe('1');
    expect((await post(dispatcher, rpc('errors.conflict'))).headers.get('retry-after')).toBeNull();
  });

  it('sends ApiError data as details', async () => {
    const { error } = parse(await post(dispatcher, rpc('errors.conflict')));
    expect(error).toMatchObject({ message: 'Version mismatch', data: { details: { current: 3 } } });
  });

  it('turns an unexpected exception into a generic 500 with only the request id, and logs it', async () => {
    logger.error.mockClear();
    const response = await post(dispatcher, rpc('errors.bug'));
    expect(response.status).toBe(500);
    const { error } = parse(response);
    const requestId = response.headers.get('x-request-id');
    expect(error).toEqual({
      code: -32603,
      message: `Internal error (request id ${requestId})`,
      data: { status: 500, name: 'InternalError', requestId },
    });
    expect(response.body).not.toMatch(/secret|stack|at /);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]?.[0])).toContain(requestId);
  });

  it('treats a result that cannot be serialised as a server error', async () => {
    const response = await post(dispatcher, rpc('errors.bigint'));
    expect(response.status).toBe(500);
    expect(parse(response).error?.code).toBe(-32603);
  });

  describe('envelope errors', () => {
    it.each([
      ['not JSON', '{"jsonrpc":', 400, -32700],
      ['not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 400, -32700],
      ['a batch', [rpc('math.add', [1, 2])], 400, -32600],
      ['a string', '"hello"', 400, -32600],
      ['null', 'null', 400, -32600],
      ['no jsonrpc', { id: 1, method: 'math.add' }, 400, -32600],
      ['jsonrpc 1.0', { jsonrpc: '1.0', id: 1, method: 'math.add' }, 400, -32600],
      ['no id (notification)', { jsonrpc: '2.0', method: 'math.add' }, 400, -32600],
      ['object id', { jsonrpc: '2.0', id: {}, method: 'math.add' }, 400, -32600],
      ['numeric method', { jsonrpc: '2.0', id: 1, method: 7 }, 400, -32600],
      ['scalar params', { jsonrpc: '2.0', id: 1, method: 'math.add', params: 3 }, 400, -32600],
      ['null params', { jsonrpc: '2.0', id: 1, method: 'math.add', params: null }, 400, -32600],
      ['__proto__ key', '{"jsonrpc":"2.0","id":1,"method":"math.echo","params":{"__proto__":{"polluted":true}}}', 400, -32600],
      ['constructor key', '{"jsonrpc":"2.0","id":1,"method":"math.echo","params":[{"a":{"constructor":{"prototype":{"x":1}}}}]}', 400, -32600],
      ['prototype key', '{"jsonrpc":"2.0","id":1,"method":"math.echo","params":{"prototype":1}}', 400, -32600],
      ['deep nesting', `{"jsonrpc":"2.0","id":1,"method":"math.echo","params":${'['.repeat(100)}${']'.repeat(100)}}`, 400, -32600],
    ])('%s → %i / %i', async (_label, body, status, code) => {
      const response =
        body instanceof Uint8Array
          ? await dispatcher.handle({ method: 'POST', headers: new Headers({ 'content-type': 'application/json' }), body })
          : await post(dispatcher, body);
      expect(response.status).toBe(status);
      const message = parse(response);
      expect(message.error?.code).toBe(code);
      expect(message.id).toBeNull();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('requires a JSON content type (415), which also keeps form posts out', async () => {
      const response = await dispatcher.handle({
        method: 'POST',
        headers: new Headers({ 'content-type': 'text/plain' }),
        body: new TextEncoder().encode(JSON.stringify(rpc('math.add', [1, 2]))),
      });
      expect(response.status).toBe(415);
      expect(parse(response).error?.data.status).toBe(415);
      const withCharset = await post(dispatcher, rpc('math.add', [1, 2]), { 'content-type': 'application/json; charset=utf-8' });
      expect(withCharset.status).toBe(200);
    });

    it('answers other HTTP methods with 405 and Allow: POST', async () => {
      const response = await dispatcher.handle({ method: 'GET', headers: new Headers(), body: new Uint8Array() });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(parse(response).error?.code).toBe(-32600);
    });
  });

  describe('schema validation', () => {
    it('passes valid input through the schema', async () => {
      expect(parse(await post(dispatcher, rpc('math.sum', { values: [1, 2, 3] }))).result).toBe(6);
      expect(parse(await post(dispatcher, rpc('math.sum', [{ values: [4] }]))).result).toBe(4);
    });

    it('rejects invalid input with 400 / -32602 and the issue paths', async () => {
      const response = await post(dispatcher, rpc('math.sum', { values: [1, 'two', 3] }));
      expect(response.status).toBe(400);
      const { error } = parse(response);
      expect(error?.code).toBe(-32602);
      expect(error?.data.name).toBe('InvalidParamsError');
      expect((error?.data.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['values.1']);
    });

    it('rejects missing input', async () => {
      const response = await post(dispatcher, rpc('math.sum'));
      expect(response.status).toBe(400);
      expect(parse(response).error?.code).toBe(-32602);
    });
  });

  describe('headers and cookies', () => {
    it('sends each cookie as its own Set-Cookie, secure by default, plus extra headers', async () => {
      const response = await post(dispatcher, rpc('cookies.setTwo'));
      expect(response.cookies).toHaveLength(2);
      expect(response.cookies[0]).toMatch(/^a=1; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(response.cookies[1]).toContain('b=2');
      expect(response.cookies[1]).toContain('Max-Age=60');
      expect(response.cookies[1]).toContain('SameSite=Strict');
      expect(response.cookies[1]).not.toContain('HttpOnly');
      expect(response.headers.get('x-extra')).toBe('yes');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    });

    it('reads request cookies', async () => {
      const response = await post(dispatcher, rpc('cookies.read'), { cookie: 'theme=dark; session=s%3A42' });
      expect(parse(response).result).toBe('s:42');
    });

    it('keeps cookies set before an ApiError', async () => {
      const response = await post(dispatcher, rpc('cookies.clear'));
      expect(response.status).toBe(401);
      expect(response.cookies).toHaveLength(1);
      expect(response.cookies[0]).toMatch(/^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/);
    });
  });

  it('marks responses uncacheable and not sniffable', async () => {
    const response = await post(dispatcher, rpc('math.add', [1, 1]));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('scope ids', () => {
  it('refuses a duplicate id in one scope at startup', () => {
    const scope = new Scope('dupes');
    new ApiNamespace(scope, 'api', () => ({}));
    expect(() => new ApiNamespace(scope, 'api', () => ({}))).toThrow(DuplicateIdError);
    expect(() => new ApiNamespace(scope, 'api', () => ({}))).toThrow(/Duplicate id "api" in scope "dupes"/);
  });

  it('allows the same id in different scopes and refuses malformed names', () => {
    new ApiNamespace(new Scope('one'), 'api', () => ({}));
    new ApiNamespace(new Scope('two'), 'api', () => ({}));
    expect(() => new Scope('has space')).toThrow(TypeError);
    expect(() => new ApiNamespace(new Scope('three'), '../etc', () => ({}))).toThrow(TypeError);
  });
});

describe('over HTTP (node adapter)', () => {
  let server: Server;
  let port: number;
  const dispatcher = createDispatcher(makeApp(), { maxBodyBytes: 1024, logger: { error: () => {} } });

  beforeAll(async () => {
    server = createServer((req, res) => void serveRpc(req, res, dispatcher));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(body: string | Buffer, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', ...headers } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
  }

  it('enforces the body limit with 413 and a JSON-RPC error', async () => {
    const big = JSON.stringify(rpc('math.echo', ['x'.repeat(2000)]));
    const response = await send(big);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32013 } });
  });

  it('enforces the limit on chunked bodies without a Content-Length', async () => {
    const response = await send(Buffer.from(JSON.stringify(rpc('math.echo', ['y'.repeat(5000)]))), {
      'transfer-encoding': 'chunked',
    });
    expect(response.status).toBe(413);
  });

  it('accepts a body at the limit and delivers several Set-Cookie headers', async () => {
    const ok = await send(JSON.stringify(rpc('math.add', [20, 22])));
    expect(JSON.parse(ok.body).result).toBe(42);
    const cookies = await send(JSON.stringify(rpc('cookies.setTwo')));
    expect(cookies.headers['set-cookie']).toHaveLength(2);
  });
});
