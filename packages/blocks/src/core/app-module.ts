/**
 * What an app module (aws-blocks/index.ts) declares, read the same way by
 * every part of the kit that needs it: the dispatcher (its callable
 * namespaces), the router (routes Blocks serve) and the CDK backend (the
 * Blocks to provision).
 */
import { isApiNamespace, type ApiNamespace } from './api-namespace.js';
import type { Scope, ScopedResource } from './scope.js';

export interface AppDeclarations {
  /** The API: each exported ApiNamespace by its export name. */
  readonly namespaces: ReadonlyMap<string, ApiNamespace>;
  /**
   * Everything declared in a scope the app uses (the scopes of its exported
   * namespaces, and exported scopes), in declaration order: the app's Blocks,
   * the Blocks those declare (AuthBasic's stores), and the namespaces.
   */
  readonly resources: readonly ScopedResource[];
}

function isScope(value: unknown): value is Scope {
  return typeof value === 'object' && value !== null && (value as Partial<Scope>).resources instanceof Map;
}

export function readAppModule(appModule: Readonly<Record<string, unknown>>): AppDeclarations {
  const namespaces = new Map<string, ApiNamespace>();
  const scopes = new Set<Scope>();
  for (const [exportName, value] of Object.entries(appModule)) {
    if (isApiNamespace(value)) {
      namespaces.set(exportName, value);
      scopes.add(value.scope);
    } else if (isScope(value)) {
      scopes.add(value);
    }
  }
  const resources = [...scopes].flatMap((scope) => [...scope.resources.values()]);
  return { namespaces, resources };
}
