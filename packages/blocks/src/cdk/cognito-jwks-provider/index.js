// @ts-check
/**
 * Custom resource handler (CloudFormation, through CDK's
 * CustomResourceProvider wrapper, which answers CloudFormation for us): at
 * deploy time, fetches the public signing keys of the Cognito user pool named
 * by the resource's `UserPoolId` and returns them as the `Jwks` attribute, so
 * the Blocks functions start with them in their environment (COGNITO_JWKS,
 * read by auth/deploy-time-jwks.ts) instead of fetching them on a cold start.
 *
 * Plain CommonJS with no dependencies: this folder is the Lambda's code as
 * is (the wrapper `require`s ./index). It needs no AWS permission: the key
 * endpoint is public. Any failure throws, which fails the deployment with the
 * message, rather than deploying a function without keys it was meant to have.
 *
 * The attribute is compact JSON `{"uri":"<JWKS URI>","keys":[...]}` with only
 * the members a verifier reads, so it stays far below Lambda's 4 KB limit for
 * all environment variables together.
 */
'use strict';

const POOL_ID = /^(?<region>(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d)_[a-zA-Z0-9]+$/;
/** A Cognito key set is about 1 KB; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Connect to last byte; CloudFormation would otherwise wait for the Lambda's own timeout. */
const TIMEOUT_MS = 10_000;
/** What a JWT verifier needs of an RSA key; everything else is dropped. */
const JWK_MEMBERS = /** @type {const} */ (['kid', 'kty', 'alg', 'use', 'n', 'e']);
/**
 * More than this and the keys would crowd the function's environment (4 KB for
 * all variables) and CloudFormation's 4 KB custom resource response: leave them
 * out, the functions fetch them instead.
 */
const MAX_ATTRIBUTE_CHARS = 2048;

/**
 * @typedef {{ statusCode?: number, headers: Record<string, string | string[] | undefined>, resume(): void, destroy(): void,
 *   on(event: 'data', listener: (chunk: Buffer) => void): unknown, once(event: string, listener: (arg?: unknown) => void): unknown }} Response
 * @typedef {{ once(event: 'error', listener: (error: Error) => void): unknown, destroy(): void }} Request
 * @typedef {(url: URL, options: { headers: Record<string, string> }, callback: (response: Response) => void) => Request} Get
 * @typedef {{ RequestType: 'Create' | 'Update' | 'Delete', PhysicalResourceId?: string, ResourceProperties: Record<string, unknown> }} Event
 * @typedef {{ PhysicalResourceId: string, Data?: { Jwks: string } }} Result
 */

/** @param {unknown} userPoolId */
function regionOf(userPoolId) {
  const region = typeof userPoolId === 'string' ? POOL_ID.exec(userPoolId)?.groups?.region : undefined;
  if (!region) throw new Error(`UserPoolId ${JSON.stringify(userPoolId)} is not a Cognito user pool id (<region>_<id>).`);
  return region;
}

/**
 * GETs `url` with `get`; resolves to the body text of a 2xx answer within the limits.
 * @param {URL} url
 * @param {Get} get
 * @param {{ timeoutMs: number, maxBytes: number }} limits
 * @returns {Promise<string>}
 */
function fetchText(url, get, { timeoutMs, maxBytes }) {
  return new Promise((resolve, reject) => {
    /** @type {Request | undefined} */
    let request;
    let settled = false;
    /** @param {string} reason */
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request?.destroy();
      reject(new Error(reason));
    };
    const deadline = setTimeout(() => fail(`no complete answer within ${timeoutMs} ms`), timeoutMs);
    request = get(url, { headers: { accept: 'application/json' } }, (response) => {
      const status = response.statusCode ?? 0;
      // Redirects are not followed: the keys come from Cognito's own host or not at all.
      if (status < 200 || status > 299) {
        response.resume();
        fail(`answered HTTP ${status}`);
        return;
      }
      /** @type {Buffer[]} */
      const chunks = [];
      let received = 0;
      response.on('data', (chunk) => {
        received += chunk.byteLength;
        if (received > maxBytes) {
          response.destroy();
          fail(`answered more than ${maxBytes} bytes`);
          return;
        }
        chunks.push(chunk);
      });
      response.once('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      response.once('error', (error) => fail(`failed while answering: ${String(error)}`));
      response.once('close', () => fail('closed the connection before the end of its answer'));
    });
    request.once('error', (error) => fail(`could not be reached: ${error.message}`));
  });
}

/** @param {unknown} value */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The RSA keys of a JWKS text, each with only the members a verifier reads; throws if there are none.
 * @param {string} text
 * @returns {Record<string, string>[]}
 */
function verifierKeys(text) {
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('answered something that is not JSON');
  }
  const keys = isRecord(parsed) ? /** @type {Record<string, unknown>} */ (parsed).keys : undefined;
  if (!Array.isArray(keys)) throw new Error('answered JSON without a "keys" array');
  /** @type {Record<string, string>[]} */
  const kept = [];
  for (const key of keys) {
    if (!isRecord(key)) throw new Error('answered a key that is not an object');
    const jwk = /** @type {Record<string, unknown>} */ (key);
    // Cognito signs with RSA only, and the runtime accepts nothing else.
    if (jwk.kty !== 'RSA') continue;
    /** @type {Record<string, string>} */
    const copy = {};
    for (const member of JWK_MEMBERS) {
      const value = jwk[member];
      if (value === undefined && (member === 'alg' || member === 'use')) continue;
      if (typeof value !== 'string' || value === '') throw new Error(`answered a key whose "${member}" is not a non-empty string`);
      copy[member] = value;
    }
    kept.push(copy);
  }
  if (kept.length === 0) throw new Error('answered a key set without RSA keys');
  return kept;
}

/**
 * A handler fetching from `baseUrl` with `get`. Both exist for tests only (a
 * loopback server over http); the deployed handler is `createHandler()`:
 * Cognito's regional endpoint, over https.
 * @param {{ baseUrl?: string, get?: Get, timeoutMs?: number, maxBytes?: number }} [options]
 * @returns {(event: Event) => Promise<Result>}
 */
function createHandler(options = {}) {
  const limits = { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, maxBytes: options.maxBytes ?? MAX_RESPONSE_BYTES };
  return async (event) => {
    const userPoolId = event.ResourceProperties.UserPoolId;
    // Nothing was created, so nothing to remove; and a stack must stay deletable whatever its properties were.
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? `cognito-jwks-${String(userPoolId)}` };
    const region = regionOf(userPoolId);
    const physicalId = `cognito-jwks-${String(userPoolId)}`;
    const cognito = `https://cognito-idp.${region}.amazonaws.com`;
    const path = `/${String(userPoolId)}/.well-known/jwks.json`;
    const url = new URL(path, options.baseUrl ?? cognito);
    // Looked up per call: the module object is where a test can watch what the deployed handler asks for.
    const get = options.get ?? /** @type {Get} */ (/** @type {unknown} */ (process.getBuiltinModule('node:https').get));
    let keys;
    try {
      keys = verifierKeys(await fetchText(url, get, limits));
    } catch (error) {
      throw new Error(
        `The signing keys of Cognito user pool ${String(userPoolId)} could not be read: ${url.href} ${error instanceof Error ? error.message : String(error)}.`,
        { cause: error },
      );
    }
    // The URI the verifier derives from the pool id, whatever served the keys here.
    const jwks = JSON.stringify({ uri: `${cognito}${path}`, keys });
    if (jwks.length > MAX_ATTRIBUTE_CHARS) {
      console.warn(`The key set of ${String(userPoolId)} has ${jwks.length} characters; left out of the environment (the functions fetch it).`);
      return { PhysicalResourceId: physicalId, Data: { Jwks: '' } };
    }
    return { PhysicalResourceId: physicalId, Data: { Jwks: jwks } };
  };
}

exports.createHandler = createHandler;
exports.handler = createHandler();
