/**
 * The one rule for what a log may show of a call: used by the console's
 * request log and by the terminal's `[rpc-in]`/`[rpc-out]` lines, so the two
 * can never disagree about what is secret.
 *
 * Secret are: values under a key that names a credential (passwords, tokens,
 * cookies, `Authorization`, secrets, API keys), any string shaped like a JWT
 * wherever it appears, and any value the Blocks report as secret (a secret
 * setting's value), wherever it appears inside a string.
 */

export const REDACTED = '[redacted]';

// Matched against the key with `-` and `_` removed, lower case.
const SECRET_KEY = /(password|passwd|passphrase|secret|token|authorization|cookie|apikey|privatekey|credential|signature)/;
// header.payload.signature, each base64url; the header of a JWT starts `eyJ` (`{"`).
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// Depth and breadth limits: a log line never walks an unbounded structure.
const MAX_DEPTH = 12;
const MAX_ENTRIES = 200;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/[-_\s]/g, '').toLowerCase());
}

export interface Redactor {
  /** A JSON-safe copy of `value` with every secret replaced by `[redacted]`. */
  (value: unknown): unknown;
}

/** A redactor that also hides each of `secrets` (values shorter than 4 characters are ignored: too many false hits). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const known = [...new Set(secrets.filter((secret) => secret.length >= 4))].sort((a, b) => b.length - a.length);
  const redactString = (text: string): string => {
    let out = text.replace(JWT, REDACTED);
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
    }
    if (depth >= MAX_DEPTH) return '[…]';
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ENTRIES).map((item) => walk(item, depth + 1));
      if (value.length > MAX_ENTRIES) items.push(`[… ${value.length - MAX_ENTRIES} more]`);
      return items;
    }
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of Object.entries(value)) {
      if (count++ >= MAX_ENTRIES) {
        out['…'] = 'more keys omitted';
        break;
      }
      out[key] = isSecretKey(key) && item !== null && item !== undefined && item !== '' ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };
  return (value) => walk(value, 0);
}

/** Header names worth showing in a log, with the credential-bearing ones redacted. */
export function redactHeaders(headers: Headers, redact: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = isSecretKey(name) ? REDACTED : String(redact(value));
  return out;
}
