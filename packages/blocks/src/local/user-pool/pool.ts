import {
  adminAddUserToGroup,
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminRemoveUserFromGroup,
  adminSetUserEnabled,
  adminSetUserPassword,
  isSessionLive,
  lastCode,
  listUserDetails,
  listUsers,
  type AdminCreateUserInput,
  type UserDetails,
  type UserSummary,
} from './admin.js';
import type { CodeEvent, PoolContext } from './context.js';
import { CognitoError } from './errors.js';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { loadOrCreateSigningKeys, type JwksDocument, type SigningKeys } from './keys.js';
import { KeyedLock } from '../keyed-lock.js';
import { OPERATIONS, TARGET_PREFIX } from './operations.js';
import type { PasswordPolicy } from './password-policy.js';
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from './settings.js';
import type { CodeKind } from './records.js';
import { UsedChallenges } from './secret-block.js';
import { UserPoolStore } from './store.js';
import { newOutboxMessage, readUserPoolOutbox, writeOutboxMessage, type OutboxMessage, type ReadUserPoolOutboxOptions } from './outbox.js';
import { RateLimiter } from './throttle.js';

export interface LocalUserPoolOptions {
  /** Root of local data; the pool keeps its files in `<dataDir>/user-pool/`. */
  dataDir: string;
  /** Where the pool is served, e.g. `http://localhost:5173/local-cognito`; the issuer is `<this>/<userPoolId>`. */
  issuerBaseUrl: string;
  /** Default `local_blocks`. The part after `_` is the pool name that SRP hashes into every verifier. */
  userPoolId?: string;
  /** Default `local-blocks-client`. */
  clientId?: string;
  /** Default: Amplify Gen 2's (8 characters, lower, upper, number, symbol). Overrides `settings.passwordPolicy`. */
  passwordPolicy?: Partial<PasswordPolicy>;
  /** The pool's configuration (derived from the app's defineAuth in dev); default Amplify's email sign-in. */
  settings?: Partial<PoolSettings>;
  /** Lifetime of every code; default 24 h for sign-up and email codes, 1 h for password reset, as Cognito. */
  codeTtlSeconds?: number;
  /**
   * Receives each code the pool would email or text. Default: one line in the
   * terminal. Either way the message is also written to the pool's outbox
   * (`<dataDir>/user-pool/outbox/`, read with `pool.outbox()`).
   */
  onCode?: (event: CodeEvent) => void;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Pool-wide request rate limit (TooManyRequestsException); `false` disables it. */
  rateLimit?: { requestsPerSecond: number; burst: number } | false;
}

export interface UserPoolRequest {
  /** The action: `SignUp`, or the whole `AWSCognitoIdentityProviderService.SignUp`. */
  target: string;
  /** Parsed JSON body (a JSON string is accepted too). */
  body: unknown;
}

export interface UserPoolResponse {
  status: number;
  body: unknown;
}

/** A Cognito-compatible user pool running in the dev server process. */
export interface LocalUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
  /** `iss` of every token: `<issuerBaseUrl>/<userPoolId>`. */
  readonly issuer: string;
  /** Where the pool keeps its files. */
  readonly directory: string;
  /** Answers one Cognito Identity Provider JSON-protocol call. Never rejects. */
  handle(request: UserPoolRequest): Promise<UserPoolResponse>;
  /** The public signing keys (the document served at `<issuer>/.well-known/jwks.json`). */
  jwks(): Promise<JwksDocument>;
  adminCreateUser(input: AdminCreateUserInput): Promise<UserSummary>;
  adminAddUserToGroup(email: string, group: string): Promise<void>;
  adminRemoveUserFromGroup(email: string, group: string): Promise<void>;
  listUsers(): Promise<UserSummary[]>;
  /** The newest unused, unexpired code sent to `email` (or to a phone number, or for a username), if any. */
  lastCode(email: string): Promise<string | undefined>;
  /** Users with status, groups and live codes (the local console's Users tab). */
  listUserDetails(search?: string): Promise<UserDetails[]>;
  adminConfirmSignUp(email: string): Promise<void>;
  adminSetUserEnabled(email: string, enabled: boolean): Promise<void>;
  adminSetUserPassword(email: string, password: string): Promise<void>;
  adminDeleteUser(email: string): Promise<void>;
  /** Whether a token of this pool (its `sub` and `origin_jti`) is still a live sign-in; see admin.ts. */
  isSessionLive(claims: { sub: string; originJti: string }): Promise<boolean>;
  /** The messages the pool "sent" (every code, by email and SMS), oldest first, once writes in flight landed. */
  outbox(options?: ReadUserPoolOutboxOptions): Promise<OutboxMessage[]>;
}

const KIND_LABEL: Record<CodeKind, string> = {
  signUp: 'sign-up confirmation',
  forgotPassword: 'password reset',
  verifyEmail: 'email verification',
  verifyPhone: 'phone verification',
  signIn: 'sign-in',
};

function printCode(event: CodeEvent): void {
  const by = event.medium === 'SMS' ? ' (SMS)' : '';
  console.info(`[local user pool] ${KIND_LABEL[event.kind]} code for ${event.username}${by}: ${event.code}`);
}

function poolNameOf(userPoolId: string): string {
  const [region, name, ...rest] = userPoolId.split('_');
  if (!region || !name || rest.length > 0) {
    throw new Error(`Invalid userPoolId "${userPoolId}": expected "<region>_<name>", e.g. "local_blocks"`);
  }
  return name;
}

export function createLocalUserPool(options: LocalUserPoolOptions): LocalUserPool {
  const userPoolId = options.userPoolId ?? 'local_blocks';
  const clientId = options.clientId ?? 'local-blocks-client';
  const issuer = `${options.issuerBaseUrl.replace(/\/+$/, '')}/${userPoolId}`;
  const now = options.now ?? Date.now;
  const day = 24 * 3600 * 1000;
  const ttl = (fallback: number) => (options.codeTtlSeconds === undefined ? fallback : options.codeTtlSeconds * 1000);
  const onCode = options.onCode ?? printCode;
  const base: PoolSettings = { ...DEFAULT_POOL_SETTINGS, ...options.settings };
  const settings: PoolSettings = { ...base, passwordPolicy: { ...base.passwordPolicy, ...options.passwordPolicy } };
  const store = new UserPoolStore(options.dataDir, {
    email: settings.usernameAttributes.includes('email'),
    phone: settings.usernameAttributes.includes('phone_number'),
  });

  let keys: Promise<SigningKeys> | undefined;
  const loadKeys = (): Promise<SigningKeys> => {
    if (keys) return keys;
    const loading = loadOrCreateSigningKeys(store).then((loaded) => {
      // Old sessions are only read when their token comes back; tidy them once per run.
      store.pruneSessions(now()).catch(() => undefined);
      return loaded;
    });
    // A failed load (e.g. an unwritable dir) is retried on the next request.
    loading.catch(() => {
      if (keys === loading) keys = undefined;
    });
    keys = loading;
    return loading;
  };

  // Outbox writes are not awaited by the request (see outbox.ts); readers wait for these.
  const pendingWrites = new Set<Promise<void>>();

  const ctx: PoolContext = {
    userPoolId,
    poolName: poolNameOf(userPoolId),
    clientId,
    issuer,
    settings,
    passwordPolicy: settings.passwordPolicy,
    codeTtlMs: {
      signUp: ttl(day),
      verifyEmail: ttl(day),
      verifyPhone: ttl(day),
      forgotPassword: ttl(3600 * 1000),
      signIn: ttl(3 * 60 * 1000),
    },
    store,
    locks: new KeyedLock(),
    usedChallenges: new UsedChallenges(),
    now,
    keys: loadKeys,
    deliverCode: (event) => {
      const message = newOutboxMessage({ medium: event.medium, to: event.username, kind: event.kind, code: event.code }, new Date(now()));
      const writing = store
        .ensureRoot()
        .then(() => writeOutboxMessage(store.root, message))
        .then(() => undefined)
        .catch((error: unknown) => {
          // ENOENT: the data dir was deleted meanwhile (a reset, a test's cleanup); nothing left to deliver to.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') console.error('[local user pool] could not write the outbox', error);
        })
        .finally(() => pendingWrites.delete(writing));
      pendingWrites.add(writing);
      try {
        onCode(event);
      } catch (error) {
        console.error('[local user pool] onCode failed', error);
      }
    },
  };

  const limit = options.rateLimit ?? { requestsPerSecond: 100, burst: 300 };
  const limiter = limit === false ? undefined : new RateLimiter(limit.requestsPerSecond, limit.burst, now());

  async function handle(request: UserPoolRequest): Promise<UserPoolResponse> {
    try {
      if (limiter && !limiter.take(now())) {
        throw new CognitoError('TooManyRequestsException', 'Too many requests');
      }
      const target = request.target.startsWith(TARGET_PREFIX)
        ? request.target.slice(TARGET_PREFIX.length)
        : request.target;
      const operation = OPERATIONS.get(target);
      if (!operation) {
        throw new CognitoError(
          'UnknownOperationException',
          `Operation ${target.slice(0, 100)} is not supported by the local user pool`,
        );
      }
      const body = typeof request.body === 'string' ? safeJsonParse(request.body) : request.body;
      if (!isJsonObject(body)) throw new CognitoError('SerializationException', 'Request body must be a JSON object');
      return { status: 200, body: await operation(ctx, body) };
    } catch (error) {
      if (error instanceof CognitoError) return { status: error.status, body: error.toBody() };
      console.error('[local user pool] internal error', error);
      return {
        status: 500,
        body: { __type: 'InternalErrorException', message: 'Internal error in the local user pool' },
      };
    }
  }

  return {
    userPoolId,
    clientId,
    issuer,
    directory: store.root,
    handle,
    jwks: async () => ({ keys: [(await loadKeys()).jwk] }),
    adminCreateUser: (input) => adminCreateUser(ctx, input),
    adminAddUserToGroup: (email, group) => adminAddUserToGroup(ctx, email, group),
    adminRemoveUserFromGroup: (email, group) => adminRemoveUserFromGroup(ctx, email, group),
    listUsers: () => listUsers(ctx),
    lastCode: (email) => lastCode(ctx, email),
    listUserDetails: (search) => listUserDetails(ctx, search),
    adminConfirmSignUp: (email) => adminConfirmSignUp(ctx, email),
    adminSetUserEnabled: (email, enabled) => adminSetUserEnabled(ctx, email, enabled),
    adminSetUserPassword: (email, password) => adminSetUserPassword(ctx, email, password),
    adminDeleteUser: (email) => adminDeleteUser(ctx, email),
    isSessionLive: (claims) => isSessionLive(ctx, claims),
    outbox: async (filter) => {
      await Promise.all([...pendingWrites]);
      return readUserPoolOutbox(options.dataDir, filter);
    },
  };
}
