/** Test helpers for apps built on blocks-kit: tokens from a local JWKS, and RPC calls. */
export * from './jwks-fixture.js';
/** The AWS issuer a deployed verifier derives from a pool id: what tokens for `JwksFixture.cognitoHttpsGet` must carry. */
export { cognitoIssuer } from '../auth/cognito-verifier.js';
export * from './rpc.js';
export { createDispatcher, type Dispatcher } from '../rpc/dispatcher.js';
export * from './kill-storm.js';
export * from './free-port.js';
export * from './kit-variant.js';
export * from './http-api-event.js';
export { createRouter, type Router } from '../rpc/router.js';
