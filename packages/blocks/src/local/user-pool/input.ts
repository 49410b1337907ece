import { CognitoError, invalidParameter } from './errors.js';
import { isJsonObject, type JsonObject } from '../../core/safe-json.js';

/**
 * Readers for request fields. Like the real service, a field of the wrong
 * JSON type is a `SerializationException` and a missing or out-of-range one
 * an `InvalidParameterException`, so malformed bodies never reach handlers.
 */

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function wrongType(field: string): CognitoError {
  return new CognitoError('SerializationException', `Unexpected type for field '${lowerFirst(field)}'`);
}

function missing(field: string): CognitoError {
  return invalidParameter(
    `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
  );
}

function tooLong(field: string, max: number): CognitoError {
  return invalidParameter(
    `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  );
}

function optionalString(body: JsonObject, field: string, max = 2048): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field);
  if (value.length > max) throw tooLong(field, max);
  return value;
}

export function requireString(body: JsonObject, field: string, max = 2048): string {
  const value = optionalString(body, field, max);
  if (value === undefined || value.length === 0) throw missing(field);
  return value;
}

/** A map of string to string, e.g. `AuthParameters` or `ChallengeResponses`. */
export function requireStringMap(body: JsonObject, field: string): Record<string, string> {
  const value = body[field];
  if (value === undefined || value === null) throw missing(field);
  if (!isJsonObject(value)) throw wrongType(field);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw wrongType(`${field}.${key}`);
    if (entry.length > 4096) throw tooLong(`${field}.${key}`, 4096);
    out[key] = entry;
  }
  return out;
}

export interface AttributeInput {
  Name: string;
  Value: string;
}

/** Cognito's `[{ Name, Value }]` list; undefined when absent. */
export function optionalAttributeList(body: JsonObject, field: string): AttributeInput[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(field);
  if (value.length > 100) throw invalidParameter(`Too many attributes in '${lowerFirst(field)}'`);
  return value.map((item: unknown) => {
    if (!isJsonObject(item)) throw wrongType(field);
    const name = item.Name;
    const attributeValue = item.Value ?? '';
    if (typeof name !== 'string' || typeof attributeValue !== 'string') throw wrongType(field);
    if (name.length === 0 || name.length > 32) throw invalidParameter(`Invalid attribute name: ${name.slice(0, 40)}`);
    if (attributeValue.length > 2048) throw tooLong(`${field}.Value`, 2048);
    return { Name: name, Value: attributeValue };
  });
}

export function requireStringList(body: JsonObject, field: string): string[] {
  const value = body[field];
  if (value === undefined || value === null) throw missing(field);
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw wrongType(field);
  }
  if (value.length > 100) throw invalidParameter(`Too many entries in '${lowerFirst(field)}'`);
  return value;
}
