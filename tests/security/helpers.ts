/**
 * Shared fixtures of the reliability and security suite (tests/security/ and
 * the isolation properties in aws-blocks/index.test.ts): the real sample app
 * behind an in-process dispatcher, the checks every API response must pass,
 * a snapshot of the intrinsics prototype pollution would change, and the
 * spawn-and-SIGKILL harness of the crash tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  bearer,
  cognitoIssuer,
  createDispatcher,
  idTokenClaims,
  startJwksFixture,
  type Dispatcher,
  type JwksFixture,
} from 'blocks-kit/testing';
import { expect, vi } from 'vitest';

export const projectRoot = path.resolve(import.meta.dirname, '../..');

// ---------------------------------------------------------------------------
// The sample app (aws-blocks/index.ts) with tokens from a local JWKS

export const SAMPLE_CLIENT_ID = 'security-suite-client';

export interface SampleApp {
  readonly dispatcher: Dispatcher;
  /** The keys of the Cognito-style issuer the app trusts. */
  readonly jwks: JwksFixture;
  /** `iss` of the app's tokens: the fixture's own, or the AWS issuer of `deployedPoolId`. */
  readonly issuer: string;
  readonly dataDir: string;
  /** A valid ID token for `sub`. */
  idToken(sub: string, groups?: string[]): string;
  /** `{ authorization: 'Bearer <ID token>' }` for `sub`. */
  headersFor(sub: string, groups?: string[]): Record<string, string>;
  /** What the dispatcher logged: every entry is a 500 somebody will have to debug. */
  readonly serverErrors: unknown[][];
  close(): Promise<void>;
}

export interface SampleAppOptions {
  /** Applied before the import, e.g. DynamoDB table mappings. */
  readonly env?: Record<string, string>;
  readonly maxBodyBytes?: number;
  /**
   * Configure the app as the deployed Lambda is: only COGNITO_USER_POOL_ID
   * (this id) and COGNITO_CLIENT_ID, so the verifier derives the AWS issuer;
   * its JWKS URL is answered from the fixture by a stubbed global `fetch`.
   */
  readonly deployedPoolId?: string;
}

/**
 * Imports aws-blocks/index.ts with the environment the dev server and the
 * Lambda provide, pointed at a fresh JWKS fixture and data directory.
 */
export async function startSampleApp(options: SampleAppOptions = {}): Promise<SampleApp> {
  const jwks = await startJwksFixture();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-security-'));
  const saved = { ...process.env };
  const deployed = options.deployedPoolId;
  const issuer = deployed === undefined ? jwks.issuer : cognitoIssuer(deployed);
  Object.assign(process.env, {
    BLOCKS_DATA_DIR: dataDir,
    COGNITO_USER_POOL_ID: deployed ?? jwks.poolId,
    COGNITO_CLIENT_ID: SAMPLE_CLIENT_ID,
    ...(deployed === undefined && { COGNITO_ISSUER: jwks.issuer, COGNITO_JWKS_URI: jwks.jwksUri }),
    ...options.env,
  });
  let servingKeys: { mockRestore(): void } | undefined;
  if (deployed !== undefined) {
    delete process.env.COGNITO_ISSUER;
    delete process.env.COGNITO_JWKS_URI;
    servingKeys = vi.spyOn(https, 'get').mockImplementation(jwks.cognitoHttpsGet(deployed));
  }
  const serverErrors: unknown[][] = [];
  // The app reads its environment at import, so a deployed-style app needs a
  // fresh copy. Only then: other suites patch the kit's modules before this import.
  if (deployed !== undefined) vi.resetModules();
  const dispatcher = createDispatcher(await import('../../aws-blocks/index.js'), {
    logger: { error: (...details: unknown[]) => serverErrors.push(details) },
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
  });
  const idToken = (sub: string, groups: string[] = []): string =>
    jwks.mintToken(idTokenClaims({ issuer, clientId: SAMPLE_CLIENT_ID, sub, email: `${sub}@example.com`, groups }));
  return {
    dispatcher,
    jwks,
    issuer,
    dataDir,
    idToken,
    headersFor: (sub, groups) => bearer(idToken(sub, groups)),
    serverErrors,
    async close() {
      process.env = saved;
      servingKeys?.mockRestore();
      await jwks.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// What every response of the API must look like

/** Any HTTP response, from the dispatcher or from the wire. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface RpcErrorBody {
  readonly code: number;
  readonly message: string;
  readonly data: { readonly status: number; readonly name: string; readonly requestId?: string; readonly details?: unknown };
}

export interface RpcBody {
  readonly jsonrpc: '2.0';
  readonly id: string | number | null;
  readonly result?: unknown;
  readonly error?: RpcErrorBody;
}

/** The only body a rejected token may produce: nothing about why. */
export const GENERIC_UNAUTHORIZED: RpcErrorBody = {
  code: -32001,
  message: 'Unauthorized',
  data: { status: 401, name: 'UnauthorizedError' },
};

/** HTTP statuses the README's wire-protocol table allows for a JSON-RPC error code. */
export function statusesForCode(code: number): readonly number[] {
  switch (code) {
    case -32700:
      return [400];
    case -32600:
      return [400, 405, 415];
    case -32602:
      return [400];
    case -32601:
      return [404];
    case -32603:
      return [500, 503];
    default:
      // Block errors: 4xx map to -32000 - (status - 400).
      return code <= -32000 && code >= -32099 ? [400 + (-32000 - code)] : [];
  }
}

// What a response must never carry. Echoed client input is removed first (see `leaksIn`).
const LEAK_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /\bat (?:async )?\S+ \(|\n\s+at /],
  ['an error class with its message', /\b[A-Za-z]*Error: /],
  ['a file system path', /(?:\/(?:work|home|root|tmp|usr|var|private)\/|node_modules|file:\/\/|[A-Za-z]:\\\\)/],
  ['a source location', /\.(?:[cm]?[jt]sx?):\d+/],
];

/** Names of the leak patterns `text` matches, ignoring the client's own `echoed` strings. */
export function leaksIn(text: string, echoed: readonly string[] = []): string[] {
  let scrubbed = text;
  for (const value of echoed) {
    if (value.length === 0) continue;
    // The body is JSON, so an echoed string appears in its escaped form.
    scrubbed = scrubbed.split(JSON.stringify(value).slice(1, -1)).join('');
  }
  return LEAK_PATTERNS.filter(([, pattern]) => pattern.test(scrubbed)).map(([name]) => name);
}

export interface ResponseExpectations {
  /** Fixture apps may have bugs (answered as a generic 500); the sample app may not. */
  readonly allowInternalError?: boolean;
  /** Client-supplied strings the API may legitimately repeat (the method name in a 404). */
  readonly echoed?: readonly string[];
}

/**
 * Asserts that `response` is one well-formed JSON-RPC 2.0 response whose
 * HTTP status matches its error code, that gives nothing away, and returns it parsed.
 */
export function expectWellFormed(response: WireResponse, expectations: ResponseExpectations = {}): RpcBody {
  const context = `HTTP ${response.status}: ${response.body.slice(0, 300)}`;
  expect(response.headers.get('content-type'), context).toBe('application/json; charset=utf-8');
  expect(response.headers.get('x-content-type-options'), context).toBe('nosniff');
  const requestId = response.headers.get('x-request-id');
  expect(requestId, context).toBeTruthy();
  let message: unknown;
  try {
    message = JSON.parse(response.body);
  } catch {
    throw new Error(`response body is not JSON: ${context}`);
  }
  expect(message, context).toBeTypeOf('object');
  const body = message as RpcBody;
  expect(body.jsonrpc, context).toBe('2.0');
  expect(typeof body.id === 'string' || typeof body.id === 'number' || body.id === null, context).toBe(true);
  expect(Object.keys(body).sort(), context).toEqual(
    body.error === undefined ? ['id', 'jsonrpc', 'result'] : ['error', 'id', 'jsonrpc'],
  );
  if (body.error === undefined) {
    expect(response.status, context).toBe(200);
  } else {
    const { code, message: text, data } = body.error;
    expect(Number.isInteger(code), context).toBe(true);
    expect(typeof text, context).toBe('string');
    expect(data.status, context).toBe(response.status);
    expect(typeof data.name, context).toBe('string');
    expect(statusesForCode(code), context).toContain(response.status);
    if (response.status === 500) {
      expect(expectations.allowInternalError ?? false, `unexpected 500: ${context}`).toBe(true);
      // A bug answers with nothing but the id that finds its log line.
      expect(body.error, context).toEqual({
        code: -32603,
        message: `Internal error (request id ${requestId})`,
        data: { status: 500, name: 'InternalError', requestId },
      });
    }
    if (response.status === 503) expect(response.headers.get('retry-after'), context).toMatch(/^\d+$/);
  }
  // Only the error is scanned: results are app data and `id` is the client's own, whatever they contain.
  if (body.error !== undefined) expect(leaksIn(JSON.stringify(body.error), expectations.echoed), context).toEqual([]);
  return body;
}

// ---------------------------------------------------------------------------
// Prototype pollution

type Snapshot = ReadonlyMap<object, ReadonlyMap<PropertyKey, PropertyDescriptor>>;

// The objects a polluting merge reaches through `__proto__` or `constructor`.
const WATCHED: ReadonlyArray<readonly [string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
  ['Object', Object],
  ['JSON', JSON],
];

export function snapshotIntrinsics(): Snapshot {
  return new Map(
    WATCHED.map(([, target]) => [
      target,
      new Map(Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)!])),
    ]),
  );
}

/** Every property added, removed or replaced on the watched intrinsics since `before`. */
export function intrinsicChanges(before: Snapshot): string[] {
  const changes: string[] = [];
  for (const [label, target] of WATCHED) {
    const old = before.get(target) ?? new Map<PropertyKey, PropertyDescriptor>();
    const keys = new Set<PropertyKey>([...old.keys(), ...Reflect.ownKeys(target)]);
    for (const key of keys) {
      const was = old.get(key);
      const now = Object.getOwnPropertyDescriptor(target, key);
      const same =
        was !== undefined &&
        now !== undefined &&
        Object.is(was.value, now.value) &&
        was.get === now.get &&
        was.set === now.set &&
        was.writable === now.writable;
      if (!same) changes.push(`${label}[${String(key)}]`);
    }
  }
  if (Object.getPrototypeOf(Object.prototype) !== null) changes.push('Object.prototype has a prototype');
  return changes;
}

