/**
 * The AuthBasic example end to end over real HTTP: the example module behind
 * the kit's Node adapter (as `npm run blocks:dev` serves it), called through
 * the typed client with a fetch that keeps cookies like a browser, its codes
 * read from the local email outbox. Uses the production scrypt parameters,
 * so it also proves they run in Node.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDispatcher } from 'blocks-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveRpc } from '../../packages/blocks/src/transports/node.js';
import * as example from './auth-basic';
import { latestCode } from './auth-basic-codes';
import { createAuthExampleClient, currentProfile, signInErrorMessage, signUp, type AuthExampleClient } from './auth-basic-client';

let server: Server;
let url: string;

beforeAll(async () => {
  const dispatcher = createDispatcher(example);
  server = createServer((req, res) => void serveRpc(req, res, dispatcher));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aws-blocks/api`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A fetch with a cookie jar, standing in for the browser's. */
function browserFetch(): { fetch: typeof fetch; jar: Map<string, string> } {
  const jar = new Map<string, string>();
  const cookieFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(input, { ...init, headers });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/max-age=0/i.test(header)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  return { fetch: cookieFetch, jar };
}

describe('AuthBasic example', () => {
  const username = `reader-${Date.now()}@example.com`;
  const password = 'reading glasses 7';
  let client: AuthExampleClient;
  let jar: Map<string, string>;

  beforeAll(() => {
    const browser = browserFetch();
    client = createAuthExampleClient(url, browser.fetch);
    jar = browser.jar;
  });

  it('signs up with a code emailed to the outbox and is signed in by the cookie alone', { timeout: 20_000 }, async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const state = await signUp(client, username, password, () => latestCode(username, { subject: /sign-up/ }));
    const lines = info.mock.calls.map(([message]) => String(message));
    info.mockRestore();
    expect(state).toMatchObject({ signedIn: true, username });
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[blocks\\] email to ${username.replace(/[.]/g, '\\.')}: "Your sign-up code" \\(outbox: `)));
    // Plain http to 127.0.0.1 in local mode: the one case where the cookie is not Secure (nor __Host-).
    expect([...jar.keys()]).toEqual(['auth-basic-example.auth.session']);
    expect(await currentProfile(client)).toEqual({ username, createdAt: expect.any(String) });
    expect(await client.authApi.getAuthState()).toMatchObject({ signedIn: true, username });
  });

  it('signs out, after which the profile is gone', async () => {
    expect(await client.authApi.setAuthState({ action: 'signOut' })).toEqual({ signedIn: false });
    expect(jar.size).toBe(0);
    expect(await currentProfile(client)).toBeNull();
  });

  it('resets a forgotten password with a code from the outbox, ending the old session', { timeout: 30_000 }, async () => {
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const newPassword = 'new reading glasses 8';
    await client.authApi.setAuthState({ action: 'signIn', username, password });
    const other = createAuthExampleClient(url, browserFetch().fetch);
    expect(await other.authApi.setAuthState({ action: 'forgotPassword', username })).toMatchObject({ signedIn: false });
    const code = await latestCode(username, { subject: /password reset/ });
    await other.authApi.setAuthState({ action: 'confirmForgotPassword', username, code, newPassword });
    vi.restoreAllMocks();
    expect(await currentProfile(client)).toBeNull(); // every session ended
    const old = await other.authApi.setAuthState({ action: 'signIn', username, password }).catch((reason: unknown) => reason);
    expect(signInErrorMessage(old)).toBe('Incorrect username or password.');
    expect(await other.authApi.setAuthState({ action: 'signIn', username, password: newPassword })).toMatchObject({ signedIn: true, username });
    await other.authApi.setAuthState({ action: 'signOut' });
  });

  it('refuses a username that is not an email address, since the code could not be sent', { timeout: 20_000 }, async () => {
    const error = await client.authApi.setAuthState({ action: 'signUp', username: `not-an-address-${Date.now()}`, password }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ status: 400, name: 'BadRequestError', message: expect.stringMatching(/not an email address/) });
  });

  it('reports a failed sign-in without saying which part was wrong', { timeout: 20_000 }, async () => {
    const error = await client.authApi.setAuthState({ action: 'signIn', username, password: 'wrong glasses 7' }).catch((reason: unknown) => reason);
    expect(signInErrorMessage(error)).toBe('Incorrect username or password.');
    const unknown = await client.authApi.setAuthState({ action: 'signIn', username: `x${username}`, password }).catch((reason: unknown) => reason);
    expect(signInErrorMessage(unknown)).toBe('Incorrect username or password.');
  });
});
