/**
 * A method's declared validator (withInput's Standard Schema) → the JSON
 * Schema of the input it accepts. Preferred over the TypeScript type because
 * it carries the constraints (lengths, patterns, ranges, defaults).
 */
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { inputSchema } from '../core/input.js';
import { isJsonObject, toJsonValue, type JsonSchema } from './json.js';

export type InputSchemaResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'schema'; readonly schema: JsonSchema }
  | { readonly kind: 'unconvertible'; readonly reason: string };

/** The validator withInput attached to a method, if any. */
function declaredValidator(method: unknown): StandardSchemaV1 | undefined {
  if (typeof method !== 'function') return undefined;
  const schema = (method as unknown as Record<symbol, unknown>)[inputSchema];
  return isStandardSchema(schema) ? schema : undefined;
}

export async function validatorJsonSchema(method: unknown): Promise<InputSchemaResult> {
  const validator = declaredValidator(method);
  if (!validator) return { kind: 'none' };
  const props = validator['~standard'] as StandardSchemaV1.Props & Partial<StandardJSONSchemaV1.Props>;
  const reasons: string[] = [];
  // The Standard JSON Schema interface (zod ≥ 4.2, valibot, arktype...).
  if (props.jsonSchema) {
    try {
      return accept(props.jsonSchema.input({ target: 'draft-07' }));
    } catch (error) {
      reasons.push(messageOf(error));
    }
  }
  // Earlier zod 4 releases only have the library function.
  if (props.vendor === 'zod') {
    try {
      const converted = await zodToJsonSchema(validator);
      if (converted) return accept(converted);
    } catch (error) {
      reasons.push(messageOf(error));
    }
  }
  return {
    kind: 'unconvertible',
    reason: reasons.length > 0 ? [...new Set(reasons)].join('; ') : `no JSON Schema converter for "${props.vendor}" validators`,
  };
}

function accept(raw: unknown): InputSchemaResult {
  const value = toJsonValue(raw);
  if (!isJsonObject(value)) return { kind: 'unconvertible', reason: 'converter returned a non-object schema' };
  const { $schema: _schema, $id: _id, ...schema } = value;
  // Local definitions (`#/definitions/…`, `#/$defs/…`) would dangle once the
  // schema is embedded in the spec; the TypeScript type describes it instead.
  if (JSON.stringify(schema).includes('"$ref":"#')) {
    return { kind: 'unconvertible', reason: 'recursive validators (local $ref) are not embedded' };
  }
  return { kind: 'schema', schema };
}

async function zodToJsonSchema(validator: StandardSchemaV1): Promise<unknown> {
  // A variable specifier: the kit has no dependency on zod; the app does.
  const specifier = 'zod';
  const zod: unknown = await import(specifier);
  const convert = isJsonObjectLike(zod) ? zod.toJSONSchema : undefined;
  if (typeof convert !== 'function') return undefined;
  return (convert as (schema: unknown, options: unknown) => unknown)(validator, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'throw',
  });
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    isJsonObjectLike((value as Record<string, unknown>)['~standard'])
  );
}

function isJsonObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
