/**
 * RawRoute locally: declarations are checked when the app loads, and the
 * dev server serves them under /aws-blocks/raw/ with params, raw bytes, any
 * status and headers, the body limit and the kit's error answers.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Scope } from '../../core/scope.js';
import { startBlocksDevServer, type BlocksDevServer } from '../../dev/server.js';
import { RawRoute } from './index.js';

const FIXTURE = path.join(import.meta.dirname, 'testing', 'fixture-app.ts');

describe('RawRoute declarations', () => {
  const declare = (options: Partial<ConstructorParameters<typeof RawRoute>[2]>) =>
    new RawRoute(new Scope('decl'), 'route', { method: 'POST', path: '/ok', handler: () => ({}), ...options });

  it('serve one route under /aws-blocks/raw with the declared methods and limit', () => {
    const route = declare({ method: ['POST', 'PUT', 'POST'], path: '/webhooks/:provider/*rest', maxBodyBytes: 10 });
    expect(route.kind).toBe('RawRoute');
    expect(route.path).toBe('/aws-blocks/raw/webhooks/:provider/*rest');
    expect(route.routes()).toEqual([expect.objectContaining({ method: ['POST', 'PUT'], path: '/aws-blocks/raw/webhooks/:provider/*rest', maxBodyBytes: 10 })]);
  });

  it('refuse bad paths, methods and limits with a message naming the route', () => {
    expect(() => declare({ path: 'webhooks' })).toThrow(/RawRoute "decl\/route": path "webhooks" must start with "\/"/);
    expect(() => declare({ path: '/' })).toThrow(/at least one segment/);
    expect(() => declare({ path: '/a//b' })).toThrow(/empty or unsupported segment/);
    expect(() => declare({ path: '/a b' })).toThrow(/unsupported segment/);
    expect(() => declare({ path: '/*rest/more' })).toThrow(/\*rest only as its last segment/);
    expect(() => declare({ path: '/:id/:id' })).toThrow(/names "id" twice/);
    expect(() => declare({ path: '/:1x' })).toThrow(/bad parameter/);
    expect(() => declare({ method: 'CONNECT' as 'GET' })).toThrow(/not "CONNECT"/);
    expect(() => declare({ method: [] })).toThrow(/method must be one or more/);
    expect(() => declare({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a positive integer/);
  });

  it('register in their scope, so ids stay unique', () => {
    const scope = new Scope('dup');
    new RawRoute(scope, 'hook', { method: 'POST', path: '/a', handler: () => ({}) });
    expect(() => new RawRoute(scope, 'hook', { method: 'POST', path: '/b', handler: () => ({}) })).toThrow(/Duplicate id "hook"/);
  });
});

describe('RawRoute through the dev server', () => {
  let server: BlocksDevServer;
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    server = await startBlocksDevServer({ entry: path.relative(process.cwd(), FIXTURE) });
  });
  afterAll(async () => {
    await server?.close();
    errors.mockRestore();
  });

  const send = (route: string, init: RequestInit = {}) => fetch(`${server.url}/aws-blocks/raw${route}`, { redirect: 'manual', ...init });

  it('hands the handler method, params and raw body bytes, and sends its status, headers and body', async () => {
    const response = await send('/hooks/stripe', { method: 'POST', body: new Uint8Array([0, 7, 255]) });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-hook')).toBe('stripe');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual({ provider: 'stripe', bytes: [0, 7, 255], method: 'POST' });
  });

  it('can redirect, with a *rest parameter spanning segments', async () => {
    const response = await send('/go/docs/getting-started');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://example.com/docs/getting-started');
  });

  it('refuses an oversized body with 413 without calling the handler', async () => {
    const response = await send('/hooks/stripe', { method: 'POST', body: new Uint8Array(33) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ name: 'PayloadTooLargeError' });
  });

  it('answers a throwing handler with a 500 carrying only the request id, and keeps serving', async () => {
    errors.mockClear();
    const response = await send('/boom');
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ name: 'InternalError', message: `Internal error (request id ${requestId})`, requestId });
    expect(text).not.toContain('db-password-42');
    // The detail is in the server log, tied to the request id.
    expect(errors.mock.calls.flat().map(String).join('\n')).toContain(requestId);
    const again = await send('/hooks/x', { method: 'POST', body: 'hi' });
    expect(again.status).toBe(201);
  });

  it('answers ApiErrors with their status, the wrong method with 405, and unknown paths with 404', async () => {
    const refused = await send('/private/1', { method: 'PUT' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ name: 'UnauthorizedError', message: 'Bad signature' });
    const wrong = await send('/private/1', { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('PUT, DELETE');
    expect((await send('/nothing')).status).toBe(404);
  });

  it('leaves the JSON-RPC API as it was', async () => {
    const response = await fetch(server.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'api.ping' }),
    });
    expect(await response.json()).toMatchObject({ result: 'pong' });
  });
});
