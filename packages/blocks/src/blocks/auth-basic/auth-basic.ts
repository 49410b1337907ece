/**
 * AuthBasic: usernames and passwords with server-side sessions in an
 * HttpOnly cookie, for prototypes and internal tools. Built on KVStore and
 * node:crypto only, so it runs on local files in `npm run dev` and on
 * DynamoDB (plus one Secrets Manager secret) when deployed, unchanged.
 *
 * @example
 * const auth = new AuthBasic(scope, 'auth', { passwordPolicy: { minLength: 8, requireDigits: true } });
 * export const api = new ApiNamespace(scope, 'api', (context) => ({
 *   async getProfile() {
 *     const user = await auth.requireAuth(context); // 401 SessionExpiredException without a session
 *     return { username: user.username, createdAt: user.createdAt };
 *   },
 * }));
 * export const authApi = auth.createApi(); // authApi.setAuthState, authApi.getAuthState
 */
import { ApiNamespace } from '../../core/api-namespace.js';
import type { RequestContext } from '../../core/context.js';
import { withInput, type InputMethod } from '../../core/input.js';
import type { Scope, ScopedResource } from '../../core/scope.js';
import { AuthService, type AuthBasicUser, type AuthState } from './auth-service.js';
import { OneTimeCodes } from './codes.js';
import { SessionExpiredException } from './errors.js';
import { setAuthStateSchema, type SetAuthStateSchema } from './input.js';
import { deriveKeys, type AuthKeys } from './keys.js';
import { resolveOptions, type AuthBasicOptions, type AuthBasicStores } from './options.js';
import { PasswordHasher } from './password.js';
import type { AuthBasicRuntime, SessionKeySource } from './runtime.js';
import { Sessions } from './sessions.js';
import { Throttle } from './throttle.js';
import { Users } from './users.js';

export type AuthBasicApi = ApiNamespace<{
  /** Sign up, in or out, confirm a code, or reset a password: `{ action: 'signIn', username, password }`. */
  setAuthState: InputMethod<SetAuthStateSchema, AuthState>;
  /** Who is signed in on this browser, or `{ signedIn: false }`. */
  getAuthState: () => Promise<AuthState>;
}>;

/** The stores an AuthBasic declares, by suffix of its id. */
const AUTH_BASIC_STORE_SUFFIXES = ['users', 'sessions', 'codes', 'throttle'] as const;
const LONGEST_SUFFIX = Math.max(...AUTH_BASIC_STORE_SUFFIXES.map((suffix) => suffix.length + 1));
const MAX_ID_LENGTH = 48 - LONGEST_SUFFIX;

/**
 * The AuthBasic of every variant. Each variant (index.ts, index.aws.ts,
 * index.cdk.ts) is a subclass that passes its runtime: its own KVStore
 * variant for the stores, where the session key comes from, and whether
 * plain-http localhost is allowed.
 */
export class AuthBasicBlock implements ScopedResource {
  readonly kind = 'AuthBasic';
  readonly scope: Scope;
  readonly id: string;
  readonly #service: AuthService;
  readonly #schema: SetAuthStateSchema;
  #api?: AuthBasicApi;

  protected constructor(scope: Scope, id: string, options: AuthBasicOptions, runtime: AuthBasicRuntime) {
    if (typeof id !== 'string' || id.length > MAX_ID_LENGTH) {
      throw new TypeError(`AuthBasic id "${String(id)}" is too long: at most ${MAX_ID_LENGTH} characters, since its stores are named "<id>-sessions" etc.`);
    }
    const resolved = resolveOptions(options);
    const overrides = options.overrides ?? {};
    this.scope = scope;
    this.id = id;
    // Registered first, so a clashing id fails here, with this id in the message.
    scope.register(this);

    // Declared in the scope (so deployed they are tables) unless a test brings its own.
    const stores: AuthBasicStores = overrides.stores ?? {
      users: runtime.createStore(scope, `${id}-users`),
      sessions: runtime.createStore(scope, `${id}-sessions`),
      codes: runtime.createStore(scope, `${id}-codes`),
      throttle: runtime.createStore(scope, `${id}-throttle`),
    };
    const now = overrides.now ?? Date.now;
    const keys = cachedKeys(overrides.sessionKey ?? runtime.sessionKey(scope, id));

    this.#schema = setAuthStateSchema(resolved.passwordPolicy);
    this.#service = new AuthService({
      users: new Users(stores.users),
      sessions: new Sessions(stores.sessions, now, resolved.sessionDuration),
      codes: new OneTimeCodes(stores.codes, now, keys),
      throttle: new Throttle(stores.throttle, now, resolved.lockout.durationSeconds),
      hasher: new PasswordHasher(resolved.scrypt),
      keys,
      now,
      cookie: {
        baseName: `${scope.name}.${id}.session`,
        sameSite: resolved.sameSite,
        maxAge: resolved.sessionDuration,
        allowInsecureLocalhost: overrides.allowInsecureLocalhost ?? runtime.allowInsecureLocalhost,
      },
      options: resolved,
    });
  }

  /**
   * The API the frontend signs in with. Export it from the app module
   * (`export const authApi = auth.createApi()`); calling this again returns
   * the same namespace.
   */
  createApi(): AuthBasicApi {
    this.#api ??= new ApiNamespace(this.scope, `${this.id}-api`, (context) => ({
      setAuthState: withInput(this.#schema, (input) => this.#service.setAuthState(context, input)),
      getAuthState: () => this.getAuthState(context),
    }));
    return this.#api;
  }

  /** The signed-in user, or a 401 `SessionExpiredException`. */
  async requireAuth(context: RequestContext): Promise<AuthBasicUser> {
    const user = await this.#service.currentUser(context);
    if (user === undefined) throw new SessionExpiredException();
    return user;
  }

  async getAuthState(context: RequestContext): Promise<AuthState> {
    const user = await this.#service.currentUser(context);
    return user === undefined
      ? { signedIn: false }
      : { signedIn: true, username: user.username, createdAt: user.createdAt, expiresAt: user.sessionExpiresAt };
  }
}

/** Fetches the secret once (per cold start) and derives the keys; a failure is retried by the next call. */
function cachedKeys(source: SessionKeySource): () => Promise<AuthKeys> {
  let pending: Promise<AuthKeys> | undefined;
  return () => {
    pending ??= source()
      .then(deriveKeys)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}
