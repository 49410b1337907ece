/**
 * blocks-kit, local implementation (the default export condition): KV stores
 * are files under .blocks-data/, so the app runs with no AWS account.
 * The `cdk` condition selects index.cdk.ts (synthesis); `aws-runtime`
 * selects the Lambda implementation. Application code imports the same names.
 */
export * from './common.js';
export { KVStore } from './kv/kv-store.js';
