/**
 * blocks.spec.json: the app's API as an OpenRPC 1.3 document. Methods and
 * their validators come from the loaded app module (what the dispatcher will
 * really call); types, auth and errors from its TypeScript source.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { rpcCodeForStatus, RpcCode } from '../core/errors.js';
import { readAppModule } from '../core/app-module.js';
import { API_PATH, DEFAULT_MAX_BODY_BYTES } from '../rpc/protocol.js';
import { HeaderMap } from '../rpc/header-map.js';
import { createRequestContext } from '../rpc/request-context.js';
import { loadAppSource, SpecSourceError, type AppSource, type SourceMethod } from './app-source.js';
import { canonicalJson, compareCodeUnits, isJsonObject, type JsonObject, type JsonSchema, type JsonValue } from './json.js';
import { SPEC_MARKER_VALUE } from './generated-files.js';
import { analyseMethod } from './method-analysis.js';
import {
  OPENRPC_VERSION,
  type ContentDescriptor,
  type ErrorObject,
  type MethodObject,
  type OpenRpcDocument,
} from './openrpc-types.js';
import { validatorJsonSchema } from './standard-schema.js';
import { TypeSchemas } from './ts-schema.js';

export interface BuildSpecOptions {
  /** The app module, e.g. `aws-blocks/index.ts`. */
  readonly appFile: string;
  /** Defaults to the name and version in the app's package.json. */
  readonly info?: { readonly title: string; readonly version: string };
}

export interface BuiltSpec {
  readonly document: OpenRpcDocument;
  /** Things described less precisely than declared (e.g. a validator with no JSON Schema converter). */
  readonly warnings: readonly string[];
}

/** Where `npm run blocks:dev` serves the API: the server variable's default. */
const LOCAL_API_URL = `http://127.0.0.1:3001${API_PATH}`;

/** The JSON Template Language expression OpenRPC resolves against amplify_outputs.json. */
const OUTPUTS_URL_VARIABLE = 'custom.blocks_api_url';

// Mirrors the dispatcher: names that never resolve to a method.
const UNCALLABLE = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype', 'then']);

const PROTOCOL_ERRORS: readonly ErrorObject[] = [
  { code: RpcCode.ParseError, message: 'Parse error', data: { status: 400, name: 'ParseError' } },
  { code: RpcCode.InvalidRequest, message: 'Invalid request', data: { status: 400, name: 'InvalidRequestError' } },
  { code: RpcCode.MethodNotFound, message: 'Method not found', data: { status: 404, name: 'MethodNotFoundError' } },
  { code: RpcCode.InvalidParams, message: 'Invalid params', data: { status: 400, name: 'InvalidParamsError' } },
  { code: RpcCode.InternalError, message: 'Internal error', data: { status: 500, name: 'InternalError' } },
];

const STATUS_ERRORS: Readonly<Record<number, { readonly message: string; readonly name: string }>> = {
  400: { message: 'Bad request', name: 'BadRequestError' },
  401: { message: 'Unauthorized', name: 'UnauthorizedError' },
  403: { message: 'Forbidden', name: 'ForbiddenError' },
  404: { message: 'Not found', name: 'NotFoundError' },
  409: { message: 'Conflict', name: 'ConflictError' },
  413: { message: 'Payload too large', name: 'PayloadTooLargeError' },
};

export async function buildSpec(options: BuildSpecOptions): Promise<BuiltSpec> {
  const appFile = path.resolve(options.appFile);
  const appModule = (await import(pathToFileURL(appFile).href)) as Readonly<Record<string, unknown>>;
  const source = loadAppSource(appFile);
  const schemas = new TypeSchemas(source.checker, source.isOwn);
  const warnings: string[] = [];
  const methods: MethodObject[] = [];

  const runtime = [...readAppModule(appModule).namespaces].sort(([a], [b]) => compareCodeUnits(a, b));
  for (const [exportName, namespace] of runtime) {
    const { context } = createRequestContext('blocks-spec', `${exportName}.*`, new HeaderMap());
    const implementations: object = namespace.methodsFor(context);
    const names = Object.keys(implementations)
      .filter((name) => !UNCALLABLE.has(name) && typeof (implementations as Record<string, unknown>)[name] === 'function')
      .sort(compareCodeUnits);
    for (const name of names) {
      const rpcName = `${exportName}.${name}`;
      const sourceMethod = source.namespaces.get(exportName)?.get(name);
      if (!sourceMethod) {
        throw new SpecSourceError(`${rpcName}: exists at run time but its type is not visible in ${appFile}`);
      }
      const implementation = (implementations as Record<string, unknown>)[name];
      methods.push(await describeMethod(rpcName, exportName, implementation, sourceMethod, source, schemas, warnings));
    }
  }

  const components: Record<string, JsonSchema> = {};
  for (const name of [...schemas.components.keys()].sort(compareCodeUnits)) {
    components[name] = schemas.components.get(name) as JsonSchema;
  }
  const document: OpenRpcDocument = {
    openrpc: OPENRPC_VERSION,
    'x-generated-by': SPEC_MARKER_VALUE,
    info: { ...(options.info ?? (await packageInfo(appFile))), description: infoDescription() },
    servers: [
      {
        name: 'blocks',
        url: `\${${OUTPUTS_URL_VARIABLE}}`,
        summary: 'The Blocks API endpoint',
        description:
          'One JSON-RPC 2.0 call per HTTP POST. The URL is `custom.blocks_api_url` in amplify_outputs.json ' +
          '(`npm run sandbox` or an Amplify Hosting deploy writes it); locally, `npm run blocks:dev` serves the default.',
        variables: {
          [OUTPUTS_URL_VARIABLE]: {
            default: LOCAL_API_URL,
            description: 'custom.blocks_api_url from amplify_outputs.json',
          },
        },
        'x-transport': {
          httpMethod: 'POST',
          path: API_PATH,
          contentType: 'application/json',
          batch: false,
          maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
          errorStatus: 'the HTTP status is the error class; error.data.status repeats it',
        },
        'x-auth': {
          scheme: 'bearer',
          header: 'Authorization',
          token: 'the Amplify (Cognito) ID token: fetchAuthSession().tokens.idToken',
          methods: 'a method that needs it says so in its x-auth: none, cognito, or cognito:group:<name>',
        },
      },
    ],
    methods,
    components: { schemas: components },
  };
  return { document, warnings };
}

async function describeMethod(
  rpcName: string,
  exportName: string,
  implementation: unknown,
  method: SourceMethod,
  source: AppSource,
  schemas: TypeSchemas,
  warnings: string[],
): Promise<MethodObject> {
  const site = method.declaration;
  const declared = await validatorJsonSchema(implementation);
  if (declared.kind === 'unconvertible') {
    warnings.push(`${rpcName}: params described from the TypeScript type (${declared.reason})`);
  }
  const { params, paramStructure } = describeParams(
    rpcName,
    method.signature,
    declared.kind === 'schema' ? declared.schema : undefined,
    source.checker,
    schemas,
    site,
  );
  const awaited = source.checker.getAwaitedType(method.signature.getReturnType()) ?? method.signature.getReturnType();
  const facts = analyseMethod(source.checker, method.declaration, source.isOwn);
  return {
    name: rpcName,
    ...(method.description !== undefined && { description: method.description }),
    tags: [{ name: exportName }],
    paramStructure,
    params,
    result: { name: 'result', schema: schemas.resultSchema(awaited, site), required: true },
    errors: errorsFor(facts.statuses),
    'x-auth': facts.auth,
  };
}

/**
 * One object parameter (withInput's, or a single object-typed argument) is
 * described by name: callers send `params: { ... }`. Anything else is
 * positional: `params: [a, b]`.
 */
function describeParams(
  rpcName: string,
  signature: ts.Signature,
  declared: JsonSchema | undefined,
  checker: ts.TypeChecker,
  schemas: TypeSchemas,
  site: ts.Node,
): { params: ContentDescriptor[]; paramStructure: 'by-name' | 'by-position' } {
  const positional: ContentDescriptor[] = [];
  for (const parameter of signature.getParameters()) {
    const declaration = parameter.valueDeclaration;
    if (declaration && ts.isParameter(declaration) && declaration.dotDotDotToken) {
      throw new SpecSourceError(`${rpcName}: rest parameters cannot be described; take an array or an object`);
    }
    const described = schemas.valueSchema(checker.getTypeOfSymbolAtLocation(parameter, site), site);
    const optional =
      (declaration !== undefined && ts.isParameter(declaration) && checker.isOptionalParameter(declaration)) ||
      (described?.optional ?? true);
    positional.push({ name: parameter.name, schema: described?.schema ?? {}, required: !optional });
  }
  if (declared && positional.length === 1) {
    positional[0] = { ...(positional[0] as ContentDescriptor), schema: declared };
  }
  const only = positional.length === 1 ? positional[0] : undefined;
  const named = only && objectProperties(only.schema, schemas.components);
  if (named) return { params: named, paramStructure: 'by-name' };
  return { params: positional, paramStructure: 'by-position' };
}

/** An object schema's properties as by-name params, required ones first (OpenRPC asks for that order). */
function objectProperties(schema: JsonSchema, components: ReadonlyMap<string, JsonSchema>): ContentDescriptor[] | undefined {
  const ref = schema.$ref;
  const target = typeof ref === 'string' ? components.get(ref.replace('#/components/schemas/', '')) : schema;
  if (!target || target.type !== 'object' || !isJsonObject(target.properties)) return undefined;
  if (isJsonObject(target.additionalProperties)) return undefined;
  const entries = Object.entries(target.properties);
  if (entries.length === 0) return undefined;
  const required = new Set(Array.isArray(target.required) ? target.required : []);
  const params = entries.map(([name, value]): ContentDescriptor => {
    const property: JsonObject = isJsonObject(value) ? value : {};
    const description = typeof property.description === 'string' ? property.description : undefined;
    return { name, schema: property, required: required.has(name), ...(description !== undefined && { description }) };
  });
  return [...params.filter((p) => p.required), ...params.filter((p) => !p.required)];
}

function errorsFor(statuses: ReadonlySet<number>): ErrorObject[] {
  const errors = new Map<number, ErrorObject>(PROTOCOL_ERRORS.map((error) => [error.code, error]));
  for (const status of statuses) {
    const code = rpcCodeForStatus(status);
    if (errors.has(code)) continue;
    const known = STATUS_ERRORS[status];
    errors.set(code, {
      code,
      message: known?.message ?? `HTTP ${status}`,
      data: { status, name: known?.name ?? 'ApiError' },
    });
  }
  return [...errors.values()].sort((a, b) => a.code - b.code);
}

async function packageInfo(appFile: string): Promise<{ title: string; version: string }> {
  try {
    const pkg: unknown = JSON.parse(await readFile(path.join(path.dirname(appFile), 'package.json'), 'utf8'));
    if (isJsonObject(pkg as JsonValue)) {
      const { name, version } = pkg as JsonObject;
      if (typeof name === 'string' && typeof version === 'string') return { title: name, version };
    }
  } catch {
    // No package.json beside the app: fall back to the file name.
  }
  return { title: path.basename(path.dirname(appFile)), version: '0.0.0' };
}

function infoDescription(): string {
  return (
    'Generated by blocks-kit from the app module; do not edit. Regenerate with `npm run blocks:generate-client`. ' +
    'Every method is `exportName.method`; `x-auth` says which token it needs, and each error lists its HTTP status in `data.status`.'
  );
}

export function serializeSpec(document: OpenRpcDocument): string {
  return canonicalJson(document as unknown as JsonValue);
}
