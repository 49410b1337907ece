/**
 * Test helpers for AuthBasic: an app over explicit stores with a movable
 * clock and captured codes, and a "browser" that keeps cookies the way a
 * browser would (honouring Max-Age=0 deletions) and calls the dispatcher.
 */
import { randomBytes } from 'node:crypto';
import { ApiNamespace } from '../../../core/api-namespace.js';
import { Scope } from '../../../core/scope.js';
import { createDispatcher, type Dispatcher } from '../../../rpc/dispatcher.js';
import type { RpcErrorObject } from '../../../rpc/protocol.js';
import { AuthBasic } from '../index.js';
import type { CodePurpose } from '../codes.js';
import type { AuthBasicOptions, AuthBasicStores } from '../options.js';
import type { ScryptParams } from '../password.js';

/** Cheap enough for hundreds of hashes per test run; production uses DEFAULT_SCRYPT. */
export const FAST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1, keylen: 32 };

export interface SentCode {
  readonly username: string;
  readonly code: string;
  readonly purpose: CodePurpose;
}

export interface TestApp {
  readonly auth: AuthBasic;
  readonly dispatcher: Dispatcher;
  readonly stores: AuthBasicStores;
  readonly sent: SentCode[];
  /** The latest code sent to `username` for `purpose`. */
  lastCode(username: string, purpose: CodePurpose): string;
  /** Moves the injected clock forward. */
  advance(seconds: number): void;
  now(): number;
  browser(options?: BrowserOptions): Browser;
}

export interface TestAppOptions extends Omit<AuthBasicOptions, 'overrides' | 'codeDelivery'> {
  /** Deliver codes (captured in `sent`); default true. */
  readonly withCodes?: boolean;
  readonly scrypt?: ScryptParams;
  readonly allowInsecureLocalhost?: boolean;
  readonly sessionKey?: Uint8Array;
  /** Makes the next code delivery throw this error (an email service outage). */
  readonly failNextDelivery?: { current: Error | undefined };
}

let appCounter = 0;
const silent = { error: () => undefined };

export function createTestApp(stores: AuthBasicStores, options: TestAppOptions = {}): TestApp {
  let clock = Date.now();
  const sent: SentCode[] = [];
  const key = options.sessionKey ?? randomBytes(32);
  const { withCodes = true, scrypt = FAST_SCRYPT, allowInsecureLocalhost = true, sessionKey: _key, failNextDelivery, ...authOptions } = options;
  const scope = new Scope(`test-app-${++appCounter}`);
  const auth = new AuthBasic(scope, 'auth', {
    passwordPolicy: { minLength: 8, requireDigits: true },
    ...authOptions,
    ...(withCodes && {
      codeDelivery: (username: string, code: string, purpose: CodePurpose) => {
        const failure = failNextDelivery?.current;
        if (failure !== undefined) {
          failNextDelivery!.current = undefined;
          throw failure;
        }
        sent.push({ username, code, purpose });
      },
    }),
    overrides: { stores, sessionKey: async () => key, now: () => clock, scrypt, allowInsecureLocalhost },
  });
  const app = {
    authApi: auth.createApi(),
    api: new ApiNamespace(scope, 'api', (context) => ({
      async getProfile() {
        const user = await auth.requireAuth(context);
        return { username: user.username, createdAt: user.createdAt };
      },
    })),
  };
  const dispatcher = createDispatcher(app, { logger: silent });
  return {
    auth,
    dispatcher,
    stores,
    sent,
    lastCode(username, purpose) {
      const found = sent.findLast((entry) => entry.username === username && entry.purpose === purpose);
      if (!found) throw new Error(`no ${purpose} code was sent to ${username}`);
      return found.code;
    },
    advance(seconds) {
      clock += seconds * 1000;
    },
    now: () => clock,
    browser: (browserOptions) => new Browser(dispatcher, browserOptions),
  };
}

export interface BrowserOptions {
  /** Host header; default `app.example.com` (a real site: cookies must be Secure). */
  readonly host?: string;
  readonly clientIp?: string;
  readonly headers?: Record<string, string>;
}

export interface Outcome<T = unknown> {
  readonly status: number;
  readonly result?: T;
  readonly error?: RpcErrorObject;
  /** Raw `Set-Cookie` headers of this response. */
  readonly setCookies: readonly string[];
  readonly headers: Headers;
}

export interface ParsedSetCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-cased attribute names → value ('' for flags). */
  readonly attributes: ReadonlyMap<string, string>;
}

export function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [name = '', ...value] = part.trim().split('=');
    attributes.set(name.toLowerCase(), value.join('='));
  }
  return { name: pair.slice(0, eq).trim(), value: decodeURIComponent(pair.slice(eq + 1).trim()), attributes };
}

let nextId = 1;

export class Browser {
  /** Cookies this browser holds, by name. */
  readonly jar = new Map<string, string>();
  readonly #dispatcher: Dispatcher;
  readonly #options: BrowserOptions;

  constructor(dispatcher: Dispatcher, options: BrowserOptions = {}) {
    this.#dispatcher = dispatcher;
    this.#options = options;
  }

  async call<T = unknown>(method: string, params?: unknown): Promise<Outcome<T>> {
    const headers = new Headers({
      'content-type': 'application/json',
      host: this.#options.host ?? 'app.example.com',
      ...this.#options.headers,
    });
    if (this.jar.size > 0) headers.set('cookie', [...this.jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; '));
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, ...(params !== undefined && { params }) });
    const response = await this.#dispatcher.handle({
      method: 'POST',
      headers,
      body: new TextEncoder().encode(body),
      ...(this.#options.clientIp !== undefined && { clientIp: this.#options.clientIp }),
    });
    for (const header of response.cookies) {
      const cookie = parseSetCookie(header);
      if (cookie.attributes.get('max-age') === '0') this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    const message = JSON.parse(response.body) as { result?: T; error?: RpcErrorObject };
    return { status: response.status, ...message, setCookies: response.cookies, headers: response.headers };
  }

  setAuthState<T = unknown>(input: Record<string, unknown>): Promise<Outcome<T>> {
    return this.call<T>('authApi.setAuthState', input);
  }

  getProfile(): Promise<Outcome<{ username: string; createdAt: string }>> {
    return this.call('api.getProfile');
  }

  /** A browser with the same cookies (a copied cookie, or the same user elsewhere). */
  clone(options: BrowserOptions = this.#options): Browser {
    const copy = new Browser(this.#dispatcher, options);
    for (const [name, value] of this.jar) copy.jar.set(name, value);
    return copy;
  }
}

/** `error.data.name` of an outcome, for terse assertions. */
export const errorName = (outcome: Outcome): unknown => (outcome.error?.data as { name?: unknown } | undefined)?.name;
