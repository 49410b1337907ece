/**
 * JSON that crosses a trust boundary (request bodies, token payloads, files a
 * developer may have edited) is parsed here, refusing keys that could reach
 * an object's prototype when merged elsewhere.
 */

export type JsonObject = { [key: string]: unknown };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON; undefined when it is not valid JSON or holds a forbidden key. */
export function safeJsonParse(text: string): unknown {
  let forbidden = false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) forbidden = true;
      return value;
    });
  } catch {
    return undefined;
  }
  return forbidden ? undefined : parsed;
}
