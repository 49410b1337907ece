/**
 * Protocol fuzzing, in process: generated requests go straight into the
 * dispatcher (no sockets, so 10,000+ cases fit in seconds) for the real
 * sample app, the kit's fixture app and a deliberately careless merging app.
 *
 * Every response must be one well-formed JSON-RPC 2.0 response whose HTTP
 * status matches its code (README wire-protocol table), must not leak
 * internals, the sample app must never answer 500, and nothing may touch
 * `Object.prototype`. Where the README promises a specific answer (bad
 * UTF-8, `__proto__` / `constructor` / `prototype` keys, nesting past 64, batches, wrong method or type,
 * oversized bodies) the property checks for exactly that answer.
 */
import { isUtf8 } from 'node:buffer';
import { idTokenClaims } from 'blocks-kit/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatcher, type Dispatcher, type RpcHttpRequest } from '../../packages/blocks/src/rpc/dispatcher.js';
import * as kitFixtureApp from '../../packages/blocks/src/testing/fixture-app/index.js';
import * as pollutionApp from './fixtures/pollution-app.js';
import {
  expectWellFormed,
  GENERIC_UNAUTHORIZED,
  intrinsicChanges,
  SAMPLE_CLIENT_ID,
  snapshotIntrinsics,
  startSampleApp,
  type RpcBody,
  type SampleApp,
} from './helpers.js';

/** The run must generate at least this many requests; each property adds its numRuns. */
const MIN_CASES = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

interface Target {
  readonly name: string;
  readonly dispatcher: Dispatcher;
  readonly methods: readonly string[];
  readonly allowInternalError: boolean;
}

let sample: SampleApp;
let targets: readonly Target[];
let pollutionTarget: Target;
let sampleTarget: Target;
let tokens: readonly (string | undefined)[];
let cases = 0;
/** Responses per target and status, printed at the end: shows the fuzz reached the Blocks, not just the parser. */
const tally = new Map<string, number>();
let processFaults = 0;
const intrinsicsBefore = snapshotIntrinsics();
const fixtureErrors: unknown[][] = [];
const onProcessFault = (): void => {
  processFaults++;
};

beforeAll(async () => {
  sample = await startSampleApp();
  const quiet = { logger: { error: (...details: unknown[]) => fixtureErrors.push(details) } };
  sampleTarget = {
    name: 'sample app',
    dispatcher: sample.dispatcher,
    methods: ['notes.create', 'notes.list', 'notes.update', 'notes.delete', 'account.me', 'admin.overview'],
    allowInternalError: false,
  };
  pollutionTarget = {
    name: 'merging fixture',
    dispatcher: createDispatcher(pollutionApp, quiet),
    methods: ['settings.merge', 'settings.assign', 'settings.spread', 'settings.explode'],
    allowInternalError: true,
  };
  const kitFixture: Target = {
    name: 'kit fixture app',
    dispatcher: createDispatcher(kitFixtureApp, quiet),
    // Not greetings.slow: it sleeps as long as its argument says.
    methods: ['greetings.hello', 'greetings.stamp', 'greetings.header', 'greetings.conflict', 'greetings.add', 'counter.value'],
    allowInternalError: true,
  };
  targets = [sampleTarget, pollutionTarget, kitFixture];
  const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
  const expired = sample.jwks.mintToken(
    idTokenClaims({ issuer: sample.jwks.issuer, clientId: SAMPLE_CLIENT_ID, sub: 'fuzz-alice', now: anHourAgo - 60 }),
  );
  tokens = [undefined, sample.idToken('fuzz-alice'), sample.idToken('fuzz-admin', ['admins']), expired, 'garbage'];
  // Every rejected token is logged at debug level; thousands of lines would only slow the run.
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  process.on('unhandledRejection', onProcessFault);
  process.on('uncaughtException', onProcessFault);
});

afterAll(async () => {
  process.off('unhandledRejection', onProcessFault);
  process.off('uncaughtException', onProcessFault);
  vi.restoreAllMocks();
  await sample?.close();
});

// ---------------------------------------------------------------------------
// Sending

interface SendOptions {
  readonly httpMethod?: string;
  readonly contentType?: string | null;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly bodyTooLarge?: boolean;
  /** Client strings the response may repeat (method names in a 404). */
  readonly echoed?: readonly string[];
}

const encoder = new TextEncoder();

const targetNameArb = (): fc.Arbitrary<string> => fc.constantFrom(...targets.map((target) => target.name));
const targetNamed = (name: string): Target => targets.find((target) => target.name === name)!;
// Printed by name in a counterexample, not as a whole dispatcher.
const targetArb = (): fc.Arbitrary<Target> =>
  targetNameArb().map((name) => Object.assign(Object.create(targetNamed(name)) as Target, { [fc.toStringMethod]: () => name }));

async function send(target: Target, body: Uint8Array | string, options: SendOptions = {}): Promise<{ status: number; body: RpcBody; headers: Headers }> {
  cases++;
  const headers = new Headers(options.headers);
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers.set('content-type', contentType);
  if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
  const request: RpcHttpRequest = {
    method: options.httpMethod ?? 'POST',
    headers,
    body: typeof body === 'string' ? encoder.encode(body) : body,
    ...(options.bodyTooLarge !== undefined && { bodyTooLarge: options.bodyTooLarge }),
  };
  const response = await target.dispatcher.handle(request);
  const bucket = `${target.name} ${response.status}`;
  tally.set(bucket, (tally.get(bucket) ?? 0) + 1);
  // Checked right after the one app that could pollute, so the failure names the payload that did it.
  if (target.name === pollutionTarget.name) {
    const changes = intrinsicChanges(intrinsicsBefore);
    if (changes.length > 0) throw new Error(`prototype pollution (${changes.join(', ')}) by ${new TextDecoder().decode(request.body).slice(0, 300)}`);
  }
  const parsed = expectWellFormed(response, {
    allowInternalError: target.allowInternalError,
    echoed: options.echoed ?? [],
  });
  return { status: response.status, body: parsed, headers: response.headers };
}

function expectError(outcome: { status: number; body: RpcBody }, status: number, code: number): void {
  expect({ status: outcome.status, code: outcome.body.error?.code }).toEqual({ status, code });
}

// ---------------------------------------------------------------------------
// JSON with duplicate and poisoned keys: objects are kept as entry lists so
// the generated text can repeat a key or spell `__proto__` literally.

type Json = null | boolean | number | string | JsonArray | JsonObject;
interface JsonArray {
  readonly items: readonly Json[];
}
interface JsonObject {
  readonly entries: ReadonlyArray<readonly [string, Json]>;
}

const isArrayNode = (value: Json): value is JsonArray => typeof value === 'object' && value !== null && 'items' in value;
const isObjectNode = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && 'entries' in value;

function toText(value: Json): string {
  if (isArrayNode(value)) return `[${value.items.map(toText).join(',')}]`;
  if (isObjectNode(value)) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toText(item)}`).join(',')}}`;
  // Non-finite numbers become null, as JSON.stringify writes them.
  return JSON.stringify(value);
}

/** Depth of the deepest array or object, counting the root container as 0; -1 for a scalar. */
function containerDepth(value: Json): number {
  const children = isArrayNode(value) ? value.items : isObjectNode(value) ? [...new Map(value.entries).values()] : undefined;
  if (children === undefined) return -1;
  return 1 + Math.max(-1, ...children.map(containerDepth));
}

/** Whether the parsed value holds a key that leads to a prototype; of repeated keys only the last counts, as in JSON.parse. */
function hasProtoKey(value: Json): boolean {
  if (isArrayNode(value)) return value.items.some(hasProtoKey);
  if (!isObjectNode(value)) return false;
  const effective = new Map(value.entries);
  return POISON_KEYS.some((key) => effective.has(key)) || [...effective.values()].some(hasProtoKey);
}

const obj = (entries: ReadonlyArray<readonly [string, Json]>): JsonObject => ({ entries });

const POISON_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const FIELD_KEYS = ['text', 'id', 'cursor', 'limit', 'version', 'a', 'b', 'theme', 'colour', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'isAdmin', '__defineGetter__'];
const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');

const keyArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...POISON_KEYS) },
  { weight: 4, arbitrary: fc.constantFrom(...FIELD_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const stringArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: loneSurrogate }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '..', '../', 'a/b', 'a#b', '\u0000', 'Error: boom', 'k1:Zm9v', 'x'.repeat(10_001)) },
);

const scalarArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 53, -(2 ** 53), 1e308),
  stringArb,
);

const { tree: treeArb } = fc.letrec<{ tree: Json; array: JsonArray; object: JsonObject }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 4 }).map((items) => ({ items })),
  object: fc.array(fc.tuple(keyArb, tie('tree')), { maxLength: 4 }).map(obj),
}));

/** Params shaped like the sample app's inputs, often close enough to pass its schemas. */
const appParamsArb: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ text: stringArb }).map(({ text }) => obj([['text', text]])),
  fc.record({ id: stringArb, text: stringArb }).map(({ id, text }) => obj([['id', id], ['text', text]])),
  fc
    .record({ limit: fc.integer({ min: -5, max: 150 }), cursor: stringArb }, { requiredKeys: ['limit'] })
    .map(({ limit, cursor }) => obj(cursor === undefined ? [['limit', limit]] : [['limit', limit], ['cursor', cursor]])),
  fc.record({ a: fc.oneof(fc.integer(), stringArb), b: fc.integer() }).map(({ a, b }) => obj([['a', a], ['b', b]])),
  // The classic pollution payloads, wrapped in a key the merging fixture already holds.
  fc.constantFrom<Json>(
    obj([['__proto__', obj([['polluted', true]])]]),
    obj([['constructor', obj([['prototype', obj([['polluted', true]])]])]]),
    obj([['theme', obj([['__proto__', obj([['polluted', true]])]])]]),
    obj([['theme', obj([['constructor', obj([['prototype', obj([['polluted', true]])]])]])]]),
    { items: [obj([['__proto__', obj([['toString', 1]])]])] },
  ),
);

const HOSTILE_METHODS = [
  'notes.constructor', 'notes.__proto__', 'notes.toString', 'notes.then', 'notes.prototype', 'notes.hasOwnProperty',
  'notes.valueOf', 'notes.__defineGetter__', 'account.constructor', 'settings.__proto__', 'constructor.name',
  '__proto__.polluted', '.create', 'notes.', 'notes', '', '.', 'notes..create', 'notes.create.x', 'NOTES.create',
  'notes.create\u0000', 'notAnApi.value', 'VERSION.length', 'callCount.call', 'greetings.slow ',
];

/** Entries of a request object: anything goes, from missing fields to repeated and poisoned keys. */
function wildEnvelopeArb(target: Target): fc.Arbitrary<ReadonlyArray<readonly [string, Json]>> {
  const present = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 8 });
  return fc
    .record({
      jsonrpc: present(fc.oneof({ weight: 12, arbitrary: fc.constant<Json>('2.0') }, { weight: 1, arbitrary: fc.constantFrom<Json>('1.0', '2', 2, null, '') })),
      id: present(fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), fc.constantFrom<Json>(null, true, 1.5, 1e308), fc.double())),
      method: present(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...target.methods) },
          { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_METHODS) },
          { weight: 1, arbitrary: fc.string({ maxLength: 24 }).filter((method) => method !== 'greetings.slow') },
          { weight: 1, arbitrary: fc.constantFrom<Json>(1, null, true) },
        ),
      ),
      params: present(fc.oneof({ weight: 3, arbitrary: appParamsArb }, { weight: 3, arbitrary: treeArb })),
      // Repeated envelope keys (JSON.parse keeps the last) and poisoned top-level keys.
      extra: fc.array(fc.tuple(fc.constantFrom('jsonrpc', 'id', 'method', 'params', ...POISON_KEYS), treeArb), { maxLength: 2 }),
      extraFirst: fc.boolean(),
    })
    .map(({ jsonrpc, id, method, params, extra, extraFirst }) => {
      const fields: Array<readonly [string, Json]> = [];
      for (const [key, value] of [['jsonrpc', jsonrpc], ['id', id], ['method', method], ['params', params]] as const) {
        if (value !== undefined) fields.push([key, value]);
      }
      return extraFirst ? [...extra, ...fields] : [...fields, ...extra];
    });
}

/** Entries of a correct call to one of the target's methods: only the params are fuzzed, so the Block itself runs. */
function wellFormedEnvelopeArb(target: Target): fc.Arbitrary<ReadonlyArray<readonly [string, Json]>> {
  return fc
    .tuple(fc.integer(), fc.constantFrom(...target.methods), fc.option(fc.oneof({ weight: 3, arbitrary: appParamsArb }, { weight: 1, arbitrary: treeArb }), { nil: undefined }))
    .map(([id, method, params]) => [['jsonrpc', '2.0'], ['id', id], ['method', method], ...(params === undefined ? [] : [['params', params] as const])]);
}

function envelopeArb(target: Target): fc.Arbitrary<{ root: JsonObject; token: string | undefined }> {
  const signedIn = tokens.slice(1, 3);
  return fc.record({
    root: fc.oneof(wildEnvelopeArb(target), wellFormedEnvelopeArb(target)).map(obj),
    token: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...signedIn) }, { weight: 1, arbitrary: fc.constantFrom(...tokens) }),
  });
}

/** What the README promises for a request object, decided from its parsed form (so duplicate keys count as JSON.parse reads them). */
function expectedEnvelopeOutcome(root: JsonObject, target: Target): 'invalid' | 'not-found' | 'dispatched' {
  if (hasProtoKey(root) || containerDepth(root) >= 64) return 'invalid';
  const parsed = JSON.parse(toText(root)) as Record<string, unknown>;
  const { jsonrpc, id, method, params } = parsed;
  if (jsonrpc !== '2.0') return 'invalid';
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) return 'invalid';
  if (typeof method !== 'string' || method === '') return 'invalid';
  if (params !== undefined && (params === null || typeof params !== 'object')) return 'invalid';
  return target.methods.includes(method) ? 'dispatched' : 'not-found';
}

const methodOf = (root: JsonObject): string[] =>
  root.entries.filter(([key]) => key === 'method').flatMap(([, value]) => (typeof value === 'string' ? [value] : []));

// ---------------------------------------------------------------------------

describe('protocol fuzzing through the dispatcher', () => {
  it('answers generated request objects (duplicate keys, poisoned keys, odd ids and methods) as the README says', async () => {
    const arb = targetNameArb().chain((name) => envelopeArb(targetNamed(name)).map((envelope) => ({ name, ...envelope })));
    await fc.assert(
      fc.asyncProperty(arb, async ({ name, root, token }) => {
        const target = targetNamed(name);
        const outcome = await send(target, toText(root), { token, echoed: methodOf(root) });
        const expected = expectedEnvelopeOutcome(root, target);
        if (expected === 'invalid') expectError(outcome, 400, -32600);
        else if (expected === 'not-found') expectError(outcome, 404, -32601);
        else {
          expect(outcome.status).not.toBe(404);
          expect(outcome.body.id).toEqual((JSON.parse(toText(root)) as { id: unknown }).id);
        }
      }),
      { numRuns: 4200 },
    );
  });

  it('refuses every body that is not UTF-8 JSON with 400 / -32700', async () => {
    const bodyArb = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ maxLength: 60, unit: 'binary' }).map((text) => encoder.encode(text)),
      fc.constantFrom('{', '}', '{"jsonrpc":"2.0",}', "{'a':1}", 'NaN', '[1,]', '\ufeff', '{"a":1}{"b":2}', 'null x').map((t) => encoder.encode(t)),
    );
    await fc.assert(
      fc.asyncProperty(bodyArb, targetArb(), async (bytes, target) => {
        const outcome = await send(target, bytes);
        const withoutBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
        let parses = isUtf8(bytes);
        if (parses) {
          try {
            JSON.parse(Buffer.from(withoutBom).toString('utf8'));
          } catch {
            parses = false;
          }
        }
        if (!parses) expectError(outcome, 400, -32700);
        else expect(outcome.body.error?.code).not.toBe(-32700);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses a valid call with any invalid UTF-8 sequence spliced in with 400 / -32700', async () => {
    const invalidSequences = [[0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xfe], [0xff], [0xc2], [0xe2, 0x82]];
    await fc.assert(
      fc.asyncProperty(
        envelopeArb(sampleTarget),
        fc.constantFrom(...invalidSequences),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async ({ root, token }, sequence, where) => {
          const valid = encoder.encode(toText(root));
          const at = Math.floor(where * valid.length);
          const bytes = Buffer.concat([valid.subarray(0, at), Buffer.from(sequence), valid.subarray(at)]);
          expect(isUtf8(bytes)).toBe(false);
          expectError(await send(sampleTarget, bytes, { token }), 400, -32700);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers other HTTP methods with 405 and other content types with 415, before reading the body', async () => {
    const contentTypes = [
      'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', ' application/json ', 'application/json;charset=latin1',
      'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp',
      'application/json, text/plain', 'application/vnd.api+json', 'text/json', '',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'post', 'FOO'),
        fc.oneof(fc.constantFrom<string | null>(null, ...contentTypes), fc.string({ maxLength: 30 })),
        targetArb(),
        async (httpMethod, contentType, target) => {
          const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: target.methods[0] });
          const outcome = await send(target, body, { httpMethod, contentType });
          const isJson = contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
          if (httpMethod !== 'POST') {
            expectError(outcome, 405, -32600);
            expect(outcome.headers.get('allow')).toBe('POST');
          } else if (!isJson) {
            expectError(outcome, 415, -32600);
          } else {
            expect([405, 415]).not.toContain(outcome.status);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never exposes members that are not own methods of a namespace', async () => {
    await fc.assert(
      fc.asyncProperty(
        targetArb(),
        fc.oneof(fc.constantFrom(...HOSTILE_METHODS), fc.string({ maxLength: 30 })),
        fc.constantFrom(...tokens),
        async (target, method, token) => {
          fc.pre(!target.methods.includes(method) && method !== 'greetings.slow' && method !== '');
          const outcome = await send(target, JSON.stringify({ jsonrpc: '2.0', id: 'm', method, params: [] }), { token, echoed: [method] });
          expectError(outcome, 404, -32601);
          expect(outcome.body.error?.message).toBe(`Method not found: ${method}`);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('refuses batches without running any call in them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(envelopeArb(pollutionTarget), { maxLength: 4 }), async (batch) => {
        const before = pollutionApp.callCount();
        const body = `[${batch.map(({ root }) => toText(root)).join(',')}]`;
        const outcome = await send(pollutionTarget, body);
        expectError(outcome, 400, -32600);
        expect(pollutionApp.callCount()).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses nesting deeper than 64 levels anywhere in the request, and accepts up to it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 0, max: 130 }), fc.constantFrom(62, 63, 64, 65, 1_000, 20_000)),
        fc.constantFrom('[', '{"a":'),
        fc.constantFrom('params', 'extra'),
        targetArb(),
        async (depth, opener, where, target) => {
          const closer = opener === '[' ? ']' : '}';
          const nested = `${opener.repeat(depth)}1${closer.repeat(depth)}`;
          const method = target.methods[0]!;
          const body =
            where === 'params'
              ? `{"jsonrpc":"2.0","id":1,"method":"${method}","params":[${nested}]}`
              : `{"jsonrpc":"2.0","id":1,"method":"${method}","x":${nested}}`;
          // The root is depth 0; params' own array is depth 1, so `depth` more containers end at depth + 1.
          const deepest = where === 'params' ? depth + 1 : depth;
          const outcome = await send(target, body, { token: sample.idToken('fuzz-alice') });
          if (deepest >= 64) expectError(outcome, 400, -32600);
          else expect(outcome.body.error?.code ?? 0).not.toBe(-32600);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers 413 exactly when the body exceeds the limit, and handles huge strings below it', async () => {
    const prefix = '{"jsonrpc":"2.0","id":1,"method":"notes.create","params":{"text":"';
    const suffix = '"}}';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES, 10_100, 100),
          fc.integer({ min: 100, max: 2 * MAX_BODY_BYTES }),
        ),
        fc.boolean(),
        async (size, tooLargeFlag) => {
          const body = `${prefix}${'x'.repeat(Math.max(0, size - prefix.length - suffix.length))}${suffix}`;
          const outcome = await send(sampleTarget, body, { token: sample.idToken('fuzz-alice'), bodyTooLarge: tooLargeFlag && size > MAX_BODY_BYTES });
          if (Buffer.byteLength(body) > MAX_BODY_BYTES) expectError(outcome, 413, -32013);
          else expect(outcome.status).not.toBe(413);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers any Authorization header that is not a valid token with the generic 401', async () => {
    const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const headerArb = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ maxLength: 80 }).map((token) => `Bearer ${token}`),
      fc.tuple(treeArb, treeArb, fc.string({ maxLength: 40 })).map(([header, payload, signature]) =>
        `Bearer ${b64(JSON.parse(toText(header)))}.${b64(JSON.parse(toText(payload)))}.${signature}`,
      ),
      fc.record({ alg: fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'None'), kid: fc.string({ maxLength: 10 }) }).map(
        (header) => `Bearer ${b64(header)}.${b64({ sub: 'fuzz-alice', token_use: 'id' })}.`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(headerArb, fc.constantFrom('account.me', 'notes.list', 'admin.overview'), async (authorization, method) => {
        const outcome = await send(sampleTarget, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }), {
          headers: { authorization: authorization.replace(/[^\x20-\x7e]/g, '') },
        });
        expect(outcome.status).toBe(401);
        expect(outcome.body.error).toEqual(GENERIC_UNAUTHORIZED);
      }),
      { numRuns: 700 },
    );
  });

  it(`ran at least ${MIN_CASES} cases; the sample app logged no error, the process saw no fault and the intrinsics are untouched`, () => {
    expect(cases).toBeGreaterThanOrEqual(MIN_CASES);
    expect(sample.serverErrors).toEqual([]);
    expect(processFaults).toBe(0);
    expect(intrinsicChanges(intrinsicsBefore)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const statuses = [...tally].sort().map(([bucket, count]) => `${bucket}: ${count}`).join(', ');
    console.info(`[protocol fuzz] ${cases} requests (${statuses}); fixture bugs logged: ${fixtureErrors.length}`);
  });
});
