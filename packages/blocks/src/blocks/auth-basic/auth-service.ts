/**
 * What each `setAuthState` action does, and how a request's session is
 * found. Inputs arrive validated and normalised (input.ts); every store,
 * key and clock comes in from AuthBasic, so this file holds only the rules.
 *
 * Rules that hold throughout:
 * - A sign-in for an unknown username does what a wrong password does: the
 *   same throttling, one scrypt derivation, the same error.
 * - Code sends and password resets answer the same whether or not the user exists.
 * - Sign-in and code entry are throttled per account and per address before
 *   any secret is checked.
 */
import type { RequestContext } from '../../core/context.js';
import type { CodeDelivery, ResolvedOptions } from './options.js';
import type { CodePurpose, OneTimeCodes } from './codes.js';
import { sessionCookie, type CookiePolicy, type SessionCookie } from './cookie-policy.js';
import { ipThrottleKey } from './client-ip.js';
import {
  CodeDeliveryNotConfiguredException,
  CodeMismatchException,
  NotAuthorizedException,
  UsernameExistsException,
  UserNotConfirmedException,
} from './errors.js';
import type { SetAuthStateInput } from './input.js';
import type { AuthKeys } from './keys.js';
import type { PasswordHasher } from './password.js';
import type { SessionRecord, Sessions } from './sessions.js';
import { signSessionId, verifySessionCookie } from './session-token.js';
import type { Throttle, ThrottleRule } from './throttle.js';
import type { UserRecord, Users } from './users.js';

export type NextStep = 'signIn' | 'confirmSignUp' | 'confirmForgotPassword';

export type AuthState =
  | {
      readonly signedIn: true;
      readonly username: string;
      /** When the account was created, ISO 8601. */
      readonly createdAt: string;
      /** When this session ends, ISO 8601. */
      readonly expiresAt: string;
    }
  | { readonly signedIn: false; readonly nextStep?: NextStep };

/** What `requireAuth` returns. */
export interface AuthBasicUser {
  readonly username: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly sessionExpiresAt: string;
}

export interface AuthServiceDeps {
  readonly users: Users;
  readonly sessions: Sessions;
  readonly codes: OneTimeCodes;
  readonly throttle: Throttle;
  readonly hasher: PasswordHasher;
  readonly keys: () => Promise<AuthKeys>;
  readonly now: () => number;
  readonly cookie: CookiePolicy;
  readonly options: ResolvedOptions;
}

interface CurrentSession {
  readonly id: string;
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class AuthService {
  readonly #deps: AuthServiceDeps;

  constructor(deps: AuthServiceDeps) {
    this.#deps = deps;
  }

  setAuthState(context: RequestContext, input: SetAuthStateInput): Promise<AuthState> {
    switch (input.action) {
      case 'signUp':
        return this.#signUp(input.username, input.password);
      case 'signIn':
        return this.#signIn(context, input.username, input.password);
      case 'signOut':
        return this.#signOut(context);
      case 'confirmSignUp':
        return this.#confirmSignUp(context, input.username, input.code, input.password);
      case 'resendCode':
        return this.#resendCode(input.username);
      case 'forgotPassword':
        return this.#forgotPassword(input.username);
      case 'confirmForgotPassword':
        return this.#confirmForgotPassword(context, input.username, input.code, input.newPassword);
    }
  }

  /** The signed-in user of this request, or undefined (and a bad cookie is cleared). */
  async currentUser(context: RequestContext): Promise<AuthBasicUser | undefined> {
    const current = await this.#currentSession(context);
    if (current === undefined) return undefined;
    return {
      username: current.user.username,
      createdAt: current.user.createdAt,
      sessionExpiresAt: iso(current.session.expiresAt),
    };
  }

  async #signUp(username: string, password: string): Promise<AuthState> {
    const delivery = this.#deps.options.codeDelivery;
    if (delivery) await this.#countSend(username);
    const created = await this.#deps.users.create({
      username,
      createdAt: iso(this.#deps.now()),
      confirmed: delivery === undefined,
      password: await this.#deps.hasher.hash(password),
      sessionEpoch: 0,
    });
    if (!created) throw new UsernameExistsException();
    if (!delivery) return { signedIn: false, nextStep: 'signIn' };
    try {
      await this.#sendCode(delivery, 'confirmSignUp', username);
    } catch (error) {
      // Without its code the account could never be confirmed, and the name
      // would stay taken: undo the sign-up so the user can simply try again.
      await this.#deps.users.removeUnconfirmed(username);
      throw error;
    }
    return { signedIn: false, nextStep: 'confirmSignUp' };
  }

  async #signIn(context: RequestContext, username: string, password: string): Promise<AuthState> {
    const { users, hasher, throttle } = this.#deps;
    const attempt = await throttle.begin(this.#attemptRules('signin', username, context));
    const item = await users.get(username);
    // Unknown users are verified against a dummy hash: same work, same answer.
    const valid = await hasher.verify(item?.value.password, password);
    if (!valid || item === undefined) throw new NotAuthorizedException();
    await attempt.succeeded();
    const user = item.value;
    if (!user.confirmed) throw new UserNotConfirmedException();
    if (hasher.needsRehash(user.password)) await this.#rehash(user, password);
    // A browser signing in again gets a fresh session; its old one ends now rather than at expiry.
    const previous = await this.#sessionIdFromCookie(context);
    if (previous !== undefined) await this.#deps.sessions.end(previous);
    return this.#startSession(context, user);
  }

  async #signOut(context: RequestContext): Promise<AuthState> {
    const id = await this.#sessionIdFromCookie(context);
    if (id !== undefined) await this.#deps.sessions.end(id);
    this.#clearCookie(context);
    return { signedIn: false };
  }

  async #confirmSignUp(context: RequestContext, username: string, code: string, password: string | undefined): Promise<AuthState> {
    this.#requireDelivery('confirmSignUp');
    await this.#spendCode(context, 'confirmSignUp', username, code);
    const confirmed = await this.#deps.users.update(username, (user) => ({ ...user, confirmed: true }));
    if (confirmed === undefined) throw new CodeMismatchException();
    return password === undefined ? { signedIn: false, nextStep: 'signIn' } : this.#signIn(context, username, password);
  }

  async #resendCode(username: string): Promise<AuthState> {
    const delivery = this.#requireDelivery('resendCode');
    await this.#countSend(username);
    const item = await this.#deps.users.get(username);
    if (item !== undefined && !item.value.confirmed) await this.#sendCode(delivery, 'confirmSignUp', username);
    return { signedIn: false, nextStep: 'confirmSignUp' };
  }

  async #forgotPassword(username: string): Promise<AuthState> {
    const delivery = this.#requireDelivery('forgotPassword');
    await this.#countSend(username);
    const item = await this.#deps.users.get(username);
    if (item !== undefined) await this.#sendCode(delivery, 'forgotPassword', username);
    return { signedIn: false, nextStep: 'confirmForgotPassword' };
  }

  async #confirmForgotPassword(context: RequestContext, username: string, code: string, newPassword: string): Promise<AuthState> {
    this.#requireDelivery('confirmForgotPassword');
    await this.#spendCode(context, 'forgotPassword', username, code);
    const password = await this.#deps.hasher.hash(newPassword);
    // A new epoch voids every session of this user, wherever it is. The code
    // reached the user, so it also proves the address: the account is confirmed.
    const updated = await this.#deps.users.update(username, (user) => ({
      ...user,
      password,
      confirmed: true,
      sessionEpoch: user.sessionEpoch + 1,
    }));
    if (updated === undefined) throw new CodeMismatchException();
    // The rightful owner just proved themselves: lift any sign-in lock an attacker caused.
    await this.#deps.throttle.reset(throttleKey(username, 'signin'));
    this.#clearCookie(context);
    return { signedIn: false, nextStep: 'signIn' };
  }

  /** Checks a code under the per-account and per-address code throttles; throws unless it was right. */
  async #spendCode(context: RequestContext, purpose: CodePurpose, username: string, code: string): Promise<void> {
    const attempt = await this.#deps.throttle.begin(this.#attemptRules('code', username, context));
    if (!(await this.#deps.codes.consume(purpose, username, code))) throw new CodeMismatchException();
    await attempt.succeeded();
  }

  async #sendCode(delivery: CodeDelivery, purpose: CodePurpose, username: string): Promise<void> {
    const code = await this.#deps.codes.issue(purpose, username);
    await delivery(username, code, purpose);
  }

  /** Counted for every request, existing user or not, so the limit reveals nothing. */
  async #countSend(username: string): Promise<void> {
    const limit = this.#deps.options.lockout.maxCodesSent;
    await this.#deps.throttle.begin([{ key: throttleKey(username, 'send'), limit, onSuccess: 'reset' }]);
  }

  #requireDelivery(action: string): CodeDelivery {
    const delivery = this.#deps.options.codeDelivery;
    if (delivery === undefined) throw new CodeDeliveryNotConfiguredException(action);
    return delivery;
  }

  #attemptRules(kind: 'signin' | 'code', username: string, context: RequestContext): ThrottleRule[] {
    const { maxFailures, maxFailuresPerIp } = this.#deps.options.lockout;
    const ip = ipThrottleKey(context.clientIp);
    return [
      { key: throttleKey(username, kind), limit: maxFailures, onSuccess: 'reset' },
      ...(ip === undefined ? [] : [{ key: ip, limit: maxFailuresPerIp, onSuccess: 'undo' as const }]),
    ];
  }

  async #rehash(user: UserRecord, password: string): Promise<void> {
    const upgraded = await this.#deps.hasher.hash(password);
    // Only if nobody changed the password meanwhile (a reset racing this sign-in).
    await this.#deps.users.update(user.username, (current) =>
      current.password.hash === user.password.hash ? { ...current, password: upgraded } : current,
    );
  }

  async #startSession(context: RequestContext, user: UserRecord): Promise<AuthState> {
    const { id, record } = await this.#deps.sessions.create(user.username, user.sessionEpoch);
    const { cookie: key } = await this.#deps.keys();
    const cookie = this.#cookie(context);
    context.cookies.set(cookie.name, signSessionId(id, key), cookie.options);
    return { signedIn: true, username: user.username, createdAt: user.createdAt, expiresAt: iso(record.expiresAt) };
  }

  async #currentSession(context: RequestContext): Promise<CurrentSession | undefined> {
    const cookie = this.#cookie(context);
    if (context.cookies.get(cookie.name) === undefined) return undefined;
    const id = await this.#sessionIdFromCookie(context);
    const session = id === undefined ? undefined : await this.#deps.sessions.read(id);
    const user = session === undefined ? undefined : (await this.#deps.users.get(session.username))?.value;
    if (id === undefined || session === undefined || user === undefined || !user.confirmed || user.sessionEpoch !== session.epoch) {
      this.#clearCookie(context);
      return undefined;
    }
    return { id, session, user };
  }

  /** The id in a genuine cookie (signature checked in constant time; no store read for a forgery). */
  async #sessionIdFromCookie(context: RequestContext): Promise<string | undefined> {
    const value = context.cookies.get(this.#cookie(context).name);
    if (value === undefined) return undefined;
    return verifySessionCookie(value, (await this.#deps.keys()).cookie);
  }

  #clearCookie(context: RequestContext): void {
    const cookie = this.#cookie(context);
    if (context.cookies.get(cookie.name) === undefined) return;
    const { httpOnly, secure, sameSite, path } = cookie.options;
    context.cookies.delete(cookie.name, { httpOnly, secure, sameSite, path });
  }

  #cookie(context: RequestContext): SessionCookie {
    return sessionCookie(this.#deps.cookie, context.headers);
  }
}

// The username first: it is the DynamoDB partition, so counters spread out.
const throttleKey = (username: string, kind: 'signin' | 'code' | 'send'): string => `${username}/${kind}`;
