/**
 * Runs the Lambda asset CDK would upload, as Lambda would run it, so tests
 * (tests/deployed/artifact.test.ts) and benchmarks exercise the deployed
 * artifact rather than the TypeScript source it was bundled from.
 *
 * - `loadDeployedFunction` (template.ts) reads asset, handler, resolved
 *   environment, tables and role policy from a synthesized assembly.
 * - `startRecordingDynamoDb` serves the template's tables from dynalite
 *   behind a proxy that records each call's action and table ARN, for
 *   checking them against the role policy.
 * - `startLambdaProcess` copies the asset into a task root whose only
 *   module is a `node_modules/@aws-sdk` link (what the Node.js runtime
 *   provides), and keeps one child Node process up that answers
 *   invocations over IPC, like a warm execution environment.
 * - `CognitoTokens` mints RS256 ID tokens for the pool the environment
 *   names; the child's preload serves their JWKS at the Cognito issuer URL.
 * - `startFakeSsm` answers GetParameter for the parameters a test puts,
 *   refusing what the role policy does not allow, on loopback; the child's
 *   SDK reaches it through the standard `AWS_ENDPOINT_URL_SSM`.
 *
 * @example
 * const fn = await loadDeployedFunction(await synthesize(...));
 * const db = await startRecordingDynamoDb(fn.tables);
 * const tokens = new CognitoTokens(fn);
 * const lambda = await startLambdaProcess(fn, { dynamoDbEndpoint: db.endpoint, jwks: tokens.jwksRoute });
 * const result = await lambda.invoke(httpApiEvent({ body: { jsonrpc: '2.0', id: 1, method: 'notes.list' }, token }));
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { idTokenClaims, JwksFixture, type Claims } from 'blocks-kit/testing';
import dynalite from 'dynalite';
import { DEPLOY_TIME_JWKS, isAllowed, type DeployedFunction, type TableDefinition } from './template';

export { DEPLOY_TIME_JWKS, isAllowed, loadDeployedFunction, type DeployedFunction, type PolicyStatement, type TableDefinition } from './template';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const runtimeSources = path.join(import.meta.dirname, 'runtime');

/**
 * The one kit variable the harness sets itself: the endpoint override the
 * kit's DynamoDB client documents for tests (kv/dynamodb-client.ts). Every
 * other variable comes from the template.
 */
export const DYNAMODB_ENDPOINT_ENV = 'BLOCKS_DYNAMODB_ENDPOINT';

/** dynalite checks that requests are signed, not by whom; Lambda would inject the role's session. */
const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SESSION_TOKEN: 'test',
} as const;

// ---------------------------------------------------------------------------
// DynamoDB: dynalite behind a recording proxy

export interface DynamoDbCall {
  /** The API operation, e.g. `PutItem` (from `x-amz-target`). */
  readonly operation: string;
  /** What IAM authorizes, e.g. `dynamodb:PutItem`, on `resource`. */
  readonly action: string;
  /** `arn:aws:dynamodb:<region>:<account>:table/<name>` (or `…/index/<name>`). */
  readonly resource: string;
  readonly status: number;
  /** False when the policy check refused it (answered AccessDeniedException, as DynamoDB would). */
  readonly allowed: boolean;
}

export interface RecordingDynamoDb {
  /** The proxy's URL: point the function here. */
  readonly endpoint: string;
  /** Every call so far, one entry per (action, resource) it needs. */
  readonly calls: readonly DynamoDbCall[];
  close(): Promise<void>;
}

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The (action, table) pairs IAM evaluates for one DynamoDB request body. */
function authorizationsOf(operation: string, body: Record<string, unknown>): { action: string; table: string; index?: string }[] {
  if (typeof body.TableName === 'string') {
    return [{ action: operation, table: body.TableName, ...(typeof body.IndexName === 'string' && { index: body.IndexName }) }];
  }
  if (body.RequestItems && typeof body.RequestItems === 'object') {
    return Object.keys(body.RequestItems).map((table) => ({ action: operation, table }));
  }
  if (Array.isArray(body.TransactItems)) {
    return (body.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, part]) => ({ action: TRANSACT_ACTIONS[kind] ?? kind, table: part.TableName })),
    );
  }
  return [{ action: operation, table: '*' }];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

export interface RecordingOptions {
  readonly region: string;
  readonly accountId: string;
  /**
   * IAM's decision for one (action, resource); a refused call is answered
   * with DynamoDB's AccessDeniedException instead of reaching dynalite, so
   * a missing grant fails the very request that needs it, as in the cloud.
   * Default: everything allowed.
   */
  readonly authorize?: (action: string, resource: string) => boolean;
}

/** The error DynamoDB returns when the caller's role lacks the action (HTTP 400). */
function accessDenied(res: ServerResponse, action: string, resource: string): void {
  const body = JSON.stringify({
    __type: 'com.amazon.coral.service#AccessDeniedException',
    Message: `User: arn:aws:sts::000000000000:assumed-role/artifact-test is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  });
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() }).end(body);
}

/**
 * dynalite with `tables` created from their template definitions, behind a
 * proxy that records each call and applies `authorize` (region and account
 * only shape the ARNs).
 */
export async function startRecordingDynamoDb(
  tables: readonly TableDefinition[],
  { region, accountId, authorize = () => true }: RecordingOptions,
): Promise<RecordingDynamoDb> {
  // Tables become ACTIVE at once instead of after 500 ms.
  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dbEndpoint = await listen(db);
  const client = new DynamoDBClient({
    endpoint: dbEndpoint,
    region,
    credentials: { accessKeyId: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  for (const table of tables) {
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [...table.keySchema],
        AttributeDefinitions: [...table.attributeDefinitions],
      }),
    );
  }
  client.destroy();

  const calls: DynamoDbCall[] = [];
  const agent = new Agent({ keepAlive: true });
  const target = new URL(dbEndpoint);
  const proxy = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        // Not JSON: dynalite answers with the error; the call is still recorded, against no table.
      }
      const needed = authorizationsOf(operation, parsed).map(({ action, table, index }) => ({
        action: `dynamodb:${action}`,
        resource: `arn:aws:dynamodb:${region}:${accountId}:table/${table}${index ? `/index/${index}` : ''}`,
      }));
      const refused = needed.find(({ action, resource }) => !authorize(action, resource));
      if (refused) {
        for (const need of needed) calls.push({ operation, ...need, status: 400, allowed: authorize(need.action, need.resource) });
        accessDenied(res, refused.action, refused.resource);
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          const status = answer.statusCode ?? 0;
          for (const need of needed) calls.push({ operation, ...need, status, allowed: true });
          res.writeHead(status, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.once('error', (error) => res.destroy(error));
      upstream.end(body);
    })();
  });
  const endpoint = await listen(proxy);
  return {
    endpoint,
    calls,
    async close() {
      agent.destroy();
      await closeServer(proxy);
      await closeServer(db);
    },
  };
}

// ---------------------------------------------------------------------------
// SSM Parameter Store: the parameters a test puts, behind the role policy

/** The SDK's own per-service endpoint variable: the function's SSM client goes here. */
export const SSM_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_SSM';

export interface FakeParameter {
  readonly type: 'String' | 'SecureString';
  readonly value: string;
}

export interface SsmCall {
  readonly operation: string;
  readonly name: string;
  readonly withDecryption: boolean;
  /** `arn:aws:ssm:<region>:<account>:parameter/<name>`: what IAM authorizes `ssm:GetParameter` on. */
  readonly resource: string;
  readonly allowed: boolean;
  readonly status: number;
}

export interface FakeSsm {
  readonly endpoint: string;
  readonly calls: readonly SsmCall[];
  close(): Promise<void>;
}

function ssmError(res: ServerResponse, type: string, message: string): number {
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify({ __type: type, message }));
  return 400;
}

/**
 * Answers `GetParameter` (awsJson1_1, as SSM does) for `parameters`, keyed by
 * name, after asking `authorize` as IAM would; a SecureString read without
 * decryption returns ciphertext-looking text, not the value.
 */
export async function startFakeSsm(
  parameters: Readonly<Record<string, FakeParameter>>,
  { region, accountId, authorize = () => true }: RecordingOptions,
): Promise<FakeSsm> {
  const calls: SsmCall[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      let input: { Name?: unknown; WithDecryption?: unknown } = {};
      try {
        input = JSON.parse((await readBody(req)).toString('utf8')) as typeof input;
      } catch {
        // Answered below as a bad request.
      }
      const name = typeof input.Name === 'string' ? input.Name : '';
      const withDecryption = input.WithDecryption === true;
      const resource = `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      const allowed = authorize(`ssm:${operation}`, resource);
      const record = (status: number): void => void calls.push({ operation, name, withDecryption, resource, allowed, status });
      if (operation !== 'GetParameter' || name === '') return record(ssmError(res, 'ValidationException', `unsupported ${operation}`));
      if (!allowed) {
        return record(ssmError(res, 'AccessDeniedException', `User: arn:aws:sts::${accountId}:assumed-role/artifact-test is not authorized to perform: ssm:GetParameter on resource: ${resource}`));
      }
      const parameter = parameters[name];
      if (!parameter) return record(ssmError(res, 'ParameterNotFound', ''));
      const value = parameter.type === 'SecureString' && !withDecryption ? Buffer.from(`kms:${randomUUID()}`).toString('base64') : parameter.value;
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
        .end(JSON.stringify({ Parameter: { Name: name, Type: parameter.type, Value: value, Version: 1, ARN: resource, DataType: 'text' } }));
      record(200);
    })();
  });
  const endpoint = await listen(server);
  return { endpoint, calls, close: () => closeServer(server) };
}

// ---------------------------------------------------------------------------
// SQS: the calls a worker makes on its queues (awsJson1_0, as SQS speaks since 2023)

export interface SqsCall {
  /** e.g. `ChangeMessageVisibility` */
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The queue's ARN, derived from the QueueUrl the call names. */
  readonly resource: string;
  readonly allowed: boolean;
}

export interface FakeSqs {
  readonly endpoint: string;
  readonly calls: readonly SqsCall[];
  close(): Promise<void>;
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → `arn:aws:sqs:<region>:<account>:<name>`. */
function queueArnOf(queueUrl: string): string {
  const url = new URL(queueUrl);
  const region = url.hostname.split('.')[1] ?? '';
  const [account = '', name = ''] = url.pathname.split('/').filter(Boolean);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/**
 * Answers SendMessage and ChangeMessageVisibility after asking `authorize`
 * as IAM would, recording each call; the child's SDK reaches it through the
 * kit's test override `BLOCKS_SQS_ENDPOINT`.
 */
export async function startFakeSqs({ authorize = () => true }: Pick<RecordingOptions, 'authorize'> = {}): Promise<FakeSqs> {
  const calls: SqsCall[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const input = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
      const resource = typeof input.QueueUrl === 'string' ? queueArnOf(input.QueueUrl) : '';
      const allowed = authorize(`sqs:${operation}`, resource);
      calls.push({ operation, input, resource, allowed });
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() };
      if (!allowed) {
        res.writeHead(400, headers).end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: `not authorized to perform: sqs:${operation} on resource: ${resource}` }));
        return;
      }
      if (operation === 'SendMessage') {
        // The SDK checks the body's MD5 against SQS's answer.
        const md5 = createHash('md5').update(String(input.MessageBody ?? ''), 'utf8').digest('hex');
        res.writeHead(200, headers).end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
        return;
      }
      if (operation === 'ChangeMessageVisibility') {
        res.writeHead(200, headers).end('{}');
        return;
      }
      res.writeHead(400, headers).end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported ${operation}` }));
    })();
  });
  const endpoint = await listen(server);
  return { endpoint, calls, close: () => closeServer(server) };
}

// ---------------------------------------------------------------------------
// Cognito: tokens and the key set the preload serves

export interface JwksRoute {
  /** `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json` */
  readonly url: string;
  readonly jwks: unknown;
}

export interface IdTokenUser {
  readonly sub?: string;
  readonly username?: string;
  readonly email?: string;
  readonly groups?: string[];
  /** Defaults to the function's (first) app client id. */
  readonly clientId?: string;
  /** Seconds since the epoch for `iat`/`auth_time`; default now. */
  readonly issuedAt?: number;
  readonly ttlSeconds?: number;
}

/** Mints ID tokens as the function's user pool would, with a key only this run knows. */
export class CognitoTokens {
  readonly issuer: string;
  readonly clientId: string;
  readonly jwksRoute: JwksRoute;
  readonly #keys = new JwksFixture();

  constructor(fn: Pick<DeployedFunction, 'account' | 'clientIds'>) {
    const clientId = fn.clientIds[0];
    if (!clientId) throw new Error('the function environment references no Cognito app client');
    this.clientId = clientId;
    this.issuer = `https://cognito-idp.${fn.account.region}.amazonaws.com/${fn.account.userPoolId}`;
    this.jwksRoute = { url: `${this.issuer}/.well-known/jwks.json`, jwks: this.#keys.jwks() };
  }

  /** A signed-in user's ID token, shaped like Cognito's (token_use id, aud, cognito:username, …). */
  idToken(user: IdTokenUser = {}): string {
    return this.sign(this.idTokenClaims(user));
  }

  idTokenClaims(user: IdTokenUser = {}): Claims {
    return idTokenClaims({
      issuer: this.issuer,
      clientId: user.clientId ?? this.clientId,
      ...(user.sub !== undefined && { sub: user.sub }),
      ...(user.username !== undefined && { username: user.username }),
      ...(user.email !== undefined && { email: user.email }),
      ...(user.groups !== undefined && { groups: user.groups }),
      ...(user.issuedAt !== undefined && { now: user.issuedAt }),
      ...(user.ttlSeconds !== undefined && { ttlSeconds: user.ttlSeconds }),
    });
  }

  /** Signs arbitrary claims with the pool's key (RS256, its kid). */
  sign(claims: Claims): string {
    return this.#keys.mintToken(claims);
  }
}

// ---------------------------------------------------------------------------
// The execution environment

export interface LambdaOptions {
  /** Where the function's DynamoDB calls go (sets `BLOCKS_DYNAMODB_ENDPOINT`). */
  readonly dynamoDbEndpoint?: string;
  /**
   * The key set served at the Cognito issuer's JWKS URL; also what the
   * template's deploy-time key set (`COGNITO_JWKS`, a custom resource's
   * attribute) resolves to, as the deployment would have fetched it.
   */
  readonly jwks?: JwksRoute;
  /**
   * `false`: leave the deploy-time key set out of the environment, as for a
   * deployment without it; the function then fetches the keys. Default: given.
   */
  readonly deployTimeJwks?: boolean;
  /** Variables on top of the template's and Lambda's own (last wins). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export interface InvokeOutcome<R> {
  readonly result: R;
  /** Time inside the handler, measured in the child. */
  readonly durationMs: number;
  /** Whether Node's fetch library (undici) was loaded in the child when it answered (bootstrap.mjs says why that matters). */
  readonly loadedUndici: boolean;
  /** Whether node:https (or tls) was loaded in the child when it answered: by the bundle, or by the guard on its first use. */
  readonly loadedHttps: boolean;
}

/** The function failed (Lambda's "Unhandled" error), or init failed. */
export class LambdaError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly remoteStack: string,
  ) {
    super(`${errorType}: ${message}`);
    this.name = 'LambdaError';
  }
}

export interface LambdaProcess {
  /** The child process's pid (for benchmarks that sample its resources). */
  readonly pid: number;
  /** Handler module import time in the child: the cold-start init phase. */
  readonly initMs: number;
  /** `performance.now()` in this process just before the spawn: where a cold start's clock starts. */
  readonly startedAt: number;
  /** The task root the asset was copied to. */
  readonly taskRoot: string;
  /** The exact environment the child got. */
  readonly env: Readonly<Record<string, string>>;
  /** stdout and stderr lines so far (the function's "CloudWatch" log). */
  readonly logs: readonly string[];
  /** Network access the preload refused (empty when the bundle stayed offline). */
  readonly refusedNetwork: readonly string[];
  invoke<R = APIGatewayProxyStructuredResultV2>(event: unknown): Promise<R>;
  invokeTimed<R = APIGatewayProxyStructuredResultV2>(event: unknown): Promise<InvokeOutcome<R>>;
  close(): Promise<void>;
}

type ChildMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: { errorType: string; errorMessage: string; stack: string } }
  | { type: 'result'; id: number; result: unknown; durationMs: number; loadedUndici: boolean; loadedHttps: boolean }
  | { type: 'error'; id: number; error: { errorType: string; errorMessage: string; stack: string }; durationMs: number };

/**
 * Whether the bundle names Node's https module in a static import (builds
 * from before the kit loaded it on demand): the network guard then patches
 * it up front instead of on its first `process.getBuiltinModule`.
 */
async function importsHttpsStatically(task: string): Promise<boolean> {
  const files = (await readdir(task)).filter((file) => /\.[cm]?js$/.test(file));
  for (const file of files) {
    if (/\bfrom\s*["'](?:node:)?https["']/.test(await readFile(path.join(task, file), 'utf8'))) return true;
  }
  return false;
}

/**
 * The template's deploy-time key set for a run: what the custom resource
 * would have read from the pool, i.e. the keys served at `jwks.url`, in its
 * format (`{"uri", "keys"}`, cdk/cognito-jwks-provider). Absent without a
 * key set to serve or when the test leaves it out.
 */
function deployTimeJwksValue(jwks: JwksRoute | undefined, include: boolean): string | undefined {
  if (!include || !jwks) return undefined;
  const { keys } = jwks.jwks as { keys: unknown[] };
  return JSON.stringify({ uri: jwks.url, keys });
}

/** Copies the asset into a fresh task root that can resolve `@aws-sdk/*` and nothing else. */
async function prepareTaskRoot(fn: DeployedFunction, jwks: JwksRoute | undefined): Promise<{ dir: string; task: string; runtime: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'blocks-artifact-'));
  const task = path.join(dir, 'task');
  const runtime = path.join(dir, 'runtime');
  await cp(fn.assetDir, task, { recursive: true });
  await mkdir(path.join(task, 'node_modules'));
  await symlink(path.join(projectRoot, 'node_modules', '@aws-sdk'), path.join(task, 'node_modules', '@aws-sdk'), 'dir');
  await cp(runtimeSources, runtime, { recursive: true });
  // Without a key set to serve, every fetch is refused, the JWKS one included.
  const httpsOnDemand = !(await importsHttpsStatically(task));
  await writeFile(path.join(runtime, 'network-guard.json'), JSON.stringify({ jwksUrl: jwks?.url ?? '', jwks: jwks?.jwks ?? null, httpsOnDemand }));
  return { dir, task, runtime };
}

function lambdaEnvironment(fn: DeployedFunction, task: string, runtime: string, options: LambdaOptions): Record<string, string> {
  const name = `artifact-${fn.logicalId}`;
  const jwks = deployTimeJwksValue(options.jwks, options.deployTimeJwks ?? true);
  const template = Object.entries(fn.environment).flatMap(([key, value]): [string, string][] => {
    if (value !== DEPLOY_TIME_JWKS) return [[key, value]];
    return jwks === undefined ? [] : [[key, jwks]];
  });
  return {
    // What the Lambda service sets itself (reserved names the template cannot override)…
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: task,
    LAMBDA_RUNTIME_DIR: runtime,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_REGION: fn.account.region,
    AWS_DEFAULT_REGION: fn.account.region,
    ...FAKE_CREDENTIALS,
    // …then the function's own configuration, NODE_OPTIONS included…
    ...Object.fromEntries(template),
    // …and the test's redirects.
    ...(options.dynamoDbEndpoint !== undefined && { [DYNAMODB_ENDPOINT_ENV]: options.dynamoDbEndpoint }),
    ...options.extraEnv,
  };
}

/**
 * Starts one execution environment for `fn` and waits for its init (the
 * handler module's import). Rejects with a `LambdaError` when init fails, as
 * Lambda would on the first invocation.
 */
export async function startLambdaProcess(fn: DeployedFunction, options: LambdaOptions = {}): Promise<LambdaProcess> {
  const { dir, task, runtime } = await prepareTaskRoot(fn, options.jwks);
  const env = lambdaEnvironment(fn, task, runtime, options);
  const startedAt = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', pathToFileURL(path.join(runtime, 'network-guard.mjs')).href, path.join(runtime, 'bootstrap.mjs')],
    { cwd: task, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const logs: string[] = [];
  const refusedNetwork: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      logs.push(line);
      const refused = /^\[network-guard\] refused (.*)$/.exec(line);
      if (refused) refusedNetwork.push(refused[1]!);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const pending = new Map<number, { resolve: (outcome: InvokeOutcome<unknown>) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let exited: Error | undefined;
  const exitPromise = once(child, 'exit');
  const failAll = (error: Error): void => {
    exited ??= error;
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    pending.clear();
  };
  child.once('exit', (code, signal) => failAll(new Error(`the Lambda process exited (${signal ?? code}); log:\n${logs.join('\n')}`)));

  const initMs = await new Promise<number>((resolve, reject) => {
    child.on('message', function onMessage(raw) {
      const message = raw as ChildMessage;
      if (message.type === 'ready') resolve(message.initMs);
      else if (message.type === 'init-error') reject(new LambdaError(message.error.errorType, message.error.errorMessage, message.error.stack));
      else {
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        clearTimeout(entry.timer);
        if (message.type === 'result') entry.resolve({ result: message.result, durationMs: message.durationMs, loadedUndici: message.loadedUndici, loadedHttps: message.loadedHttps });
        else entry.reject(new LambdaError(message.error.errorType, message.error.errorMessage, message.error.stack));
      }
    });
    child.once('exit', () => reject(exited));
    child.once('error', reject);
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exitPromise;
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  let nextId = 0;
  async function invokeTimed<R>(event: unknown): Promise<InvokeOutcome<R>> {
    if (exited) throw exited;
    const id = ++nextId;
    const timeoutMs = fn.timeoutSeconds * 1000;
    const awsRequestId = randomUUID();
    const context = {
      awsRequestId,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${fn.account.region}:${fn.account.accountId}:function:${env.AWS_LAMBDA_FUNCTION_NAME}`,
      memoryLimitInMB: String(fn.memorySize),
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: `artifact/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    };
    return new Promise<InvokeOutcome<R>>((resolve, reject) => {
      // Lambda ends an invocation at the configured timeout and discards the environment.
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new LambdaError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds} seconds`, ''));
        child.kill('SIGKILL');
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (outcome: InvokeOutcome<unknown>) => void, reject, timer });
      child.send({ type: 'invoke', id, event, context, deadlineMs: Date.now() + timeoutMs });
    });
  }

  return {
    pid: child.pid ?? -1,
    initMs,
    startedAt,
    taskRoot: task,
    env,
    logs,
    refusedNetwork,
    invokeTimed,
    async invoke<R>(event: unknown): Promise<R> {
      return (await invokeTimed<R>(event)).result;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exitPromise;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Events

export interface HttpApiRequest {
  /** JSON-encoded unless already a string. */
  readonly body?: unknown;
  /** Sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly method?: string;
  readonly path?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event for the `$default` stage. */
export function httpApiEvent(req: HttpApiRequest = {}): APIGatewayProxyEventV2 {
  const method = req.method ?? 'POST';
  const rawPath = req.path ?? '/aws-blocks/api';
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      host: 'artifact.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'artifact-test',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }),
      ...(req.token !== undefined && { authorization: `Bearer ${req.token}` }),
      ...req.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'artifact',
      domainName: 'artifact.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'artifact',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'artifact-test' },
      requestId: randomUUID(),
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}

// ---------------------------------------------------------------------------
// Everything at once

export interface DeployedBackend {
  readonly fn: DeployedFunction;
  readonly db: RecordingDynamoDb;
  readonly ssm: FakeSsm;
  readonly tokens: CognitoTokens;
  readonly lambda: LambdaProcess;
  close(): Promise<void>;
}

export interface DeployedBackendOptions extends Pick<LambdaOptions, 'extraEnv'> {
  /** SSM parameters by name, as `aws ssm put-parameter` would have stored them. */
  readonly parameters?: Readonly<Record<string, FakeParameter>>;
}

/**
 * dynalite with the template's tables and a fake SSM with `parameters`
 * (calls outside the role policy are refused by both), a token minter, and
 * one warm execution environment of `fn`.
 */
export async function startDeployedBackend(fn: DeployedFunction, options: DeployedBackendOptions = {}): Promise<DeployedBackend> {
  const authorize = (action: string, resource: string): boolean => isAllowed(fn.policy, action, resource);
  const db = await startRecordingDynamoDb(fn.tables, { ...fn.account, authorize });
  const ssm = await startFakeSsm(options.parameters ?? {}, { ...fn.account, authorize });
  try {
    const tokens = new CognitoTokens(fn);
    const lambda = await startLambdaProcess(fn, {
      dynamoDbEndpoint: db.endpoint,
      jwks: tokens.jwksRoute,
      extraEnv: { [SSM_ENDPOINT_ENV]: ssm.endpoint, ...options.extraEnv },
    });
    return {
      fn,
      db,
      ssm,
      tokens,
      lambda,
      async close() {
        await lambda.close();
        await ssm.close();
        await db.close();
      },
    };
  } catch (error) {
    await ssm.close();
    await db.close();
    throw error;
  }
}
