/**
 * Preloaded (`node --import`) into the process that runs the Lambda asset.
 * It plays Cognito's key endpoint: `https.get` of exactly the configured
 * JWKS URL (how the kit's verifier fetches keys) answers with the configured
 * key set, as https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json
 * would. Every global `fetch`, and every socket to a non-loopback host, is
 * refused and reported on stderr, so the test notices if the bundle reaches
 * for a network it would not have or a service it was not meant to call.
 * The answer is made in memory (no server, no undici), so the guard adds
 * next to nothing to a measured cold start.
 * The configuration sits next to this file (network-guard.json), not in the
 * environment, so the function sees only the variables the template gives it.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { Readable } from 'node:stream';

/** @type {{ jwksUrl: string, jwks: unknown, httpsOnDemand: boolean }} */
const config = JSON.parse(readFileSync(new URL('./network-guard.json', import.meta.url), 'utf8'));
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** @param {string} what */
function refuse(what) {
  process.stderr.write(`[network-guard] refused ${what}\n`);
  return new TypeError(`fetch failed: network-guard refused ${what}`);
}

/**
 * Global `fetch` is refused, except the JWKS URL, still served for assets
 * built before the kit fetched keys over node:https (a bench comparing
 * against an older build); the current asset must not come here (the
 * artifact test checks that it never loads Node's fetch library).
 * @param {string | URL | Request} input
 * @param {RequestInit} [init]
 */
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
  const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
  if (url === config.jwksUrl && method === 'GET') {
    process.stderr.write(`[network-guard] served ${url} (fetch)\n`);
    return new Response(JSON.stringify(config.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  throw refuse(`fetch ${method} ${url}`);
};

/** A 200 with the key set, shaped as far as a GET's caller reads it: `response` event, status, headers, body stream. */
function serveJwks() {
  const request = new EventEmitter();
  const body = Buffer.from(JSON.stringify(config.jwks));
  const response = Object.assign(Readable.from([body]), {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(body.byteLength) },
  });
  Object.assign(request, { destroy: () => request, end: () => request, setTimeout: () => request });
  return { request, response };
}

/**
 * Routes `https.get` of the JWKS URL to `serveJwks`. Only when there is a key
 * set to serve: loading node:https (with tls, net, http) costs a few ms, which
 * an empty handler measured as a floor must not pay for the guard's sake.
 * When the bundle imports node:https statically (older builds), it is patched
 * now (the bundle loads it anyway); when the bundle loads it on demand
 * (`process.getBuiltinModule`, as the kit does), it is patched on that first
 * load, so the guard never loads it for a function that makes no request.
 */
function guardHttps() {
  if (!config.httpsOnDemand) {
    patchHttps(process.getBuiltinModule('node:https'));
    return;
  }
  const getBuiltinModule = process.getBuiltinModule;
  let patched = false;
  /** @param {string} id */
  function guardedGetBuiltinModule(id) {
    const module = Reflect.apply(getBuiltinModule, process, [id]);
    if (!patched && (id === 'node:https' || id === 'https')) {
      patched = true;
      patchHttps(/** @type {typeof import('node:https')} */ (module));
    }
    return module;
  }
  process.getBuiltinModule = /** @type {typeof process.getBuiltinModule} */ (/** @type {unknown} */ (guardedGetBuiltinModule));
}

/** @param {typeof import('node:https')} https */
function patchHttps(https) {
  const httpsGet = https.get;
  /**
   * @param {unknown} input
   * @param {unknown[]} rest
   */
  function guardedGet(input, ...rest) {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : undefined;
    if (url === undefined || url !== config.jwksUrl) return Reflect.apply(httpsGet, https, [input, ...rest]);
    process.stderr.write(`[network-guard] served ${url}\n`);
    const { request, response } = serveJwks();
    const callback = /** @type {((response: unknown) => void) | undefined} */ (rest.find((arg) => typeof arg === 'function'));
    process.nextTick(() => {
      if (callback) request.once('response', callback);
      request.emit('response', response);
    });
    return request;
  }
  https.get = /** @type {typeof https.get} */ (/** @type {unknown} */ (guardedGet));
  // Named ESM imports of node:https (`import { get } from 'node:https'`) see the replacement too.
  syncBuiltinESMExports();
}
if (config.jwksUrl !== '') guardHttps();

const connect = net.Socket.prototype.connect;
/**
 * @this {net.Socket}
 * @param {unknown[]} args
 */
function guardedConnect(...args) {
  const [first, second] = args;
  /** @type {string | undefined} */
  let host;
  if (typeof first === 'object' && first !== null) {
    const options = /** @type {{ host?: string, path?: string }} */ (first);
    host = options.path !== undefined ? undefined : (options.host ?? 'localhost');
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    host = typeof second === 'string' ? second : 'localhost';
  }
  if (host !== undefined && !LOOPBACK.has(host.replace(/^\[|\]$/g, ''))) {
    const error = refuse(`connection to ${host}`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return Reflect.apply(connect, this, args);
}
net.Socket.prototype.connect = /** @type {typeof connect} */ (/** @type {unknown} */ (guardedConnect));
