/**
 * The deployed artifact is tested, not only the source: this synthesizes
 * amplify/backend.ts, takes the Lambda asset CDK would upload and runs it
 * the way Lambda would (template handler and environment, @aws-sdk from the
 * "runtime" only, Cognito keys at the real issuer URL, DynamoDB tables from
 * the template). Every DynamoDB call it makes is then checked against the
 * function role's policy, so a missing grant, a dropped environment entry, a
 * renamed handler or an import the bundle forgot fails here, not in the
 * cloud. The harness is in ./harness.ts (reused by benchmarks).
 */
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from '../../amplify/testing/synthesize';
import {
  httpApiEvent,
  isAllowed,
  loadDeployedFunction,
  startDeployedBackend,
  type DeployedBackend,
  type DeployedFunction,
} from './harness';

let synth: Synthesized | undefined;
let fn: DeployedFunction;
let backend: DeployedBackend | undefined;

beforeAll(async () => {
  synth = await synthesize({ type: 'sandbox', namespace: 'starter', name: 'artifact' });
  fn = await loadDeployedFunction(synth);
  backend = await startDeployedBackend(fn);
}, 180_000);

afterAll(async () => {
  await backend?.close();
  if (synth) await rm(synth.outDir, { recursive: true, force: true });
});

const running = (): DeployedBackend => {
  if (!backend) throw new Error('the deployed backend did not start');
  return backend;
};

interface RpcReply<T> {
  readonly status: number;
  readonly result?: T;
  readonly error?: { code: number; message: string; data?: { status?: number; name?: string } };
}

let rpcId = 0;
/** One JSON-RPC call through API Gateway's event shape into the asset's handler. */
async function call<T = unknown>(method: string, params: unknown, token?: string): Promise<RpcReply<T>> {
  const event = httpApiEvent({ body: { jsonrpc: '2.0', id: ++rpcId, method, ...(params !== undefined && { params }) }, ...(token !== undefined && { token }) });
  const response = await running().lambda.invoke(event);
  expect(response.headers?.['content-type']).toMatch(/^application\/json/);
  return { status: response.statusCode ?? 0, ...(JSON.parse(String(response.body)) as Omit<RpcReply<T>, 'status'>) };
}

/** A failure message that says what the function saw: its error, refused DynamoDB calls, its last log lines. */
function why(reply: RpcReply<unknown>): string {
  const { db, lambda } = running();
  const refused = db.calls.filter((c) => !c.allowed).map((c) => `${c.action} on ${c.resource}`);
  return [
    `status ${reply.status}, error ${JSON.stringify(reply.error)}`,
    `refused DynamoDB calls: ${JSON.stringify([...new Set(refused)])}`,
    `last log lines:\n${lambda.logs.slice(-8).join('\n')}`,
  ].join('\n');
}

interface Note {
  id: string;
  text: string;
  version: number;
}

describe('the synthesized Lambda asset, run as Lambda runs it', () => {
  it('takes entry, environment and code from the template, with nothing but @aws-sdk beside the bundle', () => {
    const { lambda } = running();
    expect(fn.handler).toMatch(/^[\w/-]+\.\w+$/);
    expect(fn.runtime).toMatch(/^nodejs\d+\.x$/);
    // Every reference resolved: a JSON map of real names, no `[object Object]`, no tokens.
    for (const [name, value] of Object.entries(fn.environment)) expect(value, name).not.toMatch(/\[object |\$\{Token\[|"Fn::|"Ref"/);
    expect(fn.tables.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(fn.environment)) expect(lambda.env[name], name).toBe(value);
    expect(lambda.env.NODE_OPTIONS).toBe(fn.environment.NODE_OPTIONS);
    // The task root resolves the runtime's SDK and no other package the bundle might have left out.
    const resolveFromTask = createRequire(path.join(lambda.taskRoot, 'index.js'));
    expect(() => resolveFromTask.resolve('@aws-sdk/client-dynamodb')).not.toThrow();
    for (const bare of ['zod', 'blocks-kit', 'aws-jwt-verify', '@smithy/types']) expect(() => resolveFromTask.resolve(bare), bare).toThrow();
    expect(lambda.initMs).toBeGreaterThan(0);
  });

  it('creates and lists a signed-in user\'s notes', async () => {
    const { tokens } = running();
    const alice = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000001', username: 'alice', email: 'alice@example.com' });
    const created = await call<Note>('notes.create', { text: 'from the artifact' }, alice);
    expect(created.status, why(created)).toBe(200);
    expect(created.result).toMatchObject({ text: 'from the artifact', version: 1 });
    await call('notes.create', { text: 'second' }, alice);

    const listed = await call<{ items: Note[] }>('notes.list', { limit: 10 }, alice);
    expect(listed.status, why(listed)).toBe(200);
    expect(listed.result?.items.map((n) => n.text)).toEqual(['second', 'from the artifact']);

    const me = await call<{ sub: string; email: string; groups: string[] }>('account.me', undefined, alice);
    expect(me.status, why(me)).toBe(200);
    expect(me.result).toEqual({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000001', email: 'alice@example.com', groups: [] });
  });

  it('keeps one user\'s notes from another', async () => {
    const { tokens } = running();
    const carol = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000003', username: 'carol' });
    const dave = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000004', username: 'dave' });
    const secret = await call<Note>('notes.create', { text: 'carol only' }, carol);
    expect(secret.status, why(secret)).toBe(200);

    const davesView = await call<{ items: Note[] }>('notes.list', {}, dave);
    expect(davesView.status, why(davesView)).toBe(200);
    expect(davesView.result?.items).toEqual([]);
    const overwrite = await call('notes.update', { id: secret.result!.id, text: 'dave was here' }, dave);
    expect(overwrite.status, why(overwrite)).toBe(404);
    expect((await call<{ items: Note[] }>('notes.list', {}, carol)).result?.items.map((n) => n.text)).toEqual(['carol only']);
  });

  it('answers 401 without a valid ID token for this pool and client', async () => {
    const { tokens } = running();
    const sub = '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000005';
    const valid = tokens.idToken({ sub });
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const forged = { ...tokens.idTokenClaims({ sub }), 'cognito:groups': ['admins'] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const fiveHoursAgo = Math.floor(Date.now() / 1000) - 5 * 3600;
    const cases: [string, string | undefined][] = [
      ['no token', undefined],
      ['tampered payload', tampered],
      ['tampered signature', `${header}.${payload}.${signature.slice(0, -4)}AAAA`],
      ['another app client', tokens.idToken({ sub, clientId: 'aaaaaaaaaaaaaaaaaaaaaaaaaa' })],
      ['expired', tokens.idToken({ sub, issuedAt: fiveHoursAgo })],
      ['access token shape', tokens.sign({ ...tokens.idTokenClaims({ sub }), token_use: 'access' })],
    ];
    for (const [what, token] of cases) {
      const reply = await call('notes.list', {}, token);
      expect(reply.status, `${what}: ${why(reply)}`).toBe(401);
      expect(reply.error?.data?.name, what).toBe('UnauthorizedError');
    }
    const control = await call('notes.list', {}, valid);
    expect(control.status, why(control)).toBe(200);
  });

  it('answers admin.overview with 403 outside the admins group and 200 inside it', async () => {
    const { tokens } = running();
    const user = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000006', groups: ['editors'] });
    const admin = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000007', groups: ['admins'] });
    const refused = await call('admin.overview', undefined, user);
    expect(refused.status, why(refused)).toBe(403);
    expect(refused.error?.data?.name).toBe('ForbiddenError');
    const overview = await call<{ sampleSize: number; newestNoteAt: string | null }>('admin.overview', undefined, admin);
    expect(overview.status, why(overview)).toBe(200);
    expect(overview.result?.sampleSize).toBeGreaterThanOrEqual(3);
  });

  // Runs last: it judges every DynamoDB call the cases above made.
  it('makes only DynamoDB calls its role allows, and no other network access', () => {
    const { db, lambda, tokens } = running();
    const calls = db.calls;
    expect(new Set(calls.map((c) => c.action))).toEqual(
      new Set(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan']),
    );
    // The proxy already refused these as DynamoDB would; listing them says which grant is missing.
    const denied = [...new Set(calls.filter((c) => !isAllowed(fn.policy, c.action, c.resource)).map((c) => `${c.action} on ${c.resource}`))];
    expect(denied, `DynamoDB calls the function role does not allow (policy: ${JSON.stringify(fn.policy)})`).toEqual([]);
    expect(calls.every((c) => c.allowed)).toBe(true);
    // Each call reached a table the template defines, and succeeded.
    const tableArns = new Set(fn.tables.map((t) => t.arn));
    for (const c of calls) expect(tableArns.has(c.resource), c.resource).toBe(true);
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(lambda.refusedNetwork, lambda.logs.join("\n")).toEqual([]);
    // Keys were fetched from the pool's issuer once and cached for the warm environment.
    expect(lambda.logs.filter((l) => l === `[network-guard] served ${tokens.jwksRoute.url}`)).toHaveLength(1);
  });
});
