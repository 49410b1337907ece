/**
 * JSON that crosses a trust boundary (request bodies, token payloads, files a
 * developer may have edited) is parsed here, and only here: standard JSON,
 * bounded nesting, and none of the keys that lead to an object's prototype
 * when the value is merged into another object (`__proto__` becomes a real
 * own key under JSON.parse; `constructor.prototype` reaches Object.prototype
 * through a naive deep merge).
 */

/** Deeper JSON is refused: code (and validators) often recurse over parsed values. */
const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a text was refused; callers turn it into their own protocol's error. */
export class UnsafeJsonError extends Error {
  override name = 'UnsafeJsonError';
  constructor(
    readonly reason: 'syntax' | 'depth' | 'key',
    message: string,
  ) {
    super(message);
  }
}

/** Parses `text` or throws an `UnsafeJsonError` saying why not. */
export function parseSafeJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnsafeJsonError('syntax', 'not valid JSON');
  }
  assertSafeShape(value);
  return value;
}

/** Like `parseSafeJson`, but `undefined` for anything refused (for files and tokens, where the reason does not matter). */
export function safeJsonParse(text: string): unknown {
  try {
    return parseSafeJson(text);
  } catch {
    return undefined;
  }
}

// Iterative so that hostile nesting cannot overflow the stack while checking.
function assertSafeShape(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw new UnsafeJsonError('depth', `JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError('key', `the key "${key}" is not allowed`);
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
}
