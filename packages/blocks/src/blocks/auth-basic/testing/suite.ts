/**
 * AuthBasic's behaviour, written once against `AuthBasicStores`, so the same
 * tests run on the local file stores and on DynamoDB (dynalite).
 *
 * @example
 * describeAuthBasicSuite('local files', async () => ({ users: new LocalKVStore(dir1), ... }));
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../core/errors.js';
import type { AuthBasicStores } from '../options.js';
import { sessionStoreKey } from '../session-token.js';
import { createTestApp, errorName, parseSetCookie, type Browser, type Outcome, type TestApp, type TestAppOptions } from './harness.js';

const ALICE = { username: 'alice@example.com', password: 'correct horse 1' };

type State = { signedIn: boolean; username?: string; nextStep?: string; expiresAt?: string; createdAt?: string };

function expectError(outcome: Outcome, status: number, name: string): void {
  expect(outcome.status, JSON.stringify(outcome.error)).toBe(status);
  expect(errorName(outcome)).toBe(name);
}

function sessionCookieOf(outcome: Outcome) {
  const cookies = outcome.setCookies.map(parseSetCookie).filter((cookie) => cookie.name.endsWith('.auth.session'));
  expect(cookies).toHaveLength(1);
  return cookies[0]!;
}

export function describeAuthBasicSuite(name: string, openStores: () => Promise<AuthBasicStores>): void {
  describe(`AuthBasic on ${name}`, () => {
    let stores: AuthBasicStores;

    beforeEach(async () => {
      stores = await openStores();
    });

    const open = (options: TestAppOptions = {}): TestApp => createTestApp(stores, options);

    async function signedUp(app: TestApp, browser: Browser, user = ALICE): Promise<void> {
      const outcome = await browser.setAuthState({ action: 'signUp', ...user });
      expect(outcome.status, JSON.stringify(outcome.error)).toBe(200);
      if (app.sent.some((sent) => sent.username === user.username)) {
        const code = app.lastCode(user.username, 'confirmSignUp');
        expect((await browser.setAuthState({ action: 'confirmSignUp', username: user.username, code })).status).toBe(200);
      }
    }

    async function signedIn(app: TestApp, browser: Browser, user = ALICE): Promise<Outcome<State>> {
      const outcome = await browser.setAuthState<State>({ action: 'signIn', ...user });
      expect(outcome.status, JSON.stringify(outcome.error)).toBe(200);
      return outcome;
    }

    describe('signUp and signIn', () => {
      it('signs up, signs in with a session cookie, and serves requireAuth', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        const signUp = await browser.setAuthState<State>({ action: 'signUp', ...ALICE });
        expect(signUp.result).toEqual({ signedIn: false, nextStep: 'signIn' });
        expect(signUp.setCookies).toEqual([]);

        const signIn = await signedIn(app, browser);
        expect(signIn.result).toMatchObject({ signedIn: true, username: ALICE.username });
        expect(Date.parse(signIn.result!.expiresAt!)).toBe(app.now() + 86_400_000);

        const profile = await browser.getProfile();
        expect(profile.status).toBe(200);
        expect(profile.result).toEqual({ username: ALICE.username, createdAt: signIn.result!.createdAt });
        expect((await browser.call<State>('authApi.getAuthState')).result).toMatchObject({ signedIn: true, username: ALICE.username });
      });

      it('sets the cookie HttpOnly, Secure, SameSite=Lax, Path=/ with the session lifetime and a __Host- name', async () => {
        const app = open({ withCodes: false, sessionDuration: 3600 });
        const browser = app.browser();
        await signedUp(app, browser);
        const cookie = sessionCookieOf(await signedIn(app, browser));
        expect(cookie.name).toMatch(/^__Host-/);
        expect(cookie.attributes.has('httponly')).toBe(true);
        expect(cookie.attributes.has('secure')).toBe(true);
        expect(cookie.attributes.get('samesite')).toBe('Lax');
        expect(cookie.attributes.get('path')).toBe('/');
        expect(cookie.attributes.get('max-age')).toBe('3600');
        expect(cookie.attributes.has('domain')).toBe(false);
        // An opaque id and a signature, nothing about the user.
        expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
        expect(cookie.value).not.toContain('alice');
      });

      it('drops Secure only for plain http to localhost, and only where the runtime allows it', async () => {
        const app = open({ withCodes: false });
        await signedUp(app, app.browser());
        const flags = async (host: string, headers: Record<string, string> = {}, local = app) => {
          const cookie = sessionCookieOf(await local.browser({ host, headers }).setAuthState({ action: 'signIn', ...ALICE }));
          return { name: cookie.name, secure: cookie.attributes.has('secure') };
        };
        expect(await flags('localhost:5173')).toEqual({ name: expect.stringMatching(/^test-app-\d+\.auth\.session$/), secure: false });
        expect((await flags('127.0.0.1:3001')).secure).toBe(false);
        expect((await flags('[::1]:3001')).secure).toBe(false);
        expect((await flags('localhost:5173', { 'x-forwarded-proto': 'https' })).secure).toBe(true);
        expect((await flags('localhost:5173', { origin: 'https://evil.example' })).secure).toBe(true);
        expect((await flags('localhost.evil.example')).secure).toBe(true);
        expect((await flags('evil.example')).secure).toBe(true);
        expect((await flags('localhost@evil.example')).secure).toBe(true);

        // Same stores and user, as the deployed runtime would see them.
        const cloud = open({ withCodes: false, allowInsecureLocalhost: false });
        expect(await flags('localhost:5173', {}, cloud)).toMatchObject({ secure: true, name: expect.stringMatching(/^__Host-/) });
      });

      it('uses one account per normalised username (trim, case, NFC)', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser, { username: '  Zoe\u0301@Example.COM ', password: ALICE.password });
        const signIn = await browser.setAuthState<State>({ action: 'signIn', username: 'zo\u00e9@example.com', password: ALICE.password });
        expect(signIn.result).toMatchObject({ signedIn: true, username: 'zo\u00e9@example.com' });
        const again = await browser.setAuthState({ action: 'signUp', username: 'ZO\u00c9@EXAMPLE.COM', password: 'another pass 2' });
        expectError(again, 409, 'UsernameExistsException');
      });

      it('rejects passwords that break the policy, and bad input, with issue paths', async () => {
        const app = open({ withCodes: false, passwordPolicy: { minLength: 10, requireDigits: true, requireUppercase: true } });
        const browser = app.browser();
        const weak = await browser.setAuthState({ action: 'signUp', username: 'bob', password: 'short' });
        expect(weak.status).toBe(400);
        expect(weak.error?.code).toBe(-32602);
        expect(weak.error?.data).toMatchObject({
          details: {
            issues: [
              { path: 'password', message: 'Password must be at least 10 characters' },
              { path: 'password', message: 'Password must contain a digit' },
              { path: 'password', message: 'Password must contain an uppercase letter' },
            ],
          },
        });
        const cases: [Record<string, unknown>, string][] = [
          [{ action: 'signUp', username: 'bad name', password: 'Longenough1' }, 'username'],
          [{ action: 'signUp', username: '', password: 'Longenough1' }, 'username'],
          [{ action: 'signUp', username: 'a\u200bb', password: 'Longenough1' }, 'username'],
          [{ action: 'signUp', username: 'bob', password: 42 }, 'password'],
          [{ action: 'signUp', username: 'bob', password: 'Longenough1', admin: true }, 'admin'],
          [{ action: 'becomeAdmin', username: 'bob' }, 'action'],
          [{ action: 'confirmSignUp', username: 'bob', code: '12345' }, 'code'],
          [{ action: 'signIn', username: 'bob', password: '' }, 'password'],
        ];
        for (const [input, path] of cases) {
          const outcome = await browser.setAuthState(input);
          expect(outcome.status, JSON.stringify(input)).toBe(400);
          const issues = (outcome.error?.data as { details: { issues: { path: string }[] } }).details.issues;
          expect(issues.map((issue) => issue.path), JSON.stringify(input)).toContain(path);
        }
        expect(await stores.users.get('bob')).toBeUndefined();
      });

      it('answers an unknown username exactly like a wrong password, and sets no cookie', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser);
        const wrong = await browser.setAuthState({ action: 'signIn', username: ALICE.username, password: 'wrong password 1' });
        const unknown = await browser.setAuthState({ action: 'signIn', username: 'nobody@example.com', password: 'wrong password 1' });
        expectError(wrong, 401, 'NotAuthorizedException');
        expectError(unknown, 401, 'NotAuthorizedException');
        expect(unknown.error).toEqual(wrong.error);
        expect([...wrong.setCookies, ...unknown.setCookies]).toEqual([]);
      });

      it('stores only a digest of the session id', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser);
        const cookie = sessionCookieOf(await signedIn(app, browser));
        const sessionId = cookie.value.split('.')[0]!;
        const { items } = await stores.sessions.list();
        expect(items.map((item) => item.key)).toEqual([sessionStoreKey(sessionId)]);
        expect(JSON.stringify(items)).not.toContain(sessionId);
      });

      it('upgrades a hash made with weaker scrypt parameters at the next sign-in', async () => {
        const weak = open({ withCodes: false });
        await signedUp(weak, weak.browser());
        expect((await stores.users.get(ALICE.username))?.value.password.N).toBe(2 ** 10);
        const stronger = open({ withCodes: false, scrypt: { N: 2 ** 11, r: 8, p: 1, keylen: 32 } });
        await signedIn(stronger, stronger.browser());
        expect((await stores.users.get(ALICE.username))?.value.password).toMatchObject({ N: 2 ** 11, r: 8, p: 1 });
        await signedIn(stronger, stronger.browser());
      });
    });

    describe('sessions', () => {
      it('answers 401 SessionExpiredException without a cookie, and getAuthState says signed out', async () => {
        const app = open();
        const browser = app.browser();
        expectError(await browser.getProfile(), 401, 'SessionExpiredException');
        expect((await browser.call('authApi.getAuthState')).result).toEqual({ signedIn: false });
      });

      it('refuses forged, tampered and foreign cookies, and clears them', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser);
        const cookie = sessionCookieOf(await signedIn(app, browser));
        const [id, mac] = cookie.value.split('.') as [string, string];
        const flip = (text: string): string => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
        const foreign = open({ withCodes: false });
        const foreignBrowser = foreign.browser();
        await signedUp(foreign, foreignBrowser, { username: 'mallory', password: 'mallory pass 1' });
        const foreignValue = sessionCookieOf(await signedIn(foreign, foreignBrowser, { username: 'mallory', password: 'mallory pass 1' })).value;
        for (const value of [`${flip(id)}.${mac}`, `${id}.${flip(mac)}`, id, `${id}.${mac}.x`, 'garbage', foreignValue]) {
          const forger = app.browser();
          forger.jar.set(cookie.name, value);
          const outcome = await forger.getProfile();
          expectError(outcome, 401, 'SessionExpiredException');
          expect(parseSetCookie(outcome.setCookies[0] ?? '').attributes.get('max-age')).toBe('0');
          expect(forger.jar.size).toBe(0);
        }
        expect((await browser.getProfile()).status).toBe(200);
      });

      it('expires after sessionDuration', async () => {
        const app = open({ withCodes: false, sessionDuration: 600 });
        const browser = app.browser();
        await signedUp(app, browser);
        await signedIn(app, browser);
        app.advance(599);
        expect((await browser.getProfile()).status).toBe(200);
        app.advance(2);
        expectError(await browser.getProfile(), 401, 'SessionExpiredException');
        expect((await browser.call('authApi.getAuthState')).result).toEqual({ signedIn: false });
      });

      it('signOut ends that session for good, and only that one', async () => {
        const app = open({ withCodes: false });
        const laptop = app.browser();
        const phone = app.browser();
        await signedUp(app, laptop);
        await signedIn(app, laptop);
        await signedIn(app, phone);
        const stolen = laptop.clone();
        const signOut = await laptop.setAuthState({ action: 'signOut' });
        expect(signOut.result).toEqual({ signedIn: false });
        expect(parseSetCookie(signOut.setCookies[0]!).attributes.get('max-age')).toBe('0');
        expectError(await laptop.getProfile(), 401, 'SessionExpiredException');
        // A copy of the cookie taken before sign-out is worthless too: the session is gone server-side.
        expectError(await stolen.getProfile(), 401, 'SessionExpiredException');
        expect((await phone.getProfile()).status).toBe(200);
        // Signing out twice, or without a session, is fine.
        expect((await laptop.setAuthState({ action: 'signOut' })).result).toEqual({ signedIn: false });
      });

      it('signing in again replaces the browser’s previous session', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser);
        await signedIn(app, browser);
        const before = browser.clone();
        await signedIn(app, browser);
        expectError(await before.getProfile(), 401, 'SessionExpiredException');
        expect((await browser.getProfile()).status).toBe(200);
        expect((await stores.sessions.list()).items).toHaveLength(1);
      });
    });

    describe('confirmation codes', () => {
      it('keeps a new user unconfirmed until the emailed code is entered, once', async () => {
        const app = open();
        const browser = app.browser();
        const signUp = await browser.setAuthState({ action: 'signUp', ...ALICE });
        expect(signUp.result).toEqual({ signedIn: false, nextStep: 'confirmSignUp' });
        expect(app.sent).toEqual([{ username: ALICE.username, code: expect.stringMatching(/^\d{6}$/), purpose: 'confirmSignUp' }]);
        const unconfirmed = await browser.setAuthState({ action: 'signIn', ...ALICE });
        expectError(unconfirmed, 403, 'UserNotConfirmedException');
        expect(unconfirmed.setCookies).toEqual([]);

        const code = app.lastCode(ALICE.username, 'confirmSignUp');
        const wrong = code === '000000' ? '000001' : '000000';
        expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: wrong }), 400, 'CodeMismatchException');
        const confirm = await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code });
        expect(confirm.result).toEqual({ signedIn: false, nextStep: 'signIn' });
        expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code }), 400, 'CodeMismatchException');
        await signedIn(app, browser);
      });

      it('undoes a sign-up whose code could not be sent, so the same sign-up works once delivery recovers', async () => {
        const outage = { current: new ServiceUnavailableError('The email service is unavailable') as Error | undefined };
        const app = open({ failNextDelivery: outage });
        const browser = app.browser();
        expectError(await browser.setAuthState({ action: 'signUp', ...ALICE }), 503, 'ServiceUnavailableError');
        expect(await stores.users.get(ALICE.username)).toBeUndefined();
        const retry = await browser.setAuthState({ action: 'signUp', ...ALICE });
        expect(retry.result).toEqual({ signedIn: false, nextStep: 'confirmSignUp' });
        expect(app.sent.map((sent) => sent.purpose)).toEqual(['confirmSignUp']);
      });

      it('confirmSignUp with the password also signs in', async () => {
        const app = open();
        const browser = app.browser();
        await browser.setAuthState({ action: 'signUp', ...ALICE });
        const code = app.lastCode(ALICE.username, 'confirmSignUp');
        const outcome = await browser.setAuthState<State>({ action: 'confirmSignUp', username: ALICE.username, code, password: ALICE.password });
        expect(outcome.result).toMatchObject({ signedIn: true, username: ALICE.username });
        expect((await browser.getProfile()).status).toBe(200);
      });

      it('codes expire after ten minutes; resendCode issues a new one and voids the old', async () => {
        const app = open();
        const browser = app.browser();
        await browser.setAuthState({ action: 'signUp', ...ALICE });
        const first = app.lastCode(ALICE.username, 'confirmSignUp');
        app.advance(601);
        expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: first }), 400, 'CodeMismatchException');
        expect((await browser.setAuthState({ action: 'resendCode', username: ALICE.username })).result).toEqual({
          signedIn: false,
          nextStep: 'confirmSignUp',
        });
        const second = app.lastCode(ALICE.username, 'confirmSignUp');
        if (second !== first) {
          expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: first }), 400, 'CodeMismatchException');
        }
        app.advance(599);
        expect((await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: second })).status).toBe(200);
      });

      it('a code is single-use even when two requests race with it', async () => {
        const app = open();
        const browser = app.browser();
        await browser.setAuthState({ action: 'signUp', ...ALICE });
        await browser.setAuthState({ action: 'forgotPassword', username: ALICE.username });
        const code = app.lastCode(ALICE.username, 'forgotPassword');
        const results = await Promise.all(
          ['new password 1', 'new password 2', 'new password 3'].map((newPassword) =>
            app.browser().setAuthState({ action: 'confirmForgotPassword', username: ALICE.username, code, newPassword }),
          ),
        );
        expect(results.map((outcome) => outcome.status).sort()).toEqual([200, 400, 400]);
      });

      it('resendCode and forgotPassword answer the same for unknown users, and send nothing', async () => {
        const app = open();
        const browser = app.browser();
        await signedUp(app, browser);
        const sentBefore = app.sent.length;
        const known = await browser.setAuthState({ action: 'forgotPassword', username: ALICE.username });
        const unknown = await browser.setAuthState({ action: 'forgotPassword', username: 'nobody@example.com' });
        expect(unknown.result).toEqual(known.result);
        expect(unknown.status).toBe(known.status);
        expect(app.sent.length).toBe(sentBefore + 1);
        const resendUnknown = await browser.setAuthState({ action: 'resendCode', username: 'nobody@example.com' });
        const resendConfirmed = await browser.setAuthState({ action: 'resendCode', username: ALICE.username });
        expect(resendUnknown.result).toEqual(resendConfirmed.result);
        expect(app.sent.length).toBe(sentBefore + 1);
      });

      it('limits codes sent per account, for existing and unknown users alike', async () => {
        const app = open({ lockout: { maxCodesSent: 3 } });
        const browser = app.browser();
        for (const username of [ALICE.username, 'nobody@example.com']) {
          for (let i = 0; i < 3; i++) expect((await browser.setAuthState({ action: 'forgotPassword', username })).status).toBe(200);
          const limited = await browser.setAuthState({ action: 'forgotPassword', username });
          expectError(limited, 429, 'TooManyAttemptsException');
          expect(limited.headers.get('retry-after')).toBe('900');
        }
      });

      it('without codeDelivery the code actions are unavailable and users are confirmed at once', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        for (const input of [
          { action: 'confirmSignUp', username: 'a', code: '123456' },
          { action: 'resendCode', username: 'a' },
          { action: 'forgotPassword', username: 'a' },
          { action: 'confirmForgotPassword', username: 'a', code: '123456', newPassword: 'new password 1' },
        ]) {
          expectError(await browser.setAuthState(input), 400, 'CodeDeliveryNotConfiguredException');
        }
      });
    });

    describe('password reset', () => {
      it('sets the new password and ends every session of the user', async () => {
        const app = open();
        const laptop = app.browser();
        const phone = app.browser();
        await signedUp(app, laptop);
        await signedIn(app, laptop);
        await signedIn(app, phone);
        const bob = { username: 'bob', password: 'bob password 1' };
        const bobBrowser = app.browser();
        await signedUp(app, bobBrowser, bob);
        await signedIn(app, bobBrowser, bob);

        expect((await laptop.setAuthState({ action: 'forgotPassword', username: ALICE.username })).result).toEqual({
          signedIn: false,
          nextStep: 'confirmForgotPassword',
        });
        const code = app.lastCode(ALICE.username, 'forgotPassword');
        const weak = await laptop.setAuthState({ action: 'confirmForgotPassword', username: ALICE.username, code, newPassword: 'short' });
        expect(weak.status).toBe(400);
        expect(JSON.stringify(weak.error?.data)).toContain('newPassword');
        const reset = await laptop.setAuthState({ action: 'confirmForgotPassword', username: ALICE.username, code, newPassword: 'brand new pass 2' });
        expect(reset.result).toEqual({ signedIn: false, nextStep: 'signIn' });

        expectError(await laptop.getProfile(), 401, 'SessionExpiredException');
        expectError(await phone.getProfile(), 401, 'SessionExpiredException');
        expect((await bobBrowser.getProfile()).status).toBe(200);
        expectError(await laptop.setAuthState({ action: 'signIn', ...ALICE }), 401, 'NotAuthorizedException');
        await signedIn(app, laptop, { username: ALICE.username, password: 'brand new pass 2' });
        expect((await laptop.getProfile()).status).toBe(200);
      });

      it('refuses a wrong code, a sign-up code, and codes for unknown users alike', async () => {
        const app = open();
        const browser = app.browser();
        await browser.setAuthState({ action: 'signUp', ...ALICE });
        const signUpCode = app.lastCode(ALICE.username, 'confirmSignUp');
        const attempts = [
          { username: ALICE.username, code: signUpCode },
          { username: 'nobody@example.com', code: '123456' },
        ];
        for (const attempt of attempts) {
          const outcome = await browser.setAuthState({ action: 'confirmForgotPassword', ...attempt, newPassword: 'brand new pass 2' });
          expectError(outcome, 400, 'CodeMismatchException');
        }
      });
    });

    describe('throttling', () => {
      it('locks an account after 5 failed sign-ins, even for the right password, until the lock expires', async () => {
        const app = open({ withCodes: false });
        const attacker = app.browser({ clientIp: '198.51.100.7' });
        await signedUp(app, app.browser());
        for (let i = 0; i < 5; i++) {
          expectError(await attacker.setAuthState({ action: 'signIn', username: ALICE.username, password: `guess ${i}` }), 401, 'NotAuthorizedException');
        }
        const owner = app.browser({ clientIp: '203.0.113.9' });
        const locked = await owner.setAuthState({ action: 'signIn', ...ALICE });
        expectError(locked, 429, 'TooManyAttemptsException');
        expect(locked.headers.get('retry-after')).toBe('900');
        app.advance(899);
        expectError(await owner.setAuthState({ action: 'signIn', ...ALICE }), 429, 'TooManyAttemptsException');
        app.advance(1);
        await signedIn(app, owner);
      });

      it('treats unknown usernames the same (a lock reveals nothing)', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        for (let i = 0; i < 5; i++) await browser.setAuthState({ action: 'signIn', username: 'ghost', password: `guess ${i}` });
        expectError(await browser.setAuthState({ action: 'signIn', username: 'ghost', password: 'guess 5' }), 429, 'TooManyAttemptsException');
      });

      it('a success clears the account counter', async () => {
        const app = open({ withCodes: false });
        const browser = app.browser();
        await signedUp(app, browser);
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 4; i++) await browser.setAuthState({ action: 'signIn', username: ALICE.username, password: `typo ${i}` });
          await signedIn(app, browser);
        }
      });

      it('counts parallel guesses as they start, so a burst cannot overshoot the limit', async () => {
        const app = open({ withCodes: false });
        await signedUp(app, app.browser());
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) => app.browser().setAuthState({ action: 'signIn', username: ALICE.username, password: `guess ${i}` })),
        );
        const statuses = outcomes.map((outcome) => outcome.status);
        expect(statuses.filter((status) => status === 401)).toHaveLength(5);
        expect(statuses.filter((status) => status === 429)).toHaveLength(7);
      });

      it('locks an address after too many failures across accounts; successes do not launder it', async () => {
        const app = open({ withCodes: false, lockout: { maxFailures: 5, maxFailuresPerIp: 8 } });
        const own = { username: 'attacker', password: 'attacker pass 1' };
        await signedUp(app, app.browser(), own);
        const attacker = app.browser({ clientIp: '2001:db8:1:2:aaaa::1' });
        for (let i = 0; i < 8; i++) {
          await attacker.setAuthState({ action: 'signIn', username: `victim${i % 3}`, password: 'guess 1' });
          if (i % 2 === 0) await signedIn(app, attacker, own);
        }
        // Same /64, another address: still locked, even for a correct password.
        const rotated = app.browser({ clientIp: '2001:db8:1:2:bbbb::2' });
        expectError(await rotated.setAuthState({ action: 'signIn', ...own }), 429, 'TooManyAttemptsException');
        // Another network is unaffected, and so are the victims' accounts from there.
        await signedIn(app, app.browser({ clientIp: '2001:db8:9::1' }), own);
        app.advance(900);
        await signedIn(app, rotated, own);
      });

      it('locks code entry after 5 wrong codes, then lets the owner finish after the lock', async () => {
        const app = open();
        const browser = app.browser();
        await browser.setAuthState({ action: 'signUp', ...ALICE });
        const code = app.lastCode(ALICE.username, 'confirmSignUp');
        const wrong = (i: number): string => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
        for (let i = 0; i < 5; i++) {
          expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: wrong(i) }), 400, 'CodeMismatchException');
        }
        expectError(await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code }), 429, 'TooManyAttemptsException');
        app.advance(900);
        // The code itself expired meanwhile (ten minutes): a fresh one works.
        await browser.setAuthState({ action: 'resendCode', username: ALICE.username });
        const fresh = app.lastCode(ALICE.username, 'confirmSignUp');
        expect((await browser.setAuthState({ action: 'confirmSignUp', username: ALICE.username, code: fresh })).status).toBe(200);
      });

      it('a password reset lifts a sign-in lock', async () => {
        const app = open();
        const browser = app.browser();
        await signedUp(app, browser);
        for (let i = 0; i < 5; i++) await browser.setAuthState({ action: 'signIn', username: ALICE.username, password: `guess ${i}` });
        expectError(await browser.setAuthState({ action: 'signIn', ...ALICE }), 429, 'TooManyAttemptsException');
        await browser.setAuthState({ action: 'forgotPassword', username: ALICE.username });
        const code = app.lastCode(ALICE.username, 'forgotPassword');
        await browser.setAuthState({ action: 'confirmForgotPassword', username: ALICE.username, code, newPassword: 'brand new pass 3' });
        await signedIn(app, browser, { username: ALICE.username, password: 'brand new pass 3' });
      });
    });
  });
}
