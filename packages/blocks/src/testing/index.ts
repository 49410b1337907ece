/** Test helpers for apps built on blocks-kit: tokens from a local JWKS, and RPC calls. */
export * from './jwks-fixture.js';
export * from './rpc.js';
export { createDispatcher, type Dispatcher } from '../rpc/dispatcher.js';
export * from './kill-storm.js';
export * from './free-port.js';
export * from './kit-variant.js';
