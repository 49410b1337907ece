/**
 * blocks.spec.json → a small, language-neutral model of the client to
 * generate: named record types, and methods grouped by namespace. Every
 * generator prints this model, so all four clients agree on names and shapes.
 * It reads only the spec (never TypeScript), so a spec from elsewhere works.
 */
import { compareCodeUnits, isJsonObject, type JsonObject, type JsonSchema, type JsonValue } from '../json.js';
import { camelIdentifier, pascalCase, uniqueIdentifiers } from './naming.js';

export type TypeRef =
  | { readonly kind: 'string' | 'integer' | 'number' | 'boolean' | 'json' }
  | { readonly kind: 'array'; readonly items: TypeRef }
  | { readonly kind: 'map'; readonly values: TypeRef }
  | { readonly kind: 'struct'; readonly name: string }
  | { readonly kind: 'nullable'; readonly inner: TypeRef };

export interface FieldModel {
  /** The name on the wire. */
  readonly jsonName: string;
  /** A camelCase identifier, unique within its struct or method; generators still escape keywords. */
  readonly identifier: string;
  readonly type: TypeRef;
  /** Must be sent / is always present. Optional fields may be left out. */
  readonly required: boolean;
  readonly description: string | undefined;
}

export interface StructModel {
  readonly name: string;
  readonly description: string | undefined;
  readonly fields: readonly FieldModel[];
}

export interface ErrorModel {
  readonly code: number;
  readonly message: string;
  readonly status: number | undefined;
}

export interface MethodModel {
  /** `exportName.method`, sent as the JSON-RPC method. */
  readonly rpcName: string;
  readonly identifier: string;
  readonly description: string | undefined;
  readonly auth: string;
  /** by-name: `params` is an object of the fields; by-position: an array in field order. */
  readonly paramStructure: 'by-name' | 'by-position';
  /** A free type name for a by-name method's params object (`NotesCreateParams`), for languages that declare one. */
  readonly paramsTypeName: string;
  readonly params: readonly FieldModel[];
  /** `undefined` when the method answers `null` (a `void` method). */
  readonly result: TypeRef | undefined;
  readonly errors: readonly ErrorModel[];
}

export interface NamespaceModel {
  readonly jsonName: string;
  /** camelCase property name on the client. */
  readonly identifier: string;
  /** PascalCase, for the namespace's own type. */
  readonly typeName: string;
  readonly methods: readonly MethodModel[];
}

export interface ClientModel {
  readonly title: string;
  readonly version: string;
  /** The server variable's default: the local `blocks:dev` URL. */
  readonly defaultUrl: string;
  readonly structs: readonly StructModel[];
  readonly namespaces: readonly NamespaceModel[];
}

class SpecFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecFormatError';
  }
}

/**
 * Type names a generated client defines or relies on (in any of the four
 * languages); a spec type of the same name is renamed everywhere, so all
 * clients keep agreeing on names.
 */
const RESERVED_TYPE_NAMES = (
  'BlocksClient BlocksClientOptions BlocksApiError BlocksApiException BlocksJson TokenProvider JSONValue ' +
  'AnyEncodable DynamicKey NamedParams PositionalParams RequestEnvelope ErrorBody ResponseHead ResultEnvelope ' +
  'RequestIds Error Result Data URL URLSession Date String Int Double Bool Any Object List Map Set Array Record ' +
  'Promise Exception Future Long Boolean Number Function Type Unit Nothing Sendable Codable Encodable Decodable ' +
  'JSONObject JSONArray Uri Iterable Duration Response Request'
).split(' ');

export function buildClientModel(spec: unknown): ClientModel {
  if (!isJsonObject(spec as JsonValue)) throw new SpecFormatError('The spec is not a JSON object');
  const document = spec as JsonObject;
  const info = objectAt(document, 'info');
  const components = isJsonObject(document.components) ? document.components : {};
  const schemas = isJsonObject(components.schemas) ? components.schemas : {};
  const methods = Array.isArray(document.methods) ? document.methods : [];
  const namespaceNames = [...new Set(methods.map((method) => splitName(method).namespace))].sort(compareCodeUnits);
  const reserved = [...RESERVED_TYPE_NAMES, ...namespaceNames.map((name) => `${pascalCase(name)}Api`)];
  const types = new StructTable(schemas, reserved);

  const byNamespace = new Map<string, MethodModel[]>();
  for (const method of methods) {
    const { namespace, name, rpcName } = splitName(method);
    const entry = method as JsonObject;
    const context = pascalCase(namespace) + pascalCase(name);
    const params = (Array.isArray(entry.params) ? entry.params : []).map((param, index): FieldModel => {
      const descriptor = isJsonObject(param) ? param : {};
      const jsonName = typeof descriptor.name === 'string' ? descriptor.name : `arg${index}`;
      const schema = isJsonObject(descriptor.schema) ? descriptor.schema : {};
      return {
        jsonName,
        identifier: '',
        type: types.typeOf(schema, context + pascalCase(jsonName)),
        required: descriptor.required === true,
        description: stringAt(descriptor, 'description') ?? stringAt(schema, 'description'),
      };
    });
    const identifiers = uniqueIdentifiers(
      params.map((param) => param.jsonName),
      camelIdentifier,
    );
    const resultSchema = isJsonObject(entry.result) && isJsonObject(entry.result.schema) ? entry.result.schema : {};
    const methodModel: MethodModel = {
      rpcName,
      identifier: camelIdentifier(name),
      description: stringAt(entry, 'description'),
      auth: stringAt(entry, 'x-auth') ?? 'none',
      paramStructure: entry.paramStructure === 'by-name' ? 'by-name' : 'by-position',
      paramsTypeName: types.claim(`${context}Params`),
      params: params.map((param) => ({ ...param, identifier: identifiers.get(param.jsonName) ?? param.jsonName })),
      result: resultSchema.type === 'null' ? undefined : types.typeOf(resultSchema, `${context}Result`),
      errors: (Array.isArray(entry.errors) ? entry.errors : []).filter(isJsonObject).map((error) => ({
        code: typeof error.code === 'number' ? error.code : 0,
        message: stringAt(error, 'message') ?? '',
        status: isJsonObject(error.data) && typeof error.data.status === 'number' ? error.data.status : undefined,
      })),
    };
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), methodModel]);
  }

  const namespaceIdentifiers = uniqueIdentifiers(namespaceNames, camelIdentifier);
  return {
    title: stringAt(info, 'title') ?? 'Blocks API',
    version: stringAt(info, 'version') ?? '0.0.0',
    defaultUrl: defaultUrlOf(document),
    structs: types.structs(),
    namespaces: namespaceNames.map((jsonName) => ({
      jsonName,
      identifier: namespaceIdentifiers.get(jsonName) ?? jsonName,
      typeName: `${pascalCase(jsonName)}Api`,
      methods: (byNamespace.get(jsonName) ?? []).sort((a, b) => compareCodeUnits(a.rpcName, b.rpcName)),
    })),
  };
}

/** Named record types: one per object-shaped component, plus one per inline object (named after where it sits). */
class StructTable {
  readonly #schemas: JsonObject;
  readonly #structs = new Map<string, StructModel>();
  readonly #componentNames = new Map<string, string>();
  readonly #used: Set<string>;

  constructor(schemas: JsonObject, reserved: readonly string[]) {
    this.#schemas = schemas;
    this.#used = new Set(reserved);
    // Components first, in a fixed order, so their names never depend on which method mentions them first.
    for (const name of Object.keys(schemas).sort(compareCodeUnits)) {
      const schema = schemas[name];
      if (isJsonObject(schema) && hasProperties(schema)) this.#componentNames.set(name, this.claim(pascalCase(name)));
    }
    for (const [name, typeName] of this.#componentNames) this.#define(typeName, schemas[name] as JsonSchema);
  }

  structs(): StructModel[] {
    return [...this.#structs.values()].sort((a, b) => compareCodeUnits(a.name, b.name));
  }

  typeOf(schema: JsonSchema, context: string, seen: ReadonlySet<string> = new Set()): TypeRef {
    const ref = schema.$ref;
    if (typeof ref === 'string') {
      const name = ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : undefined;
      const typeName = name === undefined ? undefined : this.#componentNames.get(name);
      if (typeName) return { kind: 'struct', name: typeName };
      const target = name === undefined ? undefined : this.#schemas[name];
      // A component that is not a record (an alias of a string, a union...) is inlined.
      if (name !== undefined && isJsonObject(target) && !seen.has(name)) {
        return this.typeOf(target, pascalCase(name), new Set([...seen, name]));
      }
      return { kind: 'json' };
    }
    const union = [schema.anyOf, schema.oneOf].find(Array.isArray) ?? typeUnion(schema);
    if (union) return this.#union(union.filter(isJsonObject), context, seen);
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isJsonObject(schema.allOf[0])) {
      return this.typeOf(schema.allOf[0], context, seen);
    }
    switch (primitiveType(schema)) {
      case 'string':
        return { kind: 'string' };
      case 'integer':
        return { kind: 'integer' };
      case 'number':
        return { kind: 'number' };
      case 'boolean':
        return { kind: 'boolean' };
      case 'array':
        if (isJsonObject(schema.items)) return { kind: 'array', items: this.typeOf(schema.items, `${context}Item`, seen) };
        return { kind: 'array', items: { kind: 'json' } };
      case 'object': {
        if (hasProperties(schema)) {
          const name = this.claim(context);
          this.#define(name, schema);
          return { kind: 'struct', name };
        }
        const values = isJsonObject(schema.additionalProperties)
          ? this.typeOf(schema.additionalProperties, `${context}Value`, seen)
          : ({ kind: 'json' } as const);
        return { kind: 'map', values };
      }
      default:
        return { kind: 'json' };
    }
  }

  #union(members: readonly JsonObject[], context: string, seen: ReadonlySet<string>): TypeRef {
    const nullable = members.some((member) => member.type === 'null');
    const rest = members.filter((member) => member.type !== 'null');
    const types = rest.map((member, index) => this.typeOf(member, rest.length === 1 ? context : `${context}${index + 1}`, seen));
    const [first] = types;
    // One shape (or several literals of one primitive type): that type; anything else stays untyped JSON.
    const single = first && types.every((type) => sameType(type, first)) ? first : { kind: 'json' as const };
    return nullable && single.kind !== 'json' ? { kind: 'nullable', inner: single } : single;
  }

  #define(name: string, schema: JsonSchema): void {
    this.#structs.set(name, { name, description: stringAt(schema, 'description'), fields: [] });
    const properties = isJsonObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const jsonNames = Object.keys(properties).sort(compareCodeUnits);
    const identifiers = uniqueIdentifiers(jsonNames, camelIdentifier);
    const fields = jsonNames.map((jsonName): FieldModel => {
      const property = properties[jsonName];
      const propertySchema = isJsonObject(property) ? property : {};
      return {
        jsonName,
        identifier: identifiers.get(jsonName) ?? jsonName,
        type: this.typeOf(propertySchema, name + pascalCase(jsonName)),
        required: required.has(jsonName),
        description: stringAt(propertySchema, 'description'),
      };
    });
    this.#structs.set(name, { name, description: stringAt(schema, 'description'), fields });
  }

  claim(base: string): string {
    let name = base;
    for (let n = 2; this.#used.has(name); n++) name = `${base}${n}`;
    this.#used.add(name);
    return name;
  }
}

function hasProperties(schema: JsonSchema): boolean {
  return (
    primitiveType(schema) === 'object' && isJsonObject(schema.properties) && Object.keys(schema.properties).length > 0
  );
}

/** `type`, or what `const` / `enum` imply when `type` is absent. */
function primitiveType(schema: JsonSchema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  const sample = 'const' in schema ? schema.const : Array.isArray(schema.enum) ? schema.enum[0] : undefined;
  if (typeof sample === 'string') return 'string';
  if (typeof sample === 'boolean') return 'boolean';
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'integer' : 'number';
  if (isJsonObject(schema.properties)) return 'object';
  return undefined;
}

/** `type: ['string', 'null']` as the equivalent anyOf. */
function typeUnion(schema: JsonSchema): JsonObject[] | undefined {
  if (!Array.isArray(schema.type)) return undefined;
  const { type, ...rest } = schema;
  return type.filter((t): t is string => typeof t === 'string').map((t) => ({ ...rest, type: t }));
}

function sameType(a: TypeRef, b: TypeRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function splitName(method: JsonValue): { namespace: string; name: string; rpcName: string } {
  const rpcName = isJsonObject(method) && typeof method.name === 'string' ? method.name : '';
  const dot = rpcName.indexOf('.');
  if (dot <= 0 || dot === rpcName.length - 1) {
    throw new SpecFormatError(`Method "${rpcName}" is not named exportName.method`);
  }
  return { namespace: rpcName.slice(0, dot), name: rpcName.slice(dot + 1), rpcName };
}

function defaultUrlOf(document: JsonObject): string {
  const [server] = Array.isArray(document.servers) ? document.servers : [];
  if (!isJsonObject(server)) return '';
  const variables = isJsonObject(server.variables) ? server.variables : {};
  const url = typeof server.url === 'string' ? server.url : '';
  return url.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    const variable = variables[name];
    return isJsonObject(variable) && typeof variable.default === 'string' ? variable.default : '';
  });
}

function objectAt(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  return isJsonObject(value) ? value : {};
}

function stringAt(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A method's doc comment: its description, wire name and auth, then the
 * HTTP statuses it may fail with beyond the protocol's, in the sentence each
 * language phrases them with (`errors` gets e.g. "401, 409").
 */
export function describeMethod(method: MethodModel, errors: (http: string) => string): string {
  const lines = [method.description, `\`${method.rpcName}\`; auth: ${method.auth}.`];
  const statuses = method.errors.flatMap((error) => (error.status !== undefined && error.code > -32600 ? [error.status] : []));
  if (statuses.length > 0) lines.push(errors([...new Set(statuses)].sort((a, b) => a - b).join(', ')));
  return lines.filter((line): line is string => line !== undefined).join('\n');
}
