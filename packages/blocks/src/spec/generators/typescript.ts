/**
 * A standalone TypeScript client: `fetch` only, no dependency on blocks-kit,
 * for consumers that cannot import the app's types (other repos, Node
 * scripts, non-Vite bundlers). The Vite frontend keeps using blocks-kit/client.
 */
import { generatedHeader } from '../generated-files.js';
import { describeMethod, type ClientModel, type FieldModel, type MethodModel, type StructModel, type TypeRef } from './model.js';
import { commentLines, stringLiteral } from './naming.js';

export function generateTypeScript(model: ClientModel): string {
  const out: string[] = [generatedHeader(), ''];
  out.push(
    ...docBlock(
      `${model.title} ${model.version}: a typed client for the Blocks API (JSON-RPC 2.0 over fetch).\n\n` +
        'const client = createBlocksClient({\n' +
        '  url: outputs.custom.blocks_api_url,\n' +
        '  tokenProvider: async () => (await fetchAuthSession()).tokens?.idToken?.toString(),\n' +
        '});',
      '',
    ),
  );
  out.push(...runtimeTypes(model.defaultUrl));
  for (const struct of model.structs) out.push('', ...structDeclaration(struct));
  for (const namespace of model.namespaces) {
    for (const method of namespace.methods) {
      if (method.paramStructure === 'by-name') {
        out.push('', ...fieldsInterface(method.paramsTypeName, `Params of \`${method.rpcName}\`.`, method.params));
      }
    }
  }
  out.push('', 'export interface BlocksClient {');
  for (const namespace of model.namespaces) {
    out.push(`  readonly ${propertyName(namespace.identifier)}: {`);
    for (const method of namespace.methods) {
      out.push(...docBlock(methodDoc(method), '    '));
      out.push(`    ${propertyName(method.identifier)}(${parameterList(method)}): Promise<${resultType(method)}>;`);
    }
    out.push('  };');
  }
  out.push('}', '');
  out.push(...clientFactory(model));
  out.push('', ...uploadHelper());
  return `${out.join('\n')}\n`;
}

function runtimeTypes(defaultUrl: string): string[] {
  return [
    '',
    '/** Where `npm run blocks:dev` serves the API; pass `custom.blocks_api_url` from amplify_outputs.json instead. */',
    `export const DEFAULT_URL = ${stringLiteral(defaultUrl, 'typescript')};`,
    '',
    '/** Returns the Amplify ID token, or nothing when signed out; sent as `Authorization: Bearer <token>`. */',
    'export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;',
    '',
    'export interface BlocksClientOptions {',
    '  /** `custom.blocks_api_url` from amplify_outputs.json; defaults to DEFAULT_URL. */',
    '  readonly url?: string;',
    '  readonly tokenProvider?: TokenProvider;',
    '  /** Extra headers for every call. */',
    '  readonly headers?: Readonly<Record<string, string>>;',
    '  readonly fetch?: typeof fetch;',
    '}',
    '',
    '/** An error answer from the Blocks API. */',
    'export class BlocksApiError extends Error {',
    '  /** HTTP status: 400 bad input, 401 sign-in needed, 403 not allowed, 404, 409 conflict, 5xx; the error class. */',
    '  readonly status: number;',
    '  /** JSON-RPC error code (e.g. -32602 invalid params, -32001 unauthorized); 0 when the answer was not JSON-RPC. */',
    '  readonly code: number;',
    '  /** `error.data` as sent: `{ status, name, details?, requestId? }`. */',
    '  readonly data: unknown;',
    '',
    '  constructor(message: string, status: number, code: number, data: unknown) {',
    '    super(message);',
    "    this.name = 'BlocksApiError';",
    '    this.status = status;',
    '    this.code = code;',
    '    this.data = data;',
    '  }',
    '',
    "  /** The server's error class, e.g. `ConflictError`. */",
    '  get errorName(): string | undefined {',
    "    return typeof this.#field('name') === 'string' ? (this.#field('name') as string) : undefined;",
    '  }',
    '',
    '  /** What the Block attached, e.g. validation issues (`{ issues: [{ path, message }] }`). */',
    '  get details(): unknown {',
    "    return this.#field('details');",
    '  }',
    '',
    '  /** Only on server errors: quote it when reporting a bug. */',
    '  get requestId(): string | undefined {',
    "    return typeof this.#field('requestId') === 'string' ? (this.#field('requestId') as string) : undefined;",
    '  }',
    '',
    '  #field(key: string): unknown {',
    "    return typeof this.data === 'object' && this.data !== null ? (this.data as Record<string, unknown>)[key] : undefined;",
    '  }',
    '}',
  ];
}

/** Every client can upload to a FileBucket's presigned POST, whatever the app's methods are called. */
function uploadHelper(): string[] {
  return [
    "/** A FileBucket's presigned upload, as an app's upload-URL method returns it. */",
    'export interface PresignedPost {',
    '  readonly url: string;',
    '  readonly fields: Readonly<Record<string, string>>;',
    '}',
    '',
    '/**',
    " * Uploads `file` to a FileBucket's presigned POST: straight to storage, not through the API.",
    " * A root-relative `url` (the local dev server's) resolves against the API URL.",
    ' */',
    'export async function uploadToPresignedPost(',
    '  upload: PresignedPost,',
    '  file: Blob,',
    "  options: Pick<BlocksClientOptions, 'url' | 'fetch'> = {},",
    '): Promise<void> {',
    '  const form = new FormData();',
    '  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);',
    "  // Last: storage ignores fields after the file.",
    "  form.append('file', file);",
    '  const target = new URL(upload.url, options.url ?? DEFAULT_URL);',
    "  const response = await (options.fetch ?? globalThis.fetch)(target, { method: 'POST', body: form });",
    '  if (!response.ok) {',
    '    const text = await response.text();',
    '    throw new BlocksApiError(`Storage refused the upload (HTTP ${response.status}): ${text}`, response.status, 0, undefined);',
    '  }',
    '}',
  ];
}

function clientFactory(model: ClientModel): string[] {
  const out = [
    'export function createBlocksClient(options: BlocksClientOptions = {}): BlocksClient {',
    '  const url = options.url ?? DEFAULT_URL;',
    '  let nextId = 1;',
    '',
    '  async function call<T>(method: string, params: object): Promise<T> {',
    "    const headers = new Headers(options.headers);",
    "    headers.set('content-type', 'application/json');",
    "    headers.set('accept', 'application/json');",
    '    const token = await options.tokenProvider?.();',
    "    if (token) headers.set('authorization', `Bearer ${token}`);",
    "    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });",
    "    const response = await (options.fetch ?? globalThis.fetch)(url, { method: 'POST', headers, body });",
    '    let message: unknown;',
    '    try {',
    '      message = await response.json();',
    '    } catch {',
    '      throw unexpected(response.status);',
    '    }',
    "    if (typeof message !== 'object' || message === null) throw unexpected(response.status);",
    '    const { error } = message as { error?: { code?: unknown; message?: unknown; data?: unknown } };',
    "    if (typeof error === 'object' && error !== null) {",
    '      throw new BlocksApiError(',
    "        typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,",
    '        response.status,',
    "        typeof error.code === 'number' ? error.code : 0,",
    '        error.data,',
    '      );',
    '    }',
    "    if (!response.ok || !('result' in message)) throw unexpected(response.status);",
    '    return (message as { result: T }).result;',
    '  }',
    '',
    '  return {',
  ];
  for (const namespace of model.namespaces) {
    out.push(`    ${propertyName(namespace.identifier)}: {`);
    for (const method of namespace.methods) out.push(`      ${methodImplementation(method)},`);
    out.push('    },');
  }
  out.push(
    '  };',
    '}',
    '',
    '// Gateways and proxies can answer with their own bodies (e.g. a 502 page).',
    'function unexpected(status: number): BlocksApiError {',
    '  return new BlocksApiError(`Unexpected response from the Blocks API (HTTP ${status})`, status, 0, undefined);',
    '}',
  );
  const usesPositional = model.namespaces.some((namespace) =>
    namespace.methods.some((method) => method.paramStructure === 'by-position'),
  );
  if (usesPositional) {
    out.push(
      '',
      '// Trailing absent arguments are left out, so the server applies its defaults.',
      'function positional(...args: unknown[]): unknown[] {',
      '  let end = args.length;',
      '  while (end > 0 && args[end - 1] === undefined) end--;',
      '  return args.slice(0, end).map((arg) => arg ?? null);',
      '}',
    );
  }
  return out;
}

function methodImplementation(method: MethodModel): string {
  const name = propertyName(method.identifier);
  const call = `call<${resultType(method)}>(${stringLiteral(method.rpcName, 'typescript')}`;
  if (method.paramStructure === 'by-name') {
    const optional = method.params.every((param) => !param.required);
    return `${name}: (params${optional ? ` = {}` : ''}) => ${call}, params)`;
  }
  const args = method.params.map((param) => safeIdentifier(param.identifier));
  return `${name}: (${args.join(', ')}) => ${call}, positional(${args.join(', ')}))`;
}

function parameterList(method: MethodModel): string {
  if (method.paramStructure === 'by-name') {
    const optional = method.params.every((param) => !param.required);
    return `params${optional ? '?' : ''}: ${method.paramsTypeName}`;
  }
  return method.params
    .map((param) => `${safeIdentifier(param.identifier)}${param.required ? '' : '?'}: ${typeOf(param.type)}`)
    .join(', ');
}

function resultType(method: MethodModel): string {
  return method.result ? typeOf(method.result) : 'null';
}

function structDeclaration(struct: StructModel): string[] {
  return fieldsInterface(struct.name, struct.description, struct.fields);
}

function fieldsInterface(name: string, description: string | undefined, fields: readonly FieldModel[]): string[] {
  const out = [...docBlock(description, ''), `export interface ${name} {`];
  for (const field of fields) {
    out.push(...docBlock(field.description, '  '));
    out.push(`  ${propertyName(field.jsonName)}${field.required ? '' : '?'}: ${typeOf(field.type)};`);
  }
  out.push('}');
  return out;
}

function typeOf(type: TypeRef): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'json':
      return 'unknown';
    case 'struct':
      return type.name;
    case 'array': {
      const items = typeOf(type.items);
      return /^[A-Za-z0-9_]+$/.test(items) ? `${items}[]` : `Array<${items}>`;
    }
    case 'map':
      return `Record<string, ${typeOf(type.values)}>`;
    case 'nullable':
      return `${typeOf(type.inner)} | null`;
  }
}

function methodDoc(method: MethodModel): string {
  return describeMethod(method, (http) => `Errors (HTTP): ${http}, plus the protocol's.`);
}

function docBlock(text: string | undefined, indent: string): string[] {
  const lines = commentLines(text);
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`];
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : stringLiteral(name, 'typescript');
}

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
);

function safeIdentifier(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}
