/**
 * TypeScript type → JSON Schema (draft-07), describing the value as it
 * travels: after `JSON.stringify`. Dates become strings, functions and
 * `undefined` properties vanish, `undefined` results arrive as `null` — the
 * same rules the typed browser client's `Jsonified<T>` encodes.
 */
import ts from 'typescript';
import { compareCodeUnits, type JsonObject, type JsonSchema, type JsonValue } from './json.js';

const MAX_DEPTH = 64;

const PRIMITIVE =
  ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike;

class SpecTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecTypeError';
  }
}

/**
 * Builds schemas for one program. Named types declared in the app's own code
 * become `#/components/schemas/<Name>` references, so a type used by several
 * methods is described once and recursive types terminate.
 */
export class TypeSchemas {
  readonly components = new Map<string, JsonSchema>();
  readonly #names = new Map<ts.Type, string>();
  readonly #checker: ts.TypeChecker;
  readonly #isOwnDeclaration: (declaration: ts.Declaration) => boolean;

  constructor(checker: ts.TypeChecker, isOwnDeclaration: (declaration: ts.Declaration) => boolean) {
    this.#checker = checker;
    this.#isOwnDeclaration = isOwnDeclaration;
  }

  /** A method result: `undefined`/`void` is sent as `null`. */
  resultSchema(type: ts.Type, site: ts.Node): JsonSchema {
    return this.#fromMembers(membersOf(type), site, 0) ?? { type: 'null' };
  }

  /** A parameter or property: `undefined` means "may be left out", reported separately. */
  valueSchema(type: ts.Type, site: ts.Node): { schema: JsonSchema; optional: boolean } | undefined {
    const members = membersOf(type);
    const present = members.filter((member) => !isUndefinedLike(member));
    if (present.length === 0) return undefined;
    const schema = this.#fromMembers(present, site, 0);
    return schema && { schema, optional: present.length < members.length };
  }

  #fromMembers(members: readonly ts.Type[], site: ts.Node, depth: number): JsonSchema | undefined {
    if (depth > MAX_DEPTH) throw new SpecTypeError('Type is nested too deeply to describe in JSON Schema');
    let nullable = false;
    let sawTrue = false;
    let sawFalse = false;
    const strings: string[] = [];
    const numbers: number[] = [];
    const others: ts.Type[] = [];
    for (const member of members) {
      const flags = member.flags;
      if (flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) nullable = true;
      else if (flags & ts.TypeFlags.BooleanLiteral) {
        if (this.#checker.typeToString(member) === 'true') sawTrue = true;
        else sawFalse = true;
      } else if (member.isStringLiteral()) strings.push(member.value);
      else if (member.isNumberLiteral()) numbers.push(member.value);
      else others.push(member);
    }
    const variants: JsonSchema[] = [];
    if (sawTrue && sawFalse) variants.push({ type: 'boolean' });
    else if (sawTrue || sawFalse) variants.push({ type: 'boolean', const: sawTrue });
    if (strings.length > 0) variants.push(literals('string', strings.sort(compareCodeUnits)));
    if (numbers.length > 0) {
      variants.push(literals(numbers.every(Number.isInteger) ? 'integer' : 'number', numbers.sort((a, b) => a - b)));
    }
    for (const member of others) {
      const schema = this.#single(member, site, depth + 1);
      if (schema) variants.push(schema);
      else nullable = true;
    }
    if (nullable && variants.length === 0) return members.every(isUndefinedLike) ? undefined : { type: 'null' };
    return anyOf(sortedUnique(variants), nullable);
  }

  /** A schema for a non-union type, or `undefined` when JSON drops the value (functions, symbols). */
  #single(type: ts.Type, site: ts.Node, depth: number): JsonSchema | undefined {
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.Never) return { not: {} };
    if (flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) {
      return { type: 'string' };
    }
    if (flags & ts.TypeFlags.Number) return { type: 'number' };
    if (flags & ts.TypeFlags.BigIntLike) {
      throw new SpecTypeError('bigint is not JSON-serialisable; convert it to a string or number');
    }
    if (flags & (ts.TypeFlags.ESSymbolLike | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return undefined;
    if (type.isUnion()) return this.#fromMembers(type.types, site, depth);
    if (type.isIntersection()) {
      // A branded primitive (`string & { __brand: 'Id' }`) travels as the primitive.
      const primitive = type.types.find((member) => member.flags & PRIMITIVE);
      if (primitive) return this.#single(primitive, site, depth + 1);
    }
    if (flags & ts.TypeFlags.TypeParameter) {
      const constraint = this.#checker.getBaseConstraintOfType(type);
      return constraint && constraint !== type ? this.#nested(constraint, site, depth) : {};
    }
    if (!(flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection | ts.TypeFlags.NonPrimitive))) return {};
    return this.#object(type, site, depth);
  }

  /** A value inside an array or a `toJSON` result: JSON writes a vanished value as `null`. */
  #nested(type: ts.Type, site: ts.Node, depth: number): JsonSchema {
    return this.#fromMembers(membersOf(type), site, depth + 1) ?? { type: 'null' };
  }

  #object(type: ts.Type, site: ts.Node, depth: number): JsonSchema | undefined {
    const checker = this.#checker;
    const toJson = checker.getPropertyOfType(type, 'toJSON');
    if (toJson) {
      const signature = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(toJson, site), ts.SignatureKind.Call)[0];
      if (signature) {
        const schema = this.#nested(signature.getReturnType(), site, depth);
        return isGlobalDate(type) ? { ...schema, format: 'date-time' } : schema;
      }
    }
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      // JSON turns holes, functions and undefined inside arrays into null.
      return { type: 'array', items: item ? this.#nested(item, site, depth) : {} };
    }
    if (checker.isTupleType(type)) {
      const items = checker.getTypeArguments(type as ts.TypeReference).map((item) => this.#nested(item, site, depth));
      return { type: 'array', items, minItems: items.length, maxItems: items.length, additionalItems: false };
    }
    if (checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0) return undefined;
    const name = this.#componentName(type);
    if (name === undefined) return this.#properties(type, site, depth);
    let assigned = this.#names.get(type);
    if (assigned === undefined) {
      assigned = this.#uniqueName(name);
      this.#names.set(type, assigned);
      this.components.set(assigned, {}); // reserve first: the type may refer to itself
      const schema = this.#properties(type, site, depth);
      const description = docsOf((type.aliasSymbol ?? type.getSymbol())?.getDocumentationComment(checker));
      this.components.set(assigned, description ? { ...schema, description } : schema);
    }
    return { $ref: `#/components/schemas/${assigned}` };
  }

  #properties(type: ts.Type, site: ts.Node, depth: number): JsonSchema {
    const checker = this.#checker;
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const property of checker.getPropertiesOfType(type)) {
      if (property.name.startsWith('__@')) continue; // symbol-keyed: not in JSON
      const propertyType = checker.getTypeOfSymbolAtLocation(property, site);
      const members = membersOf(propertyType);
      const present = members.filter((member) => !isUndefinedLike(member));
      const schema = present.length > 0 ? this.#fromMembers(present, site, depth + 1) : undefined;
      if (!schema) continue;
      const description = docsOf(property.getDocumentationComment(checker));
      // Siblings of `$ref` are ignored by draft-07, so a description there would mislead.
      properties[property.name] = description && !('$ref' in schema) ? { ...schema, description } : schema;
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0 || present.length < members.length;
      if (!optional) required.push(property.name);
    }
    const schema: JsonObject = { type: 'object' };
    const stringIndex = checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    if (Object.keys(properties).length > 0 || !stringIndex) schema.properties = properties;
    if (required.length > 0) schema.required = required.sort(compareCodeUnits);
    if (stringIndex) {
      const values = membersOf(stringIndex.type).filter((member) => !isUndefinedLike(member));
      schema.additionalProperties = this.#fromMembers(values, site, depth + 1) ?? {};
    }
    return schema;
  }

  /** Named only when declared in the app's own code: `Omit<…>`, `Record<…>` and friends stay inline. */
  #componentName(type: ts.Type): string | undefined {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const declaration = symbol?.declarations?.[0];
    if (!symbol || !declaration || symbol.name.startsWith('__') || !this.#isOwnDeclaration(declaration)) return undefined;
    const typeArguments = type.aliasSymbol
      ? (type.aliasTypeArguments ?? [])
      : (type.flags & ts.TypeFlags.Object) !== 0 && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) !== 0
        ? this.#checker.getTypeArguments(type as ts.TypeReference)
        : [];
    const suffix = typeArguments.map((argument) => this.#checker.typeToString(argument).replace(/[^A-Za-z0-9]/g, ''));
    return [symbol.name, ...suffix].join('');
  }

  #uniqueName(base: string): string {
    let name = base;
    for (let n = 2; this.components.has(name); n++) name = `${base}${n}`;
    return name;
  }
}

function membersOf(type: ts.Type): readonly ts.Type[] {
  // `boolean` is itself the union `true | false`; keep it whole.
  return type.isUnion() && !(type.flags & ts.TypeFlags.Boolean) ? type.types : [type];
}

function isUndefinedLike(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0;
}

function isGlobalDate(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return symbol?.name === 'Date' && (symbol.declarations ?? []).some((d) => d.getSourceFile().hasNoDefaultLib);
}

function literals(type: 'string' | 'number' | 'integer', values: readonly (string | number)[]): JsonSchema {
  return values.length === 1 ? { type, const: values[0] as JsonValue } : { type, enum: [...values] };
}

function anyOf(variants: readonly JsonSchema[], nullable: boolean): JsonSchema {
  const all = nullable ? [...variants, { type: 'null' }] : [...variants];
  if (all.length === 1) return all[0] as JsonSchema;
  return { anyOf: all };
}

// TypeScript orders union members by internal type id, which shifts as the
// program changes; sorting keeps the spec stable across unrelated edits.
function sortedUnique(schemas: readonly JsonSchema[]): JsonSchema[] {
  const byText = new Map<string, JsonSchema>();
  for (const schema of schemas) byText.set(JSON.stringify(schema), schema);
  return [...byText.keys()].sort(compareCodeUnits).map((text) => byText.get(text) as JsonSchema);
}

export function docsOf(parts: readonly ts.SymbolDisplayPart[] | undefined): string | undefined {
  const text = ts.displayPartsToString(parts ? [...parts] : []).trim();
  return text.length > 0 ? text : undefined;
}
