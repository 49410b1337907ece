/**
 * The Lambda transport: API Gateway HTTP API events (payload format 2.0) in,
 * structured results out, around the same dispatcher as its twin for
 * development, node.ts.
 *
 * @example
 * import * as app from './app.js';
 * export const handler = createLambdaHandler(app);
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createDispatcher, type DispatcherOptions, type RpcHttpRequest, type RpcHttpResponse } from '../rpc/dispatcher.js';
import { API_PATH } from '../rpc/protocol.js';
import { NOT_FOUND_BODY, responseHeaders } from '../rpc/responses.js';
import { HeaderMap } from '../rpc/header-map.js';
import { createRouter, type Router } from '../rpc/router.js';
import { sourceMappedConsole } from './source-mapped-stack.js';

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Payload v2 lowercases header names and comma-joins repeats; cookies arrive apart, in `event.cookies`. */
function toHeaders(event: APIGatewayProxyEventV2): Headers {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value === undefined) continue;
    try {
      headers.append(name, value);
    } catch {
      // A name or value WHATWG header rules refuse cannot matter to the API; dropping
      // it beats failing the whole request with a bare Lambda error.
    }
  }
  if (event.cookies !== undefined && event.cookies.length > 0) {
    const existing = headers.get('cookie');
    const joined = event.cookies.join('; ');
    headers.set('cookie', existing ? `${existing}; ${joined}` : joined);
  }
  return headers;
}

/** The request path without the stage prefix that named (non-`$default`) stages add. */
function apiPathOf(event: APIGatewayProxyEventV2): string {
  const path = event.rawPath || event.requestContext.http.path;
  const stage = event.requestContext.stage;
  const stagePrefix = `/${stage}`;
  if (stage && stage !== '$default' && path.startsWith(`${stagePrefix}/`)) return path.slice(stagePrefix.length);
  return path;
}

function readBody(event: APIGatewayProxyEventV2, maxBodyBytes: number): { body: Uint8Array; tooLarge: boolean } {
  const text = event.body ?? '';
  const encoding = event.isBase64Encoded ? 'base64' : 'utf8';
  // Measured before decoding, so an oversized body is never copied.
  if (Buffer.byteLength(text, encoding) > maxBodyBytes) return { body: new Uint8Array(), tooLarge: true };
  return { body: Buffer.from(text, encoding), tooLarge: false };
}

function toResult(response: Pick<RpcHttpResponse, 'status' | 'headers'> & { body: string | Uint8Array; cookies?: readonly string[] }): APIGatewayProxyStructuredResultV2 {
  const binary = typeof response.body !== 'string';
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    // One entry per cookie: API Gateway sends each as its own Set-Cookie header.
    ...(response.cookies !== undefined && response.cookies.length > 0 && { cookies: [...response.cookies] }),
    body: binary ? Buffer.from(response.body).toString('base64') : (response.body as string),
    isBase64Encoded: binary,
  };
}

function notFound(requestId: string): APIGatewayProxyStructuredResultV2 {
  return toResult({ status: 404, headers: responseHeaders(requestId), body: NOT_FOUND_BODY });
}

/** A Block's own route (rpc/router.ts): the event already holds the whole body. */
async function serveRoute(router: Router, event: APIGatewayProxyEventV2, path: string, requestId: string): Promise<APIGatewayProxyStructuredResultV2> {
  return toResult(
    await router.handle({
      method: event.requestContext.http.method,
      path,
      query: new URLSearchParams(event.rawQueryString ?? ''),
      headers: toHeaders(event),
      requestId,
      clientIp: event.requestContext.http.sourceIp,
      readBody: async (limit) => readBody(event, limit),
      stream: async function* () {
        const { body } = readBody(event, Number.POSITIVE_INFINITY);
        yield body;
      },
    }),
  );
}

/**
 * A Lambda handler serving the app module's API on POST /aws-blocks/api and
 * its Blocks' own routes under /aws-blocks/. The dispatcher and router are
 * built once per cold start; Lambda's request id becomes the request id, so
 * a 500's id finds its log line in CloudWatch.
 */
export function createLambdaHandler(
  appModule: Readonly<Record<string, unknown>>,
  options: DispatcherOptions = {},
): LambdaHandler {
  // Logged errors get source positions from the bundle's map, read on the first one (see source-mapped-stack.ts).
  const withLogger: DispatcherOptions = { logger: sourceMappedConsole, ...options };
  const dispatcher = createDispatcher(appModule, withLogger);
  const router = createRouter(appModule, withLogger);
  return async (event, context) => {
    const path = apiPathOf(event);
    if (path !== API_PATH) {
      return router.has(path) ? serveRoute(router, event, path, context.awsRequestId) : notFound(context.awsRequestId);
    }
    const { body, tooLarge } = readBody(event, dispatcher.maxBodyBytes);
    const request: RpcHttpRequest = {
      method: event.requestContext.http.method.toUpperCase(),
      headers: toHeaders(event),
      body,
      bodyTooLarge: tooLarge,
      requestId: context.awsRequestId,
      // API Gateway's view of the connection. The first X-Forwarded-For hop
      // is whatever the client sent, so it is never used for throttling.
      clientIp: event.requestContext.http.sourceIp,
    };
    return toResult(await dispatcher.handle(request));
  };
}
