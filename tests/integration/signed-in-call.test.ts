import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { createBlocksClient, isApiError, type Middleware } from 'blocks-kit/client';
import { startBlocksDevServer, type BlocksDevServer } from 'blocks-kit/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as App from '../../aws-blocks/index';

// The local dev stack (Blocks API + local user pool on one origin) with the
// unmodified aws-amplify client signing in over SRP, as the browser does.
let server: BlocksDevServer;
let dataDir: string;
const saved = { ...process.env };
const email = 'grace@example.com';
const password = 'Hopper-1906!';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-signin-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
  process.env.BLOCKS_MODE = 'local';
  server = await startBlocksDevServer();
  const pool = server.userPool!;
  await pool.adminCreateUser({ email, password, groups: ['admins'] });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: pool.userPoolId,
        userPoolClientId: pool.clientId,
        userPoolEndpoint: `${server.url}/local-cognito`,
        loginWith: { email: true },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await signOut().catch(() => undefined);
  await server?.close();
  process.env = saved;
  await rm(dataDir, { recursive: true, force: true });
});

function clientWithToken(token: () => string) {
  const attach: Middleware = (request, next) => {
    request.headers.set('authorization', `Bearer ${token()}`);
    return next(request);
  };
  return createBlocksClient<typeof App>({ url: server.apiUrl, middleware: [attach] });
}

describe('a signed-in call through the local stack', () => {
  it('signs in with SRP, calls a protected method with the ID token, and refuses a tampered token', async () => {
    const result = await signIn({ username: email, password });
    expect(result.isSignedIn).toBe(true);
    const { tokens } = await fetchAuthSession();
    const idToken = tokens!.idToken!.toString();

    const me = await clientWithToken(() => idToken).account.me();
    expect(me).toEqual({ sub: tokens!.idToken!.payload.sub, email, groups: ['admins'] });
    const overview = await clientWithToken(() => idToken).admin.overview();
    expect(overview.sampleSize).toBeGreaterThanOrEqual(0);

    // One byte changed in the payload: the signature no longer matches.
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const flipped = payload.slice(0, 10) + (payload[10] === 'A' ? 'B' : 'A') + payload.slice(11);
    const error = await clientWithToken(() => `${header}.${flipped}.${signature}`)
      .account.me()
      .catch((caught: unknown) => caught);
    expect(isApiError(error) && error.status).toBe(401);
    expect(isApiError(error) && error.message).toBe('Unauthorized');
  });
});
