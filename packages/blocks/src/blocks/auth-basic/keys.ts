/**
 * One secret per AuthBasic (a local key file, or a Secrets Manager secret in
 * the cloud), stretched with HKDF into a separate key per use, so a key that
 * signs cookies is never also the key that hides codes.
 */
import { hkdfSync } from 'node:crypto';

export interface AuthKeys {
  /** HMAC-SHA256 key for the session cookie's signature. */
  readonly cookie: Buffer;
  /** HMAC-SHA256 key for stored one-time codes (a 6-digit code hashed without a key falls to brute force). */
  readonly code: Buffer;
}

/** Fewer bytes than this cannot be a generated secret: refuse rather than sign with it. */
export const MIN_SECRET_BYTES = 32;

export function deriveKeys(secret: Uint8Array): AuthKeys {
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`AuthBasic session key is too short (${secret.byteLength} bytes; at least ${MIN_SECRET_BYTES} needed).`);
  }
  const derive = (use: string): Buffer => Buffer.from(hkdfSync('sha256', secret, new Uint8Array(), `blocks-kit/auth-basic/${use}/v1`, 32));
  return { cookie: derive('cookie'), code: derive('code') };
}
