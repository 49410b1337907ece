/**
 * What AuthBasic needs from the runtime it runs in: where its stores live,
 * where its session key comes from, and whether plain-http localhost is a
 * thing. Each entry of the kit (index.ts, index.aws.ts, index.cdk.ts)
 * installs its own, the way each exports its own KVStore; the AuthBasic
 * class itself is the same everywhere.
 */
import type { Scope } from '../core/scope.js';
import type { KVStoreApi } from '../kv/types.js';

/** Resolves to the AuthBasic's secret (at least 32 bytes); called once, then cached. */
export type SessionKeySource = () => Promise<Uint8Array>;

export interface AuthBasicRuntime {
  /** The export condition that installed it, for error messages. */
  readonly name: 'local' | 'aws-runtime' | 'cdk';
  /** Only the local runtime lets a session cookie go without Secure (plain-http localhost). */
  readonly allowInsecureLocalhost: boolean;
  /** A KVStore declared in `scope`, which makes it a table when deployed. */
  createStore<T>(scope: Scope, id: string): KVStoreApi<T>;
  sessionKey(scope: Scope, id: string): SessionKeySource;
}

let installed: AuthBasicRuntime | undefined;
const seen = new Set<string>();

export function installAuthBasicRuntime(runtime: AuthBasicRuntime): void {
  installed = runtime;
  seen.add(runtime.name);
}

export function authBasicRuntime(): AuthBasicRuntime {
  // Two entries sharing this module (a test importing both the local and the
  // aws-runtime entry) would otherwise leave AuthBasic on whichever came last.
  if (seen.size > 1) {
    throw new Error(
      `blocks-kit was loaded under more than one condition (${[...seen].join(', ')}) in one module graph, so AuthBasic ` +
        'cannot tell which stores to use; pass options.overrides.stores and overrides.sessionKey explicitly.',
    );
  }
  if (installed === undefined) {
    throw new Error('AuthBasic has no runtime: import it from "blocks-kit" (not from a file inside the kit).');
  }
  return installed;
}
