/**
 * AuthBasic as deployed: the aws-runtime entry (DynamoDB tables named by
 * BLOCKS_KV_TABLES, the key from Secrets Manager) behind the Lambda adapter,
 * with dynalite for DynamoDB and a stand-in Secrets Manager endpoint.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiNamespace } from '../../core/api-namespace.js';
import { Scope } from '../../core/scope.js';
import { AuthBasic } from './index.aws.js';
import { KV_DYNAMODB_ENDPOINT_ENV, KV_TABLE_BINDING } from '../kv-store/dynamodb-schema.js';
import { startDynalite, type Dynalite } from '../kv-store/testing/dynalite.js';
import { createLambdaHandler, type LambdaHandler } from '../../transports/lambda.js';
import { AUTH_BASIC_KEY_BINDING } from './secret-binding.js';
import { FAST_SCRYPT, parseSetCookie } from './testing/harness.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:blocks-auth-key-AbCdEf';
const SECRET_VALUE = 'x'.repeat(20) + 'generated-at-deploy-time-0123456789abcdefghijklmnop';

let db: Dynalite;
let secrets: Server;
const secretRequests: { target: string | undefined; body: string }[] = [];
const savedEnv = { ...process.env };
let handler: LambdaHandler;

/** Answers GetSecretValue the way Secrets Manager's JSON protocol does. */
async function startSecretsManager(): Promise<string> {
  secrets = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      secretRequests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN: SECRET_ARN, Name: 'blocks-auth-key', SecretString: SECRET_VALUE, VersionId: 'v1' }));
    });
  });
  secrets.listen(0, '127.0.0.1');
  await once(secrets, 'listening');
  return `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  db = await startDynalite();
  const tables: Record<string, string> = {};
  for (const suffix of ['users', 'sessions', 'codes', 'throttle']) tables[`aws-e2e/auth-${suffix}`] = await db.createTable();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: await startSecretsManager(),
    [KV_DYNAMODB_ENDPOINT_ENV]: db.endpoint,
    [KV_TABLE_BINDING.env]: JSON.stringify(tables),
    [AUTH_BASIC_KEY_BINDING.env]: JSON.stringify({ 'aws-e2e/auth': SECRET_ARN }),
  });

  const scope = new Scope('aws-e2e');
  const auth = new AuthBasic(scope, 'auth', {
    lockout: { maxFailures: 50, maxFailuresPerIp: 3 },
    overrides: { scrypt: FAST_SCRYPT },
  });
  handler = createLambdaHandler(
    {
      authApi: auth.createApi(),
      api: new ApiNamespace(scope, 'api', (context) => ({ whoami: async () => (await auth.requireAuth(context)).username })),
    },
    { logger: { error: () => undefined } },
  );
});

afterAll(async () => {
  process.env = savedEnv;
  await db.close();
  await new Promise((resolve) => secrets.close(resolve));
});

interface Call {
  readonly sourceIp?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
}

function event(method: string, params: unknown, call: Call): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/aws-blocks/api',
    rawQueryString: '',
    ...(call.cookies && { cookies: call.cookies }),
    headers: {
      'content-type': 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': call.sourceIp ?? '203.0.113.7',
      ...call.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/aws-blocks/api', protocol: 'HTTP/1.1', sourceIp: call.sourceIp ?? '203.0.113.7', userAgent: 'vitest' },
      requestId: 'gateway-request-id',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_428_000_000,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'aws-request' } as Context;

async function invoke(method: string, params: unknown, call: Call = {}): Promise<APIGatewayProxyStructuredResultV2 & { data: { result?: unknown; error?: { data: { name: string } } } }> {
  const result = await handler(event(method, params, call), context);
  return { ...result, data: JSON.parse(result.body ?? '{}') as { result?: unknown; error?: { data: { name: string } } } };
}

describe('AuthBasic under the aws-runtime condition, through the Lambda adapter', () => {
  const user = { username: 'dana@example.com', password: 'dana password 1' };

  it('signs up and in on DynamoDB, with a Secure __Host- cookie even when the Host claims localhost', async () => {
    expect((await invoke('authApi.setAuthState', { action: 'signUp', ...user })).statusCode).toBe(200);
    const signIn = await invoke('authApi.setAuthState', { action: 'signIn', ...user }, { headers: { host: 'localhost:3001', 'x-forwarded-proto': 'http' } });
    expect(signIn.statusCode).toBe(200);
    const cookie = parseSetCookie(signIn.cookies?.[0] ?? '');
    expect(cookie.name).toBe('__Host-aws-e2e.auth.session');
    expect(cookie.attributes.has('secure')).toBe(true);
    const whoami = await invoke('api.whoami', undefined, { cookies: [`${cookie.name}=${cookie.value}`] });
    expect(whoami.data.result).toBe(user.username);
    expect((await invoke('api.whoami', undefined)).statusCode).toBe(401);
  });

  it('fetched the session key from Secrets Manager exactly once', () => {
    expect(secretRequests).toHaveLength(1);
    expect(secretRequests[0]?.target).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(secretRequests[0]?.body ?? '{}')).toEqual({ SecretId: SECRET_ARN });
  });

  it('throttles by API Gateway’s sourceIp, never by a spoofable X-Forwarded-For', async () => {
    const attacker = '198.51.100.23';
    for (let i = 0; i < 3; i++) {
      const spoofed = { sourceIp: attacker, headers: { 'x-forwarded-for': `10.0.0.${i}, ${attacker}` } };
      expect((await invoke('authApi.setAuthState', { action: 'signIn', username: `victim${i}`, password: 'guess 1' }, spoofed)).statusCode).toBe(401);
    }
    const locked = await invoke('authApi.setAuthState', { action: 'signIn', ...user }, { sourceIp: attacker, headers: { 'x-forwarded-for': '192.0.2.1' } });
    expect(locked.statusCode).toBe(429);
    expect(locked.data.error?.data.name).toBe('TooManyAttemptsException');
    expect(locked.headers?.['retry-after']).toBe('900');
    // Someone else claiming the attacker's address in X-Forwarded-For is not locked out.
    const bystander = await invoke('authApi.setAuthState', { action: 'signIn', ...user }, { sourceIp: '192.0.2.50', headers: { 'x-forwarded-for': attacker } });
    expect(bystander.statusCode).toBe(200);
  });
});
