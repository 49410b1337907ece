/**
 * The DynamoDB layout of a KVStore table, shared by the CDK construct that
 * creates the tables and the runtime store that reads and writes them. This
 * module must stay free of AWS SDK and CDK imports: both sides load it.
 *
 * One item per key:
 *   pk  (S) partition key: `partitionOf(key)`
 *   sk  (S) sort key: the full key
 *   val (S) the value as JSON text, exactly as `serializeValue` produced it
 *   ver (N) the version, 1 on creation and +1 per write
 *   ttl (N) epoch seconds after which the item is gone (the table's TTL attribute)
 */
import { defineBinding } from '../../core/binding.js';

export const KV_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'ttl',
  value: 'val',
  version: 'ver',
} as const;

/** Each store's table name, bound by the `cdk` variant and read by the `aws-runtime` one. */
export const KV_TABLE_BINDING = defineBinding('KVStore', 'BLOCKS_KV_TABLES', 'DynamoDB table name');

/**
 * Optional endpoint URL for every KVStore's DynamoDB client, e.g.
 * `http://127.0.0.1:8000` for DynamoDB Local or dynalite in tests. Unset in
 * Lambda, where the regional endpoint is used.
 */
export const KV_DYNAMODB_ENDPOINT_ENV = 'BLOCKS_DYNAMODB_ENDPOINT';

/**
 * The partition a key (or a list prefix) lives in: the text before the first
 * '/', or the whole key when it has none. So every `<user>/<id>` key of one
 * user shares a partition and a `<user>/` listing is a single Query.
 *
 * A key starting with '/' has an empty first segment, which DynamoDB rejects
 * as a key value; those keys share the partition '/'. No other key maps to
 * '/', because a key without '/' is its own partition.
 */
export function partitionOf(key: string): string {
  const slash = key.indexOf('/');
  if (slash === -1) return key;
  return slash === 0 ? '/' : key.slice(0, slash);
}

/** Whether every key starting with `prefix` is in one partition, so a listing can be a Query. */
export function isPartitionedPrefix(prefix: string): boolean {
  return prefix.includes('/');
}
