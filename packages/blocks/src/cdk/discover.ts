import { isApiNamespace } from '../core/api-namespace.js';
import type { Scope, ScopedResource } from '../core/scope.js';

export interface DiscoveredApp {
  /** Export names of the ApiNamespaces: the API's callable namespaces. */
  readonly namespaces: string[];
  /**
   * Everything declared in a scope the app uses, in declaration order: the
   * Blocks the backend provisions (a Block's own Blocks, such as AuthBasic's
   * stores, included) and the namespaces themselves.
   */
  readonly resources: ScopedResource[];
}

function isScope(value: unknown): value is Scope {
  return typeof value === 'object' && value !== null && (value as Partial<Scope>).resources instanceof Map;
}

/**
 * What the app module declares, as read at synthesis: its exported
 * namespaces, and every resource in the scopes those namespaces (or exported
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
  const resources = [...scopes].flatMap((scope) => [...scope.resources.values()]);
  return { namespaces, resources };
}
