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
import { createHmac } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize, type Synthesized } from '../../amplify/testing/synthesize';
import { startS3rver, type S3rverHandle } from '../../packages/blocks/src/blocks/file-bucket/testing/s3rver';
import { JwksFixture } from 'blocks-kit/testing';
import {
  DEPLOY_TIME_JWKS,
  httpApiEvent,
  isAllowed,
  loadDeployedFunction,
  startDeployedBackend,
  startLambdaProcess,
  type DeployedBackend,
  type DeployedFunction,
} from './harness';

let synth: Synthesized | undefined;
let fn: DeployedFunction;
let backend: DeployedBackend | undefined;
let s3: S3rverHandle | undefined;

/** The sample webhook's signing secret, as `aws ssm put-parameter --type SecureString` would have stored it. */
const WEBHOOK_SECRET = 'whsec_artifact_7c1e9b04d2f5a6e8';
let webhookSecretParameter: string;

beforeAll(async () => {
  synth = await synthesize({ type: 'sandbox', namespace: 'starter', name: 'artifact' });
  fn = await loadDeployedFunction(synth);
  webhookSecretParameter = (JSON.parse(fn.environment.BLOCKS_APP_SETTINGS ?? '{}') as Record<string, string>)['notes-app/webhook-secret'] ?? '';
  // The attachment bucket the template names, on an S3-compatible server (it accepts only these credentials; dynalite accepts any).
  const bucket = (JSON.parse(fn.environment.BLOCKS_FILE_BUCKETS ?? '{}') as Record<string, string>)['notes-app/attachments'];
  s3 = await startS3rver(bucket);
  backend = await startDeployedBackend(fn, {
    parameters: { [webhookSecretParameter]: { type: 'SecureString', value: WEBHOOK_SECRET } },
    extraEnv: { BLOCKS_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
  });
}, 180_000);

afterAll(async () => {
  await backend?.close();
  await s3?.close();
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
    // The deploy-time key set is a custom resource's attribute: the harness gives the keys its token fixture serves.
    expect(fn.environment.COGNITO_JWKS).toBe(DEPLOY_TIME_JWKS);
    const deployedKeys = JSON.stringify({ uri: running().tokens.jwksRoute.url, keys: (running().tokens.jwksRoute.jwks as { keys: unknown[] }).keys });
    for (const [name, value] of Object.entries(fn.environment)) expect(lambda.env[name], name).toBe(value === DEPLOY_TIME_JWKS ? deployedKeys : value);
    expect(lambda.env.NODE_OPTIONS).toBe(fn.environment.NODE_OPTIONS);
    // The task root resolves the runtime's SDK and no other package the bundle might have left out.
    const resolveFromTask = createRequire(path.join(lambda.taskRoot, 'index.js'));
    expect(() => resolveFromTask.resolve('@aws-sdk/client-dynamodb')).not.toThrow();
    for (const bare of ['zod', 'blocks-kit', 'aws-jwt-verify', '@smithy/types']) expect(() => resolveFromTask.resolve(bare), bare).toThrow();
    expect(lambda.initMs).toBeGreaterThan(0);
  });

  it('imports from outside the bundle only AWS SDK packages the Lambda runtime ships, and loads them on first use', async () => {
    const files = (await readdir(fn.assetDir)).filter((file) => file.endsWith('.mjs') || file.endsWith('.js'));
    const imported = new Set<string>();
    for (const file of files) {
      const text = await readFile(path.join(fn.assetDir, file), 'utf8');
      // Every way the bundle can name an external package (import, import(), the kit's require on first use) is a string literal.
      for (const match of text.matchAll(/["'](@aws-sdk\/[^"']+)["']/g)) imported.add(match[1]!);
    }
    expect([...imported].sort()).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/client-ssm', '@aws-sdk/s3-presigned-post', '@aws-sdk/s3-request-presigner']),
    );
    for (const name of imported) expect(name).toMatch(/^@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb|s3-presigned-post|s3-request-presigner)$/);
  });

  it('carries nothing of the local console: no page, API, panels or request log', async () => {
    const files = (await readdir(fn.assetDir)).filter((file) => file.endsWith('.mjs') || file.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(path.join(fn.assetDir, file), 'utf8');
      expect(text, file).not.toMatch(/x-blocks-console|\/_blocks|consoleSection|\[rpc-in\]|answers this machine only|lines per import/);
    }
  });

  it('leaves out croner: schedule times are computed by Scheduler once deployed, by croner only locally and at synthesis', async () => {
    const map = JSON.parse(await readFile(path.join(fn.assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.includes('blocks/cron-job/'))).toBe(true);
    expect(map.sources.filter((source) => source.includes('node_modules/croner/'))).toEqual([]);
  });

  it('imports at load only the Node modules a cold start uses: the error path looks up fs, path and url when it runs', async () => {
    const code = await readFile(path.join(fn.assetDir, 'index.mjs'), 'utf8');
    const imported = new Set([...code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+from\s*)?["']([^"']+)["']/g)].map((match) => match[1]));
    // module: the banner's createRequire; crypto and stream: aws-jwt-verify; async_hooks: the current request's id.
    // Each builtin named here builds its ESM facade with the bundle, on every cold start (docs/performance.md).
    expect([...imported].sort()).toEqual(['crypto', 'node:async_hooks', 'node:crypto', 'node:module', 'stream']);
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

  it('loads the SSM client only when a setting is first read, so other cold starts pay nothing for it', async () => {
    const files = (await readdir(fn.assetDir)).filter((file) => /\.m?js$/.test(file));
    const code = (await Promise.all(files.map((file) => readFile(path.join(fn.assetDir, file), 'utf8')))).join('\n');
    // Named only as the argument of a call (the kit's require-on-first-use), never in a static import.
    expect(code).toMatch(/[\w$]\(\s*["']@aws-sdk\/client-ssm["']\s*\)/);
    expect(code).not.toMatch(/(from|import)\s*["']@aws-sdk\/client-ssm["']/);
    expect(code).not.toContain(WEBHOOK_SECRET);
  });

  it('serves the sample webhook: a correctly signed delivery is stored, a bad or missing signature is 401', async () => {
    const { lambda } = running();
    const deliver = async (body: string, signature?: string) => {
      const response = await lambda.invoke(
        httpApiEvent({ path: '/aws-blocks/raw/webhooks/notes', body, ...(signature !== undefined && { headers: { 'x-notes-signature': signature } }) }),
      );
      return { status: response.statusCode ?? 0, body: String(response.body) };
    };
    const sign = (body: string, secret = WEBHOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const event = JSON.stringify({ type: 'note.shared', noteId: 'n-artifact' });
    const accepted = await deliver(event, sign(event));
    expect(accepted.status, `${accepted.body}\n${lambda.logs.slice(-8).join('\n')}`).toBe(202);
    expect(JSON.parse(accepted.body)).toMatchObject({ received: true });
    expect((await deliver(event, sign(event, 'whsec_guess'))).status).toBe(401);
    expect((await deliver(event)).status).toBe(401);
    expect((await deliver(`${event} `, sign(event))).status).toBe(401);
    expect((await deliver(event, sign(event))).status).toBe(202);
  });

  it('read the webhook secret once for the warm environment, with decryption, and never logged it', () => {
    const { ssm, lambda } = running();
    expect(ssm.calls).toEqual([
      expect.objectContaining({ operation: 'GetParameter', name: webhookSecretParameter, withDecryption: true, allowed: true, status: 200 }),
    ]);
    expect(lambda.logs.join('\n')).not.toContain(WEBHOOK_SECRET);
  });

  it('round-trips a note attachment through presigned URLs, and its role may touch only that bucket', async () => {
    const { tokens } = running();
    const erin = tokens.idToken({ sub: '2f1c6a8e-0b1d-4c55-9a0e-7a11ce000006', username: 'erin' });
    const note = await call<Note>('notes.create', { text: 'with a file' }, erin);
    expect(note.status, why(note)).toBe(200);
    const bytes = Buffer.from('%PDF-1.4 artifact test');
    const issued = await call<{ id: string; upload: { url: string; fields: Record<string, string> } }>(
      'notes.attachmentUploadUrl',
      { noteId: note.result!.id, name: 'report.pdf', contentType: 'application/pdf', size: bytes.length },
      erin,
    );
    expect(issued.status, why(issued)).toBe(200);
    const { upload } = issued.result!;
    expect(upload.url).toBe(`${s3!.endpoint}/${s3!.bucket}`);
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob([bytes]));
    expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBe(204);

    const listed = await call<Array<{ name: string; downloadUrl: string }>>('notes.attachments', { noteId: note.result!.id }, erin);
    expect(listed.status, why(listed)).toBe(200);
    expect(listed.result!.map((file) => file.name)).toEqual(['report.pdf']);
    const downloaded = await fetch(listed.result![0]!.downloadUrl);
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer())).toEqual(bytes);

    expect((await call('notes.delete', { id: note.result!.id }, erin)).status).toBe(200);
    expect((await call('notes.attachments', { noteId: note.result!.id }, erin)).status).toBe(404);
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const left = await (await s3!.client()).send(new ListObjectsV2Command({ Bucket: s3!.bucket }));
    expect(left.Contents ?? []).toEqual([]);

    // What the function asked of S3 is what its role allows, on this bucket and nothing wider.
    const objectArn = `arn:aws:s3:::${s3!.bucket}/2f1c6a8e/x`;
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(isAllowed(fn.policy, action, objectArn), action).toBe(true);
    expect(isAllowed(fn.policy, 's3:ListBucket', `arn:aws:s3:::${s3!.bucket}`)).toBe(true);
    expect(isAllowed(fn.policy, 's3:GetObject', 'arn:aws:s3:::some-other-bucket/x')).toBe(false);
    expect(isAllowed(fn.policy, 's3:PutBucketPolicy', `arn:aws:s3:::${s3!.bucket}`)).toBe(false);
  });

  /** One account.me call in a fresh execution environment (the shared one has long since run other calls). */
  async function coldCall(options: { deployTimeJwks: boolean }, sub: string) {
    const { db, tokens } = running();
    const lambda = await startLambdaProcess(fn, { dynamoDbEndpoint: db.endpoint, jwks: tokens.jwksRoute, deployTimeJwks: options.deployTimeJwks });
    try {
      const token = tokens.idToken({ sub, email: `${sub}@example.com` });
      const outcome = await lambda.invokeTimed<{ statusCode?: number; body?: string }>(
        httpApiEvent({ body: { jsonrpc: '2.0', id: 1, method: 'account.me' }, token }),
      );
      return { outcome, logs: [...lambda.logs], refused: [...lambda.refusedNetwork], jwksUrl: tokens.jwksRoute.url };
    } finally {
      await lambda.close();
    }
  }

  it('answers a cold account.me with the deploy-time keys: no JWKS request, no undici, no node:https', async () => {
    const { outcome, logs, refused, jwksUrl } = await coldCall({ deployTimeJwks: true }, 'cold-seeded');
    expect(outcome.result.statusCode, outcome.result.body).toBe(200);
    expect(JSON.parse(String(outcome.result.body))).toMatchObject({ result: { sub: 'cold-seeded' } });
    // undici's first use costs a cold start tens of ms (docs/performance.md, round four): headers and the JWKS fetch avoid it.
    expect(outcome.loadedUndici).toBe(false);
    // https (tls, net, http) is only loaded for a request the function actually makes (docs/performance.md, round five).
    expect(outcome.loadedHttps).toBe(false);
    expect(logs.filter((line) => line.includes(jwksUrl))).toEqual([]);
    expect(logs.filter((line) => line.includes('COGNITO_JWKS'))).toEqual([]);
    expect(refused).toEqual([]);
  });

  it('still fetches the keys over node:https (not undici) when the deployment gave none', async () => {
    const { outcome, logs, refused, jwksUrl } = await coldCall({ deployTimeJwks: false }, 'cold-fetched');
    expect(outcome.result.statusCode, outcome.result.body).toBe(200);
    expect(outcome.loadedUndici).toBe(false);
    expect(outcome.loadedHttps).toBe(true);
    expect(logs.filter((line) => line === `[network-guard] served ${jwksUrl}`)).toHaveLength(1);
    expect(refused).toEqual([]);
  });

  it("keeps the environment well under Lambda's 4 KB with a real pool's key set (two RSA-2048 keys)", () => {
    // The format the deploy-time reader produces: URI plus each key's kid, kty, alg, use, n, e.
    const keys = [new JwksFixture(), new JwksFixture()].flatMap((fixture) => fixture.jwks().keys);
    const keySet = JSON.stringify({ uri: running().tokens.jwksRoute.url, keys });
    // Lambda counts the names and values of the function's own variables.
    const bytes = Object.entries(fn.environment).reduce(
      (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value === DEPLOY_TIME_JWKS ? keySet : value),
      0,
    );
    expect(Buffer.byteLength(keySet)).toBeGreaterThan(800);
    expect(bytes, `environment: ${bytes} bytes, of which the key set ${keySet.length}`).toBeLessThan(3 * 1024);
  });

  // Runs last: it judges every DynamoDB call the cases above made.
  it('makes only DynamoDB calls its role allows, and no other network access', () => {
    const { db, lambda, tokens } = running();
    const calls = db.calls;
    expect(new Set(calls.map((c) => c.action))).toEqual(
      new Set(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:DeleteItem']),
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
    // The keys came with the deployment (COGNITO_JWKS): the warm environment never fetched them.
    expect(lambda.logs.filter((l) => l.includes(tokens.jwksRoute.url))).toEqual([]);
  });
});
