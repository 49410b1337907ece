/**
 * The session cookie's value: `<session id>.<signature>`. The id is 256
 * random bits; the signature (HMAC-SHA256) lets a forged or truncated cookie
 * be refused without a database read. The store only ever sees a SHA-256 of
 * the id, so a leaked table cannot be replayed as cookies.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ID_BYTES = 32;
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

function signature(sessionId: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`session:${sessionId}`).digest();
}

export function signSessionId(sessionId: string, key: Uint8Array): string {
  return `${sessionId}.${signature(sessionId, key).toString('base64url')}`;
}

/** The session id inside a genuine cookie value, or undefined for anything else. */
export function verifySessionCookie(value: string | undefined, key: Uint8Array): string | undefined {
  if (value === undefined) return undefined;
  const [sessionId, mac, extra] = value.split('.');
  if (extra !== undefined || sessionId === undefined || mac === undefined) return undefined;
  if (!B64URL_32.test(sessionId) || !B64URL_32.test(mac)) return undefined;
  const expected = signature(sessionId, key);
  const actual = Buffer.from(mac, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? sessionId : undefined;
}

/** Where the session lives in the store: a digest, never the id itself. */
export function sessionStoreKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}
