/**
 * blocks-kit under the `cdk` condition (CDK synthesis, e.g. `npm run sandbox`):
 * the same names as the local entry, with KVStore as a table declaration.
 */
export * from './common.js';
export { KVStore } from './kv/kv-store.cdk.js';
