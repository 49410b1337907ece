/**
 * The deploy-time key reader (cognito-jwks-provider/index.js) against a
 * loopback server standing in for Cognito: what it keeps of a key set, that
 * the runtime accepts exactly what it produces (auth/deploy-time-jwks.ts),
 * and that every way the answer can be wrong fails the deployment with a
 * message naming the pool and what went wrong.
 */
import { createRequire } from 'node:module';
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployTimeJwks } from '../auth/deploy-time-jwks.js';
import { JwksFixture } from '../testing/jwks-fixture.js';

interface Event {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
}
interface Result {
  PhysicalResourceId: string;
  Data?: { Jwks: string };
}
interface ProviderModule {
  createHandler(options?: { baseUrl?: string; get?: typeof httpGet; timeoutMs?: number; maxBytes?: number }): (event: Event) => Promise<Result>;
  handler: (event: Event) => Promise<Result>;
}

const provider = createRequire(import.meta.url)('./cognito-jwks-provider/index.js') as ProviderModule;

const POOL_ID = 'eu-west-1_AbCdEf123';
const COGNITO_URI = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}/.well-known/jwks.json`;

/** What the next request to the server gets; `requests` records the paths asked for. */
let answer: (req: IncomingMessage, res: ServerResponse) => void;
let requests: string[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
});

const json = (body: unknown, status = 200) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));

const create = (options: Parameters<ProviderModule['createHandler']>[0] = {}, userPoolId: unknown = POOL_ID): Promise<Result> =>
  provider.createHandler({ baseUrl, get: httpGet, ...options })({ RequestType: 'Create', ResourceProperties: { UserPoolId: userPoolId } });

/** Two RSA-2048 keys, as a Cognito pool publishes, plus members a verifier does not read. */
function cognitoLikeKeySet(): { keys: Record<string, unknown>[] } {
  const keys = [new JwksFixture(), new JwksFixture()].flatMap((fixture) => fixture.jwks().keys);
  return { keys: keys.map((key) => ({ ...key, x5c: ['MIIB...'], key_ops: ['verify'] })) };
}

describe('the deploy-time Cognito key reader', () => {
  it("fetches the pool's JWKS path and returns compact JSON of its URI and the keys' verifier members", async () => {
    const served = cognitoLikeKeySet();
    answer = json(served);
    const result = await create();
    expect(requests).toEqual([`/${POOL_ID}/.well-known/jwks.json`]);
    expect(result.PhysicalResourceId).toBe(`cognito-jwks-${POOL_ID}`);
    const jwks = result.Data?.Jwks ?? '';
    expect(jwks).not.toMatch(/\s/);
    const parsed = JSON.parse(jwks) as { uri: string; keys: Record<string, unknown>[] };
    // The URI names Cognito's endpoint (what the verifier derives), whatever served the keys here.
    expect(parsed.uri).toBe(COGNITO_URI);
    expect(parsed.keys).toEqual(served.keys.map(({ kid, kty, alg, use, n, e }) => ({ kid, kty, alg, use, n, e })));
    // Two RSA-2048 keys: about 1 KB, a quarter of Lambda's 4 KB for all variables.
    expect(jwks.length).toBeGreaterThan(800);
    expect(jwks.length).toBeLessThan(1300);
    // The runtime takes exactly this as the pool's keys.
    expect(deployTimeJwks(jwks, COGNITO_URI)).toEqual({ keys: parsed.keys });
  });

  it('drops keys that are not RSA, and keys without alg/use keep the rest', async () => {
    const [rsa] = cognitoLikeKeySet().keys;
    const { alg: _alg, use: _use, x5c: _x5c, key_ops: _ops, ...bare } = rsa!;
    answer = json({ keys: [{ kty: 'EC', kid: 'ec', crv: 'P-256', x: 'x', y: 'y' }, bare] });
    const parsed = JSON.parse((await create()).Data?.Jwks ?? '') as { keys: unknown[] };
    expect(parsed.keys).toEqual([bare]);
  });

  it('answers Delete without fetching (nothing was created)', async () => {
    answer = json({}, 500);
    const result = await provider.createHandler({ baseUrl, get: httpGet })({
      RequestType: 'Delete',
      PhysicalResourceId: 'cognito-jwks-old',
      ResourceProperties: { UserPoolId: POOL_ID },
    });
    expect(result).toEqual({ PhysicalResourceId: 'cognito-jwks-old' });
    // Even with a property that was never valid: the stack must stay deletable.
    const broken = await provider.createHandler({ baseUrl, get: httpGet })({
      RequestType: 'Delete',
      PhysicalResourceId: 'cognito-jwks-broken',
      ResourceProperties: { UserPoolId: 'not a pool' },
    });
    expect(broken).toEqual({ PhysicalResourceId: 'cognito-jwks-broken' });
    expect(requests).toEqual([]);
  });

  it('leaves a key set too large for the environment out, so the functions fetch it instead', async () => {
    const many = Array.from({ length: 3 }, () => cognitoLikeKeySet().keys).flat();
    answer = json({ keys: many });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await create();
    expect(result.Data?.Jwks).toBe('');
    expect(deployTimeJwks(result.Data?.Jwks, COGNITO_URI)).toBeUndefined();
    vi.restoreAllMocks();
  });

  it.each<[string, (req: IncomingMessage, res: ServerResponse) => void, RegExp]>([
    ['a non-2xx answer', json({ message: 'User pool does not exist' }, 404), /answered HTTP 404/],
    ['a redirect', (_req, res) => res.writeHead(302, { location: 'https://evil.example/jwks.json' }).end(), /answered HTTP 302/],
    ['an oversize body', json({ keys: [], padding: 'x'.repeat(70 * 1024) }), /more than 65536 bytes/],
    ['a body that is not JSON', json('<html>not json</html>'), /not JSON/],
    ['JSON without keys', json({ kid: 'x' }), /without a "keys" array/],
    ['a key without a modulus', json({ keys: [{ kid: 'k', kty: 'RSA', e: 'AQAB' }] }), /"n" is not a non-empty string/],
    ['no RSA key at all', json({ keys: [] }), /without RSA keys/],
    ['a connection dropped mid-answer', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"keys":[');
      setTimeout(() => res.destroy(), 10);
    }, /failed while answering|closed the connection/],
  ])('fails the deployment on %s, naming the pool and the URL', async (_what, respond, reason) => {
    answer = respond;
    const failure = create();
    await expect(failure).rejects.toThrow(reason);
    await expect(failure).rejects.toThrow(`The signing keys of Cognito user pool ${POOL_ID} could not be read: ${baseUrl}/${POOL_ID}/.well-known/jwks.json`);
  });

  it('fails the deployment when the endpoint does not answer in time', async () => {
    answer = () => undefined; // never answers
    await expect(create({ timeoutMs: 200 })).rejects.toThrow(/no complete answer within 200 ms/);
  });

  it('fails the deployment when the endpoint cannot be reached', async () => {
    await expect(provider.createHandler({ baseUrl: 'http://127.0.0.1:1', get: httpGet })({ RequestType: 'Create', ResourceProperties: { UserPoolId: POOL_ID } })).rejects.toThrow(
      /could not be reached/,
    );
  });

  it('refuses a property that is not a pool id before any request', async () => {
    await expect(create({}, 'us-east-1_x/../../evil')).rejects.toThrow(/is not a Cognito user pool id/);
    await expect(create({}, null)).rejects.toThrow(/is not a Cognito user pool id/);
    expect(requests).toEqual([]);
  });

  it('deployed, it goes to Cognito over https: the URL it would fetch has no override', async () => {
    // The exported handler has no test hooks: point node:https at nothing and read the URL it asked for.
    const https = process.getBuiltinModule('node:https');
    const asked: string[] = [];
    vi.spyOn(https, 'get').mockImplementation(((url: URL) => {
      asked.push(String(url));
      throw new Error('offline');
    }) as unknown as typeof https.get);
    await expect(provider.handler({ RequestType: 'Update', ResourceProperties: { UserPoolId: POOL_ID } })).rejects.toThrow(/offline|could not be read/);
    expect(asked).toEqual([COGNITO_URI]);
    vi.restoreAllMocks();
  });
});
