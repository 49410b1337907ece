/**
 * Preloaded (`node --import`) into the process that runs the Lambda asset.
 * It plays Cognito's key endpoint: global `fetch` of exactly the configured
 * JWKS URL answers with the configured key set, as
 * https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json
 * would. Every other fetch, and every socket to a non-loopback host, is
 * refused and reported on stderr, so the test notices if the bundle reaches
 * for a network it would not have or a service it was not meant to call.
 * The configuration sits next to this file (network-guard.json), not in the
 * environment, so the function sees only the variables the template gives it.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** @type {{ jwksUrl: string, jwks: unknown }} */
const config = JSON.parse(readFileSync(new URL('./network-guard.json', import.meta.url), 'utf8'));
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** @param {string} what */
function refuse(what) {
  process.stderr.write(`[network-guard] refused ${what}\n`);
  return new TypeError(`fetch failed: network-guard refused ${what}`);
}

/**
 * @param {string | URL | Request} input
 * @param {RequestInit} [init]
 */
globalThis.fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (url === config.jwksUrl && method === 'GET') {
    process.stderr.write(`[network-guard] served ${url}\n`);
    return new Response(JSON.stringify(config.jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  throw refuse(`fetch ${method} ${url}`);
};

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
