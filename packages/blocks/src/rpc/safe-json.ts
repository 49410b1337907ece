import { InvalidRequestError, ParseError } from '../core/errors.js';

/** Deeper JSON is refused: Block code (and validators) often recurse over params. */
export const MAX_JSON_DEPTH = 64;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses a request body that came from the network: strict UTF-8, standard
 * JSON, bounded nesting, and no `__proto__` keys (which `Object.assign` and
 * naive merges would turn into prototype writes).
 */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new ParseError('Parse error: body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ParseError('Parse error: body is not valid JSON');
  }
  assertSafeShape(value);
  return value;
}

// Iterative so that hostile nesting cannot overflow the stack while checking.
function assertSafeShape(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new InvalidRequestError(`Invalid request: JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') {
        throw new InvalidRequestError('Invalid request: the key "__proto__" is not allowed');
      }
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
}
