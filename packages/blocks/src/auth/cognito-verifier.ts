/**
 * Verifies Amazon Cognito user-pool tokens (as issued to the Amplify client)
 * on the `Authorization: Bearer` header of a Block request.
 *
 * Cloud: the issuer is derived from the pool id and `CognitoJwtVerifier` does
 * the work. Local development: a Cognito-compatible pool runs on localhost
 * over plain http, so the issuer and JWKS URI come from configuration and the
 * generic `JwtVerifier` runs the same checks. No check is relaxed locally;
 * only where the keys come from changes.
 */
// Subpath entries, not the main one: it also loads the ALB verifier, which the kit never uses.
import { CognitoJwtVerifier, validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { JwkValidationError, JwksValidationError, JwtBaseError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks, SimpleJwksCache, type Jwk, type Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Json } from 'aws-jwt-verify/safe-json-parse';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError, type ApiError } from '../core/errors.js';
import type { RequestContext } from '../core/context.js';
import { isLoopbackHostname } from '../core/loopback.js';
import { safeJsonParse } from '../core/safe-json.js';
import { DEPLOY_TIME_JWKS_ENV, deployTimeJwks } from './deploy-time-jwks.js';
import { fetchJwksBytes, JwksUnavailableError } from './jwks-fetcher.js';
import { VerifiedTokens } from './verified-tokens.js';

export type TokenUse = 'id' | 'access';

export interface CognitoVerifierOptions {
  /**
   * The user pool id, e.g. `us-east-1_AbC123`. May be `undefined` while
   * tooling (CDK synthesis, spec generation) imports the app without its
   * environment; it is only required once a request is verified.
   */
  userPoolId: string | undefined;
  /** The app client id: `aud` of ID tokens, `client_id` of access tokens. */
  clientId: string | undefined;
  tokenUse: TokenUse;
  /**
   * Expected `iss` for a non-AWS (local) pool. When omitted, the
   * `COGNITO_ISSUER` environment variable is used if set, else the issuer is
   * derived from `userPoolId`.
   */
  issuer?: string;
  /**
   * Where the signing keys are published; defaults to
   * `<issuer>/.well-known/jwks.json`. Must be https, except on loopback hosts.
   * When `issuer` is omitted, `COGNITO_JWKS_URI` is the fallback.
   */
  jwksUri?: string;
}

/** The caller, as established by a valid token. */
export interface VerifiedUser {
  /** Stable user id (`sub`). */
  sub: string;
  /** `cognito:username` (ID token) or `username` (access token). */
  username: string;
  /** Only ID tokens carry it. */
  email?: string;
  /** `cognito:groups`, empty when the user is in no group. */
  groups: string[];
  /** The full verified payload. */
  claims: Readonly<JwtPayload>;
}

/** What a request needs to carry for verification. */
export type AuthContext = Pick<RequestContext, 'headers'>;

const USER_POOL_ID = /^(?<region>(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d)_[a-zA-Z0-9]+$/;

/** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`; throws a TypeError for a malformed id. */
export function cognitoIssuer(userPoolId: string): string {
  const region = USER_POOL_ID.exec(userPoolId)?.groups?.region;
  if (!region) {
    throw new TypeError(`CognitoVerifier: "${userPoolId}" is not a Cognito user pool id (expected <region>_<id>).`);
  }
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

// ---------------------------------------------------------------------------
// Configuration

/** Plain http would let anyone on the path swap the keys, so it is allowed only where there is no path. */
function assertJwksUriAllowed(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TypeError(`CognitoVerifier: jwksUri "${uri}" is not a valid URL.`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopbackHostname(url.hostname)) return;
  throw new TypeError(`CognitoVerifier: jwksUri "${uri}" must use https (plain http is only allowed on loopback: localhost, 127.0.0.0/8, [::1]).`);
}

function assertIssuerValid(issuer: string): void {
  if (!URL.canParse(issuer)) throw new TypeError(`CognitoVerifier: issuer "${issuer}" is not a valid URL.`);
}

function defaultJwksUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
}

/** Checks what the caller wrote literally; anything that may come from the environment waits for first use. */
function validateExplicitOptions(options: CognitoVerifierOptions): void {
  if (options.tokenUse !== 'id' && options.tokenUse !== 'access') {
    throw new TypeError(`CognitoVerifier: tokenUse must be 'id' or 'access', got ${JSON.stringify(options.tokenUse)}.`);
  }
  if (options.issuer !== undefined) assertIssuerValid(options.issuer);
  if (options.jwksUri !== undefined) assertJwksUriAllowed(options.jwksUri);
}

interface ResolvedConfig {
  userPoolId: string;
  clientId: string;
  tokenUse: TokenUse;
  /** Absent: derive from the pool id (AWS). */
  custom?: { issuer: string; jwksUri: string };
}

function required(value: string | undefined, name: string): string {
  if (!value) {
    throw new TypeError(
      `CognitoVerifier: ${name} is not set. Pass it in the options (usually from an environment variable of the function).`,
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function resolveCustomIssuer(options: CognitoVerifierOptions, env: NodeJS.ProcessEnv): ResolvedConfig['custom'] {
  // An explicit issuer ignores the environment entirely, so a JWKS URI meant for another pool can never pair with it.
  const issuer = options.issuer ?? nonEmpty(env.COGNITO_ISSUER);
  const jwksUri = options.issuer !== undefined ? options.jwksUri : (options.jwksUri ?? nonEmpty(env.COGNITO_JWKS_URI));
  if (issuer === undefined) {
    if (jwksUri !== undefined) {
      throw new TypeError('CognitoVerifier: a jwksUri (or COGNITO_JWKS_URI) was given without an issuer (or COGNITO_ISSUER).');
    }
    return undefined;
  }
  assertIssuerValid(issuer);
  const resolvedJwksUri = jwksUri ?? defaultJwksUri(issuer);
  assertJwksUriAllowed(resolvedJwksUri);
  return { issuer, jwksUri: resolvedJwksUri };
}

function resolveConfig(options: CognitoVerifierOptions, env: NodeJS.ProcessEnv): ResolvedConfig {
  const userPoolId = required(options.userPoolId, 'userPoolId');
  const clientId = required(options.clientId, 'clientId');
  const custom = resolveCustomIssuer(options, env);
  if (!custom) cognitoIssuer(userPoolId); // fail with our message rather than the library's
  return { userPoolId, clientId, tokenUse: options.tokenUse, ...(custom && { custom }) };
}

// ---------------------------------------------------------------------------
// JWKS fetching

const JWKS_TIMEOUT_MS = 5_000;
/** A JWKS fetch that failed is retried on the next request; a few seconds spares an outage a stampede. */
const JWKS_RETRY_AFTER_SECONDS = 5;
const JWKS_MAX_BYTES = 256 * 1024;

/** The library's fetcher interface on our own `node:https` client: no undici on the cold path (jwks-fetcher.ts). */
const jwksFetcher: Fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    assertJwksUriAllowed(uri);
    return await fetchJwksBytes(uri, { timeoutMs: JWKS_TIMEOUT_MS, maxBytes: JWKS_MAX_BYTES });
  },
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The key set goes through the kit's safe JSON parser; anything unparsable or misshapen is a `JwksValidationError` (503). */
function parseJwks(body: ArrayBuffer): Jwks {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new JwksValidationError('JWKS is not UTF-8');
  }
  const jwks = safeJsonParse(text);
  if (jwks === undefined) throw new JwksValidationError('JWKS is not (safe) JSON');
  // What JSON.parse returned is JSON; the library checks its shape.
  const json = jwks as Json;
  assertIsJwks(json);
  return json;
}

// ---------------------------------------------------------------------------
// Token checks

/** A token failed one of our own checks (the library's failures are `JwtBaseError`s). */
class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

/**
 * Cognito signs with RS256 only. Pinning it (rather than accepting every
 * algorithm the library supports) rules out algorithm-confusion tricks, and
 * checking before verification spares a JWKS fetch for such tokens.
 */
function assertRs256Header(header: JwtHeader): void {
  if (header.alg !== 'RS256') throw new TokenRejectedError('alg is not RS256');
  if (typeof header.kid !== 'string' || header.kid === '') throw new TokenRejectedError('kid missing');
}

/** Runs after the signature is verified; adds what the library leaves optional. */
function assertCognitoShape({ header, payload, jwk }: { header: JwtHeader; payload: JwtPayload; jwk: Jwk }): void {
  assertRs256Header(header);
  if (jwk.kty !== 'RSA') throw new TokenRejectedError('key is not RSA');
  // The library accepts tokens without exp; a Cognito token always has one.
  if (typeof payload.exp !== 'number') throw new TokenRejectedError('exp missing');
}

type VerifyFn = (token: string) => Promise<JwtPayload>;

interface Verifier {
  readonly verify: VerifyFn;
  /** Fetches the key set into the cache now; rejects when it cannot be fetched (nothing is cached then). */
  readonly hydrate: () => Promise<void>;
  /** The cache started with the deployment's key set (deploy-time-jwks.ts): nothing to fetch up front. */
  readonly seeded: boolean;
}

function createVerifier(config: ResolvedConfig): Verifier {
  const jwksCache = new SimpleJwksCache({ fetcher: jwksFetcher, jwksParser: parseJwks });
  // The cache key is the URI each library verifier asks for: `<issuer>/.well-known/jwks.json` for a pool id.
  const jwksUri = config.custom?.jwksUri ?? defaultJwksUri(cognitoIssuer(config.userPoolId));
  const deployed = deployTimeJwks(process.env[DEPLOY_TIME_JWKS_ENV], jwksUri);
  if (deployed) jwksCache.addJwks(jwksUri, deployed);
  const seeded = deployed !== undefined;
  const { clientId, tokenUse } = config;
  if (!config.custom) {
    const verifier = CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, clientId, tokenUse, customJwtCheck: assertCognitoShape },
      { jwksCache },
    );
    // Not verifier.hydrate(): that also fetches the keys at Cognito's second (global) issuer URL,
    // which Amplify's tokens do not name.
    return { verify: (token) => verifier.verify(token), hydrate: () => jwksCache.getJwks(jwksUri).then(() => undefined), seeded };
  }
  const verifier = JwtVerifier.create(
    {
      issuer: config.custom.issuer,
      jwksUri: config.custom.jwksUri,
      // Cognito access tokens have no aud; the client id is checked below, per token use, as CognitoJwtVerifier does.
      audience: null,
      customJwtCheck: (props) => {
        assertCognitoShape(props);
        validateCognitoJwtFields(props.payload, { tokenUse, clientId });
      },
    },
    { jwksCache },
  );
  return { verify: (token) => verifier.verify(token), hydrate: () => verifier.hydrate(), seeded };
}

const BEARER = /^bearer +(\S+)$/i;
/** Far above any Cognito token; bounds the work an anonymous caller can cause. */
const MAX_TOKEN_LENGTH = 16 * 1024;

function bearerToken(headers: Headers): string {
  const match = BEARER.exec(headers.get('authorization') ?? '');
  const token = match?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError();
  return token;
}

function stringClaim(payload: JwtPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toVerifiedUser(payload: JwtPayload, tokenUse: TokenUse): VerifiedUser {
  const sub = stringClaim(payload, 'sub');
  const username = stringClaim(payload, tokenUse === 'id' ? 'cognito:username' : 'username');
  if (!sub || !username) throw new TokenRejectedError('sub or username missing');
  const rawGroups = payload['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
  const email = stringClaim(payload, 'email');
  return { sub, username, groups, claims: payload, ...(email !== undefined && { email }) };
}

function isServiceFailure(error: unknown): boolean {
  return error instanceof JwksUnavailableError || error instanceof JwksValidationError || error instanceof JwkValidationError;
}

/** Maps any verification failure to a response that tells the caller nothing about why. */
function toApiError(error: unknown): ApiError {
  // Class names only: library messages can quote claim values, and nothing from the token is logged.
  const kind = error instanceof Error ? error.constructor.name : typeof error;
  if (isServiceFailure(error)) {
    console.warn(`[blocks-kit] auth: signing keys unavailable (${kind}: ${(error as Error).message})`);
    return new ServiceUnavailableError('Authentication service unavailable', JWKS_RETRY_AFTER_SECONDS);
  }
  if (!(error instanceof JwtBaseError || error instanceof TokenRejectedError)) {
    console.warn(`[blocks-kit] auth: unexpected ${kind} while verifying a token; rejected`);
  } else {
    console.debug(`[blocks-kit] auth: token rejected (${kind})`);
  }
  return new UnauthorizedError();
}

// ---------------------------------------------------------------------------

/**
 * Guards Block methods with Cognito user-pool tokens.
 *
 * ```ts
 * const auth = new CognitoVerifier({ userPoolId: process.env.COGNITO_USER_POOL_ID, clientId: process.env.COGNITO_CLIENT_ID, tokenUse: 'id' });
 * const user = await auth.requireAuth(context);              // 401 without a valid token
 * const admin = await auth.requireGroup(context, 'admins');  // then 403 outside the group
 * ```
 *
 * Configuration: literal options (`tokenUse`, `issuer`, `jwksUri`) are
 * checked by the constructor. `userPoolId` / `clientId` and the
 * `COGNITO_ISSUER` / `COGNITO_JWKS_URI` environment fallbacks are resolved on
 * the first `requireAuth` call, because tooling imports app modules without
 * their environment; a missing or invalid value then throws a `TypeError`,
 * which the dispatcher answers as a generic 500 and logs — a server fault,
 * not the caller's.
 *
 * Failures: every invalid, missing or malformed token — and any unexpected
 * error while verifying one — is `UnauthorizedError` (401, message
 * "Unauthorized", no details). When the signing keys cannot be fetched or are
 * malformed, the answer is `ServiceUnavailableError` (503 "Authentication
 * service unavailable", `Retry-After: 5`), so clients retry instead of
 * signing the user out. The
 * JWKS is fetched once per verifier and cached; a token with an unknown `kid`
 * triggers a refetch (key rotation), rate-limited by the library. A deployed
 * function starts with the key set its deployment fetched (`COGNITO_JWKS`,
 * deploy-time-jwks.ts) and fetches only for a key outside it.
 */
export class CognitoVerifier {
  readonly #options: Readonly<CognitoVerifierOptions>;
  #config: ResolvedConfig | undefined;
  #verify: Verifier | undefined;
  /** Tokens accepted before, until their `exp` (verified-tokens.ts says why that is safe). */
  readonly #verified = new VerifiedTokens();

  constructor(options: CognitoVerifierOptions) {
    validateExplicitOptions(options);
    this.#options = { ...options };
    // In a Lambda execution environment the verifier is built during init,
    // taking the deployment's key set from COGNITO_JWKS when there is one;
    // without it, start fetching the keys now, so the first request finds
    // them fetched or in flight, and a Block's SDK client loading meanwhile
    // never waits for them.
    if (process.env.AWS_LAMBDA_FUNCTION_NAME) this.#prepareKeys();
  }

  /** Best effort: a failed fetch caches nothing, and the first request fetches again and answers 503 if it fails too. */
  #prepareKeys(): void {
    try {
      const verifier = this.#verifier();
      if (!verifier.seeded) verifier.hydrate().catch(() => undefined);
    } catch {
      // Incomplete configuration: the first request reports it.
    }
  }

  /** Resolves to the caller; rejects with 401 (or 503, see class docs). */
  async requireAuth(context: AuthContext): Promise<VerifiedUser> {
    const { verify, tokenUse } = this.#verifier();
    const token = bearerToken(context.headers);
    try {
      const known = this.#verified.get(token, Date.now() / 1000);
      if (known !== undefined) return toVerifiedUser(known, tokenUse);
      assertRs256Header(decomposeUnverifiedJwt(token).header);
      const claims = await verify(token);
      const user = toVerifiedUser(claims, tokenUse);
      this.#verified.remember(token, claims);
      return user;
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Like `requireAuth`, then 403 unless the user is in `group` (`cognito:groups`). */
  async requireGroup(context: AuthContext, group: string): Promise<VerifiedUser> {
    const user = await this.requireAuth(context);
    if (!user.groups.includes(group)) throw new ForbiddenError('Forbidden');
    return user;
  }

  #verifier(): Verifier & { tokenUse: TokenUse } {
    if (!this.#config || !this.#verify) {
      const config = resolveConfig(this.#options, process.env);
      this.#verify = createVerifier(config);
      this.#config = config;
    }
    return { ...this.#verify, tokenUse: this.#config.tokenUse };
  }
}
