/**
 * API Gateway HTTP API (payload format 2.0) events and Lambda contexts as
 * Lambda hands them to a handler, for tests of the Lambda transport and of
 * the deployed bundle.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface HttpApiEventOptions {
  /** Default POST. */
  readonly method?: string;
  /** Default `/aws-blocks/api`. */
  readonly path?: string;
  /** Without the leading `?`. */
  readonly query?: string;
  /** Default `$default`; a named stage prefixes the path with `/<stage>`. */
  readonly stage?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  /** API Gateway's view of the caller. Default 203.0.113.7 (a documentation address). */
  readonly sourceIp?: string;
}

export function httpApiEvent(options: HttpApiEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const stage = options.stage ?? '$default';
  const rawPath = options.path ?? '/aws-blocks/api';
  const sourceIp = options.sourceIp ?? '203.0.113.7';
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: options.query ?? '',
    ...(options.cookies && { cookies: options.cookies }),
    headers: {
      accept: '*/*',
      'content-type': 'application/json',
      ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body, options.isBase64Encoded ? 'base64' : 'utf8')) }),
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'vitest',
      'x-forwarded-for': sourceIp,
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage,
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

let invocation = 0;

/** A fresh context per call, each with its own `awsRequestId`. */
export function lambdaContext(): Context {
  invocation++;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'blocks-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:blocks-handler',
    memoryLimitInMB: '512',
    awsRequestId: `aws-request-${invocation}`,
    logGroupName: '/aws/lambda/blocks-handler',
    logStreamName: '2026/11/23/[$LATEST]abc',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
