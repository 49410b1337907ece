/**
 * What AuthBasic needs from the variant it runs in: where its stores live,
 * where its session key comes from, and whether plain-http localhost is a
 * thing. Each variant entry (index.ts, index.aws.ts, index.cdk.ts) passes
 * its own to the shared class, the way each KVStore variant opens its own
 * store.
 */
import type { Scope } from '../../core/scope.js';
import type { KVStoreApi } from '../kv-store/types.js';

/** Resolves to the AuthBasic's secret (at least 32 bytes); called once, then cached. */
export type SessionKeySource = () => Promise<Uint8Array>;

export interface AuthBasicRuntime {
  /** Only the local variant lets a session cookie go without Secure (plain-http localhost). */
  readonly allowInsecureLocalhost: boolean;
  /** A KVStore declared in `scope`, which makes it a table when deployed. */
  createStore<T>(scope: Scope, id: string): KVStoreApi<T>;
  sessionKey(scope: Scope, id: string): SessionKeySource;
}
