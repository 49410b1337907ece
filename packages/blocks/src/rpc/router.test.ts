/**
 * Blocks' own HTTP routes, served the same way by both transports: the Node
 * middleware of the dev server and the Lambda handler. One suite, run
 * against each.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiNamespace } from '../core/api-namespace.js';
import { BadRequestError, ServiceUnavailableError } from '../core/errors.js';
import type { HttpRoute, RoutedBlock } from '../core/routes.js';
import { Scope } from '../core/scope.js';
import { httpApiEvent, lambdaContext } from '../testing/http-api-event.js';
import { createLambdaHandler } from '../transports/lambda.js';
import { blocksApiMiddleware } from '../transports/node.js';
import { createRouter } from './router.js';

/** A Block that serves a few routes, as RawRoute or a local FileBucket would. */
class Hooks implements RoutedBlock {
  readonly kind = 'TestHooks';
  constructor(
    readonly scope: Scope,
    readonly id: string,
    private readonly declared: readonly HttpRoute[],
  ) {
    scope.register(this);
  }
  routes(): readonly HttpRoute[] {
    return this.declared;
  }
}

function makeApp(routes: readonly HttpRoute[]): Record<string, unknown> {
  const scope = new Scope('router-test');
  new Hooks(scope, 'hooks', routes);
  return { api: new ApiNamespace(scope, 'api', () => ({ ping: () => 'pong' })) };
}

const routes: HttpRoute[] = [
  {
    method: 'POST',
    path: '/aws-blocks/raw/hooks/:provider',
    maxBodyBytes: 64,
    handle: (request) => ({
      status: 202,
      headers: { 'content-type': 'application/json', 'x-provider': request.params.provider ?? '' },
      body: JSON.stringify({
        provider: request.params.provider,
        bytes: [...request.body],
        signature: request.headers.get('x-signature'),
        q: request.query.get('q'),
      }),
    }),
  },
  {
    method: 'GET',
    path: '/aws-blocks/raw/files/*key',
    handle: (request) => ({ headers: { 'content-type': 'application/octet-stream' }, body: new TextEncoder().encode(`key=${request.params.key}`) }),
  },
  {
    method: 'PUT',
    path: '/aws-blocks/raw/upload',
    streamBody: true,
    handle: async (request) => {
      let size = 0;
      for await (const chunk of request.stream ?? []) size += chunk.byteLength;
      return { body: String(size) };
    },
  },
  { method: 'GET', path: '/aws-blocks/raw/bad-input', handle: () => Promise.reject(new BadRequestError('Missing signature', { field: 'x-signature' })) },
  { method: 'GET', path: '/aws-blocks/raw/busy', handle: () => Promise.reject(new ServiceUnavailableError('Later', 3)) },
  { method: 'GET', path: '/aws-blocks/raw/bug', handle: () => Promise.reject(new Error('database password hunter2')) },
];

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}
type Send = (request: { method: string; path: string; headers?: Record<string, string>; body?: Buffer }) => Promise<Answer>;

const logger = { error: vi.fn() };

function suite(name: string, start: () => Promise<{ send: Send; close(): Promise<void> }>): void {
  describe(`Block routes through the ${name} transport`, () => {
    let send: Send;
    let close: () => Promise<void>;
    beforeAll(async () => ({ send, close } = await start()));
    afterAll(() => close());

    it('hands the handler its params, query, headers and raw body bytes, and sends its answer', async () => {
      const answer = await send({ method: 'POST', path: '/aws-blocks/raw/hooks/stripe%20eu?q=1', headers: { 'x-signature': 'sig' }, body: Buffer.from([0, 1, 255]) });
      expect(answer.status).toBe(202);
      expect(answer.headers.get('x-provider')).toBe('stripe eu');
      expect(answer.headers.get('x-request-id')).toBeTruthy();
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(JSON.parse(answer.body.toString())).toEqual({ provider: 'stripe eu', bytes: [0, 1, 255], signature: 'sig', q: '1' });
    });

    it('matches a trailing *rest across slashes and returns binary bodies intact', async () => {
      const answer = await send({ method: 'GET', path: '/aws-blocks/raw/files/user-1/a%2Fb/c.png' });
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('key=user-1/a/b/c.png');
    });

    it('streams a body to a streaming route', async () => {
      const answer = await send({ method: 'PUT', path: '/aws-blocks/raw/upload', body: Buffer.alloc(200_000, 7) });
      expect(answer.body.toString()).toBe('200000');
    });

    it('refuses a body over the route limit with 413, never calling the handler', async () => {
      const answer = await send({ method: 'POST', path: '/aws-blocks/raw/hooks/x', body: Buffer.alloc(65) });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ name: 'PayloadTooLargeError' });
    });

    it('answers ApiErrors with their status, and a thrown bug with a 500 that carries only the request id', async () => {
      const bad = await send({ method: 'GET', path: '/aws-blocks/raw/bad-input' });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body.toString())).toEqual({ name: 'BadRequestError', message: 'Missing signature', details: { field: 'x-signature' } });
      const busy = await send({ method: 'GET', path: '/aws-blocks/raw/busy' });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('3');
      logger.error.mockClear();
      const bug = await send({ method: 'GET', path: '/aws-blocks/raw/bug' });
      expect(bug.status).toBe(500);
      const requestId = bug.headers.get('x-request-id');
      expect(JSON.parse(bug.body.toString())).toEqual({ name: 'InternalError', message: `Internal error (request id ${requestId})`, requestId });
      expect(bug.body.toString()).not.toMatch(/hunter2|at /);
      expect(logger.error).toHaveBeenCalledTimes(1);
    });

    it('answers a known path with the wrong method 405 and Allow, and HEAD like GET without a body', async () => {
      const wrong = await send({ method: 'DELETE', path: '/aws-blocks/raw/hooks/x' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      const head = await send({ method: 'HEAD', path: '/aws-blocks/raw/files/a' });
      expect(head.status).toBe(200);
      expect(head.body.byteLength).toBe(0);
    });

    it('leaves the JSON-RPC API where it was, and unknown paths unserved', async () => {
      const rpc = await send({ method: 'POST', path: '/aws-blocks/api', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"api.ping"}') });
      expect(JSON.parse(rpc.body.toString())).toMatchObject({ result: 'pong' });
      const unknown = await send({ method: 'GET', path: '/aws-blocks/raw/nothing-here' });
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body.toString())).toMatchObject({ message: expect.stringContaining('Not found') });
      expect((await send({ method: 'GET', path: '/aws-blocks/raw/files/%E0%A4%A' })).status).toBe(400);
    });
  });
}

suite('Node (dev server)', async () => {
  const app = makeApp(routes);
  const middleware = blocksApiMiddleware(async () => app, { logger });
  const server: Server = createServer((req, res) =>
    middleware(req, res, () => {
      res.statusCode = 404;
      res.end('next');
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    send: async ({ method, path, headers, body }) => {
      const response = await fetch(`${base}${path}`, { method, ...(headers && { headers }), ...(body && { body: new Uint8Array(body) }) });
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});

suite('Lambda', async () => {
  const handler = createLambdaHandler(makeApp(routes), { logger });
  return {
    send: async ({ method, path, headers, body }) => {
      const [rawPath = '', query = ''] = path.split('?');
      const result = await handler(
        httpApiEvent({ method, path: rawPath, query, ...(headers && { headers }), ...(body && { body: body.toString('base64'), isBase64Encoded: true }) }),
        lambdaContext(),
      );
      const text = result.body ?? '';
      return {
        status: result.statusCode ?? 200,
        headers: new Headers(result.headers as Record<string, string>),
        body: result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text),
      };
    },
    close: async () => undefined,
  };
});

describe('route declarations', () => {
  it('are checked when the app loads: under /aws-blocks/, not the API, no clashes', () => {
    const route = (path: string): HttpRoute => ({ method: 'GET', path, handle: () => ({}) });
    expect(() => createRouter(makeApp([route('/webhooks/x')]))).toThrow(/TestHooks "router-test\/hooks" declares the route "\/webhooks\/x"/);
    expect(() => createRouter(makeApp([route('/aws-blocks/api')]))).toThrow(/apart from \/aws-blocks\/api/);
    expect(() => createRouter(makeApp([route('/aws-blocks/raw/*rest/more')]))).toThrow(/\*rest only at the end/);
    expect(() => createRouter(makeApp([route('/aws-blocks/raw/a'), route('/aws-blocks/raw/a')]))).toThrow(/both serve \/aws-blocks\/raw\/a/);
  });
});
