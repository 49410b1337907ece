import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userPoolMiddleware } from './http.js';
import { servePool, STRONG_PASSWORD, tempDataDir, testPool, type ServedPool } from './testing/harness.js';

let cleanup: () => Promise<void>;
let dir: string;
let served: ServedPool;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  served = await servePool(dir, { basePath: '/local-cognito' });
});
afterEach(async () => {
  await served.close();
  await cleanup();
});

const AMPLIFY_HEADERS = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-user-agent': 'aws-amplify/6.22.1 auth/4 framework/0',
  'cache-control': 'no-store',
};

function post(target: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(served.endpoint, {
    method: 'POST',
    headers: { ...AMPLIFY_HEADERS, 'x-amz-target': `AWSCognitoIdentityProviderService.${target}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST <basePath> (Cognito JSON protocol)', () => {
  it('answers with amz-json and a request id', async () => {
    const response = await post('SignUp', {
      ClientId: served.pool.clientId,
      Username: 'a@example.com',
      Password: STRONG_PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toMatchObject({ UserConfirmed: false });
  });

  it('names errors in the header and in __type', async () => {
    const response = await post('SignUp', { ClientId: 'nope', Username: 'a@example.com', Password: STRONG_PASSWORD });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool client nope does not exist.',
    });
  });

  it('answers malformed JSON and unknown targets with 400s', async () => {
    const malformed = await post('SignUp', '{"ClientId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('x-amzn-errortype')).toBe('SerializationException');
    const unknown = await post('AdminDeleteUser', {});
    expect(unknown.status).toBe(400);
    expect((await unknown.json()) as unknown).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const response = await post('SignUp', { ClientId: served.pool.clientId, Username: 'x'.repeat(70 * 1024) });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect((await response.json()) as unknown).toMatchObject({ __type: 'RequestEntityTooLargeException' });
  });

  it('refuses an oversized chunked body too', async () => {
    const url = new URL(served.endpoint);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 80; i += 1) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('passes other requests on to the next middleware', async () => {
    expect((await fetch(served.endpoint)).status).toBe(404);
    expect((await fetch(served.endpoint, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${served.endpoint.replace('/local-cognito', '')}/elsewhere`)).status).toBe(404);
  });
});

describe('CORS', () => {
  it('allows localhost origins with the headers Amplify sends', async () => {
    const preflight = await fetch(served.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,cache-control,pragma',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const allowed = preflight.headers.get('access-control-allow-headers') ?? '';
    for (const header of [
      'content-type',
      'x-amz-target',
      'x-amz-user-agent',
      'cache-control',
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'pragma',
    ]) {
      expect(allowed).toContain(header);
    }
    const response = await post('GetUser', { AccessToken: 'x' }, { origin: 'http://127.0.0.1:3000' });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-amzn-errortype');
  });

  it('does not allow other origins', async () => {
    const preflight = await fetch(served.endpoint, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await post('GetUser', { AccessToken: 'x' }, { origin: 'http://localhost.evil.example' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET routes', () => {
  it('serves the JWKS under the issuer', async () => {
    const response = await fetch(`${served.pool.issuer}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(served.pool.issuer).toBe(`${served.endpoint}/local_blocks`);
    expect((await response.json()) as unknown).toEqual(await served.pool.jwks());
  });

  it('serves the latest code to loopback clients (local pool only)', async () => {
    await post('SignUp', { ClientId: served.pool.clientId, Username: 'a@example.com', Password: STRONG_PASSWORD });
    const response = await fetch(`${served.endpoint}/_local/codes?email=A%40example.com`);
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown).toEqual({
      email: 'A@example.com',
      code: await served.pool.lastCode('a@example.com'),
    });
    expect((await fetch(`${served.endpoint}/_local/codes?email=ghost%40example.com`)).status).toBe(404);
    expect((await fetch(`${served.endpoint}/_local/codes`)).status).toBe(404);
    const noSms = await fetch(`${served.endpoint}/_local/codes?phone=%2B15550100000`);
    expect(noSms.status).toBe(404);
    expect(((await noSms.json()) as { message: string }).message).toBe('No pending code for this phone number');
  });

  it('does not serve codes to other machines', async () => {
    const middleware = userPoolMiddleware(served.pool);
    const headers = new Map<string, unknown>();
    const result = await new Promise<{ status: number; body: string }>((resolve) => {
      const res = {
        statusCode: 200,
        headersSent: false,
        setHeader: (name: string, value: unknown) => headers.set(name, value),
        end(body?: string) {
          resolve({ status: this.statusCode, body: body ?? '' });
        },
      };
      const req = {
        method: 'GET',
        url: '/local-cognito/_local/codes?email=a%40example.com',
        headers: {},
        socket: { remoteAddress: '192.168.1.20' },
      };
      middleware(req as unknown as IncomingMessage, res as unknown as ServerResponse, () =>
        resolve({ status: 0, body: '' }),
      );
    });
    expect(result.status).toBe(403);
    expect(headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
  });
});

describe('mounting', () => {
  it('works under a connect-style prefix that strips req.url', async () => {
    const pool = testPool(dir, { issuerBaseUrl: 'http://localhost:5173/local-cognito' });
    const middleware = userPoolMiddleware(pool);
    const server = createServer((req, res) => {
      // What connect does for app.use('/local-cognito', middleware).
      const original = req.url ?? '/';
      if (!original.startsWith('/local-cognito')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      Object.assign(req, { originalUrl: original, url: original.slice('/local-cognito'.length) || '/' });
      middleware(req, res, () => {
        res.statusCode = 404;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local-cognito`;
    try {
      const response = await fetch(base, {
        method: 'POST',
        headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
        body: JSON.stringify({ AccessToken: 'x' }),
      });
      expect(response.headers.get('x-amzn-errortype')).toBe('NotAuthorizedException');
      expect((await fetch(`${base}/local_blocks/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
