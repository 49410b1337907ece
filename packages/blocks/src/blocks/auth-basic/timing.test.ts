/**
 * The timing-safe paths, asserted by what they do rather than by the clock:
 * node:crypto is wrapped so each test can count scrypt derivations and
 * constant-time comparisons per request.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalKVStore } from '../kv-store/local-store.js';
import type { AuthBasicStores } from './options.js';
import { createTestApp, FAST_SCRYPT, type TestApp } from './testing/harness.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, scrypt: vi.fn(actual.scrypt), timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const crypto = await import('node:crypto');
const scrypt = vi.mocked(crypto.scrypt);
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

const ALICE = { username: 'alice', password: 'correct horse 1' };

async function stores(): Promise<AuthBasicStores> {
  const root = await mkdtemp(path.join(tmpdir(), 'blocks-auth-timing-'));
  return {
    users: new LocalKVStore(path.join(root, 'users')),
    sessions: new LocalKVStore(path.join(root, 'sessions')),
    codes: new LocalKVStore(path.join(root, 'codes')),
    throttle: new LocalKVStore(path.join(root, 'throttle')),
  };
}

/** What one request did with node:crypto. */
async function measure(run: () => Promise<unknown>): Promise<{ scrypt: unknown[][]; compares: number }> {
  scrypt.mockClear();
  timingSafeEqual.mockClear();
  await run();
  return {
    // password, salt length, keylen, params: everything but the callback
    scrypt: scrypt.mock.calls.map(([, salt, keylen, options]) => [(salt as Buffer).length, keylen, options]),
    compares: timingSafeEqual.mock.calls.length,
  };
}

describe('timing-safe paths', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = createTestApp(await stores());
    const browser = app.browser();
    await browser.setAuthState({ action: 'signUp', ...ALICE });
    await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: app.lastCode(ALICE.username, 'confirmSignUp') });
  });

  it('an unknown username costs one scrypt with the current parameters and one constant-time compare, like a wrong password', async () => {
    const browser = app.browser();
    const wrong = await measure(() => browser.setAuthState({ action: 'signIn', username: ALICE.username, password: 'wrong pass 1' }));
    const unknown = await measure(() => browser.setAuthState({ action: 'signIn', username: 'nobody', password: 'wrong pass 1' }));
    expect(wrong.scrypt).toHaveLength(1);
    expect(unknown).toEqual(wrong);
    expect(unknown.scrypt[0]).toEqual([16, FAST_SCRYPT.keylen, expect.objectContaining({ N: FAST_SCRYPT.N, r: FAST_SCRYPT.r, p: FAST_SCRYPT.p })]);
    expect(unknown.compares).toBe(1);
  });

  it('a correct password is compared in constant time too', async () => {
    const right = await measure(() => app.browser().setAuthState({ action: 'signIn', ...ALICE }));
    expect(right.scrypt).toHaveLength(1);
    expect(right.compares).toBe(1);
  });

  it('a code for a user without one is compared against a dummy, like a wrong code', async () => {
    const browser = app.browser();
    await browser.setAuthState({ action: 'forgotPassword', username: ALICE.username });
    const code = app.lastCode(ALICE.username, 'forgotPassword');
    const other = code === '111111' ? '222222' : '111111';
    const attempt = (username: string) => () =>
      browser.setAuthState({ action: 'confirmForgotPassword', username, code: other, newPassword: 'brand new pass 1' });
    const wrong = await measure(attempt(ALICE.username));
    const unknown = await measure(attempt('nobody'));
    expect(wrong).toEqual({ scrypt: [], compares: 1 });
    expect(unknown).toEqual(wrong);
  });

  it('checks the cookie signature in constant time before any session lookup', async () => {
    const browser = app.browser();
    await browser.setAuthState({ action: 'signIn', ...ALICE });
    const [name, value] = [...browser.jar][0]!;
    const [id, mac] = value.split('.') as [string, string];
    const forger = app.browser();
    forger.jar.set(name, `${id}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`);
    const read = vi.spyOn(app.stores.sessions, 'get');
    const forged = await measure(() => forger.getProfile());
    expect(forged.compares).toBe(1);
    expect(read).not.toHaveBeenCalled();
    const genuine = await measure(() => browser.getProfile());
    expect(genuine.compares).toBe(1);
    expect(read).toHaveBeenCalledTimes(1);
  });
});
