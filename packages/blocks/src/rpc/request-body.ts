/** A JSON-RPC request body as bytes → a value, with the protocol's error for each way it can be refused. */
import { InvalidRequestError, ParseError } from '../core/errors.js';
import { parseSafeJson, UnsafeJsonError } from '../core/safe-json.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new ParseError('Parse error: body is not valid UTF-8');
  }
  try {
    return parseSafeJson(text);
  } catch (error) {
    if (!(error instanceof UnsafeJsonError)) throw error;
    if (error.reason === 'syntax') throw new ParseError('Parse error: body is not valid JSON');
    throw new InvalidRequestError(`Invalid request: ${error.message}`);
  }
}
