/**
 * Who made a call, for the log only: the claims of the Bearer token, read
 * without checking the signature. Nothing is decided from this (the Blocks'
 * own verifier decides); a forged token just shows the name it claims, next
 * to the 401 the call got.
 */
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';

export interface Caller {
  readonly sub?: string;
  readonly email?: string;
  /** What the log shows: the email, else the sub, else `anonymous`. */
  readonly label: string;
}

export const ANONYMOUS: Caller = { label: 'anonymous' };

export function callerOf(headers: Headers): Caller {
  const match = /^Bearer\s+([^\s]+)$/i.exec(headers.get('authorization') ?? '');
  const payload = match?.[1]?.split('.')[1];
  if (!payload) return headers.has('cookie') ? { label: 'cookie session' } : ANONYMOUS;
  const claims = safeJsonParse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!isJsonObject(claims)) return ANONYMOUS;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 320 ? value : undefined);
  const sub = text(claims.sub);
  const email = text(claims.email);
  return { ...(sub && { sub }), ...(email && { email }), label: email ?? sub ?? 'anonymous' };
}
