/**
 * Fetches a JSON Web Key Set over `node:https` (or `node:http` on loopback,
 * for the local pool) for aws-jwt-verify's `SimpleJwksCache`.
 *
 * Why not global `fetch`: in Node it is the bundled undici, whose first use
 * loads ~95 internal modules, a large share of a Lambda cold start.
 * Why not the library's own fetcher: it refuses plain http even on loopback.
 *
 * Why the client module is looked up per call (`process.getBuiltinModule`)
 * rather than imported: `node:https` brings tls, net and http, a few ms of a
 * fresh process, and a deployed function normally starts with the key set
 * already in its environment (COGNITO_JWKS, see cognito-verifier.ts), so it
 * loads the module only if a fetch actually happens (a rotated key).
 *
 * `http.get` / `https.get` are looked up on the module objects at call time,
 * which is where tests (and the deployed-artifact harness) serve a key set
 * at a real Cognito URL without the network.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface JwksFetchLimits {
  /** Whole request, connect to last byte. */
  readonly timeoutMs: number;
  /** Bodies beyond this are refused (a key set is a few KB). */
  readonly maxBytes: number;
}

/** The key service could not be reached or answered nonsense: not the caller's fault. */
export class JwksUnavailableError extends Error {
  override name = 'JwksUnavailableError';
}

type Client = typeof import('node:https') | typeof import('node:http');

function clientFor(url: URL): Client {
  if (url.protocol === 'https:') return process.getBuiltinModule('node:https');
  if (url.protocol === 'http:') return process.getBuiltinModule('node:http');
  throw new JwksUnavailableError(`JWKS URI ${url.href} is neither https nor http`);
}

/** Status, size and completeness checks on the response; resolves to the body. */
function readBody(response: IncomingMessage, uri: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const status = response.statusCode ?? 0;
    // No redirects: one could lead from https (or loopback) to a host we would not have allowed.
    if (status < 200 || status > 299) {
      response.resume();
      reject(new JwksUnavailableError(`JWKS request to ${uri} answered ${status}`));
      return;
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.destroy();
      reject(new JwksUnavailableError(`JWKS from ${uri} is too large`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > maxBytes) {
        response.destroy();
        reject(new JwksUnavailableError(`JWKS from ${uri} is too large`));
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', (error) => reject(error));
    // Closed before its end (the connection dropped): settled above otherwise, so this is a no-op then.
    response.once('close', () => reject(new JwksUnavailableError(`JWKS response from ${uri} ended early`)));
  });
}

/** GETs `uri` and resolves to its body; rejects with a `JwksUnavailableError` for any failure. */
export function fetchJwksBytes(uri: string, limits: JwksFetchLimits): Promise<ArrayBuffer> {
  return new Promise<ArrayBuffer>((resolve, reject) => {
    let settled = false;
    let request: ClientRequest | undefined;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const reason = error instanceof Error ? error.message : String(error);
      reject(error instanceof JwksUnavailableError ? error : new JwksUnavailableError(`JWKS request to ${uri} failed: ${reason}`));
    };
    const deadline = setTimeout(() => {
      request?.destroy();
      fail(new JwksUnavailableError(`JWKS request to ${uri} timed out after ${limits.timeoutMs} ms`));
    }, limits.timeoutMs);
    try {
      const url = new URL(uri);
      request = clientFor(url).get(url, { headers: { accept: 'application/json' } }, (response) => {
        readBody(response, uri, limits.maxBytes).then((body) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
        }, fail);
      });
      request.once('error', fail);
    } catch (error) {
      fail(error);
    }
  });
}
