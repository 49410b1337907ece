/**
 * blocks-kit under the `aws-runtime` condition (the deployed Lambda): the
 * same names as the local entry, with KVStore backed by DynamoDB.
 */
export * from './common.js';
export { KVStore } from './kv/kv-store.aws.js';
