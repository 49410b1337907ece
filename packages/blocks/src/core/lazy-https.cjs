// @ts-check
/**
 * Stands in for Node's `https` module in the Lambda bundle, where bundled
 * code imports it by its bare name: cdk/lambda-bundling.ts aliases `https`
 * here. aws-jwt-verify's Node layer imports `request` from it statically,
 * which would load https (with tls, net and http: ~1.5 ms of every cold
 * start) although the kit never lets the library fetch (it passes its own
 * fetcher, auth/jwks-fetcher.ts) and a deployed function starts with its key
 * set in the environment.
 *
 * Every export of node:https is here, each a getter that loads the real
 * module when it is first read, so any dependency an app adds gets https
 * whole, however it imports it: `import https from 'https'`, `import * as`,
 * `import { Agent }`, `require('https')`, `class extends https.Agent`.
 *
 * CommonJS on purpose: esbuild reads an ES module's exports once, at load,
 * but a CommonJS module's properties where the code uses them, so only here
 * can a getter wait for first use.
 */
'use strict';

/** node:https's exports (lazy-https.test.ts compares them with the running Node's). */
const EXPORTS = ['Agent', 'globalAgent', 'Server', 'createServer', 'get', 'request'];

/** @returns {Record<string, unknown>} */
const https = () => /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (process.getBuiltinModule('node:https')));

for (const name of EXPORTS) {
  Object.defineProperty(module.exports, name, {
    enumerable: true,
    get: () => https()[name],
    set: (value) => {
      https()[name] = value;
    },
  });
}
