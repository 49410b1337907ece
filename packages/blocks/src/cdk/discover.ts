import { isApiNamespace } from '../core/api-namespace.js';
import type { Scope, ScopedResource } from '../core/scope.js';

export interface DiscoveredStore {
  readonly scopeName: string;
  readonly id: string;
}

/** An AuthBasic, which needs a session key secret. */
export interface DiscoveredAuthBasic {
  readonly scopeName: string;
  readonly id: string;
}

export interface DiscoveredApp {
  /** Export names of the ApiNamespaces: the API's callable namespaces. */
  readonly namespaces: string[];
  /** Every KVStore declared in a scope the app uses, in declaration order (AuthBasic's own included). */
  readonly stores: DiscoveredStore[];
  /** Every AuthBasic declared in those scopes. */
  readonly authBasics: DiscoveredAuthBasic[];
}

function isScope(value: unknown): value is Scope {
  return typeof value === 'object' && value !== null && (value as Partial<Scope>).resources instanceof Map;
}

/**
 * What the app module declares, as read at synthesis: its exported
 * namespaces, and the KVStores in the scopes those namespaces (or exported
 * scopes) belong to.
 */
export function discoverApp(appModule: Readonly<Record<string, unknown>>): DiscoveredApp {
  const namespaces: string[] = [];
  const scopes = new Set<Scope>();
  for (const [exportName, value] of Object.entries(appModule)) {
    if (isApiNamespace(value)) {
      namespaces.push(exportName);
      scopes.add(value.scope);
    } else if (isScope(value)) {
      scopes.add(value);
    }
  }
  const stores: DiscoveredStore[] = [];
  const authBasics: DiscoveredAuthBasic[] = [];
  for (const scope of scopes) {
    for (const resource of scope.resources.values() as Iterable<ScopedResource>) {
      if (resource.kind === 'KVStore') stores.push({ scopeName: scope.name, id: resource.id });
      if (resource.kind === 'AuthBasic') authBasics.push({ scopeName: scope.name, id: resource.id });
    }
  }
  return { namespaces, stores, authBasics };
}

/** The key createBlocksBackend and the runtime agree on for BLOCKS_KV_TABLES. */
export const storeKey = (store: DiscoveredStore): string => `${store.scopeName}/${store.id}`;
