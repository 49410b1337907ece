import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJwksBytes, JwksUnavailableError } from './jwks-fetcher.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const routes = new Map<string, Handler>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const LIMITS = { timeoutMs: 2_000, maxBytes: 1_000 };

async function failure(promise: Promise<unknown>): Promise<JwksUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JwksUnavailableError);
  return error as JwksUnavailableError;
}

describe('fetchJwksBytes', () => {
  it('returns the body and asks for JSON', async () => {
    let accept: string | undefined;
    routes.set('/ok', (req, res) => {
      accept = req.headers.accept;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    const body = await fetchJwksBytes(`${base}/ok`, LIMITS);
    expect(new TextDecoder().decode(body)).toBe('{"keys":[]}');
    expect(accept).toBe('application/json');
  });

  it('refuses a non-2xx answer, redirects included', async () => {
    routes.set('/500', (_req, res) => res.writeHead(500).end('{}'));
    routes.set('/moved', (_req, res) => res.writeHead(302, { location: `${base}/ok` }).end());
    expect((await failure(fetchJwksBytes(`${base}/500`, LIMITS))).message).toMatch(/answered 500/);
    expect((await failure(fetchJwksBytes(`${base}/moved`, LIMITS))).message).toMatch(/answered 302/);
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    routes.set('/declared', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)));
    routes.set('/streamed', (_req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(800));
      setTimeout(() => res.end('x'.repeat(800)), 10);
    });
    expect((await failure(fetchJwksBytes(`${base}/declared`, LIMITS))).message).toMatch(/too large/);
    expect((await failure(fetchJwksBytes(`${base}/streamed`, LIMITS))).message).toMatch(/too large/);
  });

  it('gives up after the timeout when the server never answers', async () => {
    routes.set('/silent', () => undefined);
    const started = performance.now();
    const error = await failure(fetchJwksBytes(`${base}/silent`, { ...LIMITS, timeoutMs: 150 }));
    expect(error.message).toMatch(/timed out after 150 ms/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('fails when the connection drops mid-body or cannot be made', async () => {
    routes.set('/dropped', (_req, res) => {
      res.writeHead(200, { 'content-length': '500' });
      res.write('{"keys":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    await failure(fetchJwksBytes(`${base}/dropped`, LIMITS));
    expect((await failure(fetchJwksBytes('http://127.0.0.1:1/jwks.json', LIMITS))).message).toMatch(/failed/);
  });
});
