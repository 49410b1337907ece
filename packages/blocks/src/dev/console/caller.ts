/**
 * Who made a call, for the log only: the claims of the Bearer token, read
 * without checking the signature. Nothing is decided from this (the Blocks'
 * own verifier decides); a forged token just shows the name it claims, next
 * to the 401 the call got.
 */
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
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (claims === null || typeof claims !== 'object') return ANONYMOUS;
    const { sub, email } = claims as Record<string, unknown>;
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 320 ? value : undefined);
    const caller = { sub: text(sub), email: text(email) };
    return { ...(caller.sub && { sub: caller.sub }), ...(caller.email && { email: caller.email }), label: caller.email ?? caller.sub ?? 'anonymous' };
  } catch {
    return ANONYMOUS;
  }
}
