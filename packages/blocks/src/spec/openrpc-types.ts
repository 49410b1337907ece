/** The subset of OpenRPC 1.3 that blocks.spec.json uses, plus its `x-` extensions. */
import type { JsonSchema, JsonValue } from './json.js';

export const OPENRPC_VERSION = '1.3.2';

/** `none`, `cognito` (any signed-in user) or `cognito:group:<name>` (comma-separated when several). */
export type AuthRequirement = 'none' | 'cognito' | `cognito:group:${string}`;

export interface ContentDescriptor {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required?: boolean;
  readonly description?: string;
}

/** `data` mirrors the wire: every error answer carries `{ status, name }` in `error.data`. */
export interface ErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: { readonly status: number; readonly name: string };
}

export interface MethodObject {
  /** `exportName.method`, as sent in the JSON-RPC `method` field. */
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly { readonly name: string }[];
  readonly paramStructure: 'by-name' | 'by-position';
  readonly params: readonly ContentDescriptor[];
  readonly result: ContentDescriptor;
  readonly errors: readonly ErrorObject[];
  readonly 'x-auth': AuthRequirement;
}

export interface ServerObject {
  readonly name: string;
  readonly url: string;
  readonly summary?: string;
  readonly description?: string;
  readonly variables?: Readonly<Record<string, { readonly default: string; readonly description?: string }>>;
  readonly [extension: `x-${string}`]: JsonValue | undefined;
}

export interface OpenRpcDocument {
  readonly openrpc: string;
  /** Marks the file as generated, so the generator may replace it (JSON has no comments). */
  readonly 'x-generated-by': string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly servers: readonly ServerObject[];
  readonly methods: readonly MethodObject[];
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}
