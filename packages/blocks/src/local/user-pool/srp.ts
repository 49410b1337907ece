import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Server side of Cognito's SRP-6a variant, byte-compatible with the
 * `aws-amplify` client. The quirks that matter (all verified against the
 * unmodified client; tests/integration and amplify.integration.test.ts hold them):
 * - every big number is hashed in Java `BigInteger.toByteArray` form
 *   (`padHex`), including the salt, which the client re-pads after reading
 *   it as a number;
 * - the identity hashed into `x` is the pool name (the part of the pool id
 *   after `_`) followed by `USER_ID_FOR_SRP`, not the sign-in alias;
 * - the session key is HKDF-SHA256 with info "Caldera Derived Key", 16 bytes.
 */

/** RFC 5054 / RFC 3526 3072-bit MODP prime, as used by Cognito and Amplify. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
/** Byte length of N; verifiers are compared at this fixed width. */
export const N_BYTES = N_HEX.length / 2;

const HKDF_INFO = 'Caldera Derived Key';
const HEX_RE = /^[0-9a-fA-F]+$/;

/**
 * Hex of a non-negative integer as Java's `BigInteger.toByteArray` would
 * produce it: even length, with a `00` byte in front when the top bit is set.
 */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/** Parses untrusted hex (any length, any case); undefined when not hex. */
export function parseHex(hex: string, maxChars = 2048): bigint | undefined {
  if (hex.length === 0 || hex.length > maxChars || !HEX_RE.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  if (b < 0n) b += modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** SHA-256 over the bytes a hex string spells, as a number. */
function hashHexToBigInt(hex: string): bigint {
  return BigInt(`0x${sha256(Buffer.from(hex, 'hex')).toString('hex')}`);
}

/** The SRP-6a multiplier k = H(PAD(N) | PAD(g)). */
export const k = hashHexToBigInt(padHex(N) + padHex(g));

export function randomBigInt(bytes: number): bigint {
  return BigInt(`0x${randomBytes(bytes).toString('hex')}`);
}

/** A fresh 128-bit salt, as Cognito uses. */
export function newSalt(): bigint {
  return randomBigInt(16);
}

/** Private key x = H(PAD(salt) | H(poolName | userId | ":" | password)). */
export function computeX(poolName: string, userIdForSrp: string, password: string, salt: bigint): bigint {
  const identityHash = sha256(`${poolName}${userIdForSrp}:${password}`).toString('hex');
  return hashHexToBigInt(padHex(salt) + identityHash);
}

export function computeVerifier(x: bigint): bigint {
  return modPow(g, x, N);
}

/** Fixed-width bytes of a verifier so comparisons are constant time. */
export function verifierBytes(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(N_BYTES * 2, '0'), 'hex');
}

export interface ServerEphemeral {
  b: bigint;
  B: bigint;
}

/** B = k·v + g^b mod N, never 0 mod N. */
export function serverPublic(v: bigint, b: bigint): bigint {
  return (k * v + modPow(g, b, N)) % N;
}

export function createServerEphemeral(v: bigint): ServerEphemeral {
  for (;;) {
    // 256 bits of secret exponent: the RFC 5054 recommended minimum and keeps
    // modPow cheap; the group order is far larger.
    const b = randomBigInt(32);
    const B = serverPublic(v, b);
    if (B !== 0n) return { b, B };
  }
}

/** u = H(PAD(A) | PAD(B)). */
export function computeU(A: bigint, B: bigint): bigint {
  return hashHexToBigInt(padHex(A) + padHex(B));
}

/** The 16-byte session key both sides derive from the shared secret S ("Caldera Derived Key"). */
export function hkdf16(S: bigint, u: bigint): Buffer {
  const ikm = Buffer.from(padHex(S), 'hex');
  const salt = Buffer.from(padHex(u), 'hex');
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(HKDF_INFO, 'utf8'), 16));
}

/**
 * The shared session key seen from the server: S = (A · v^u)^b mod N.
 * Undefined for a degenerate A or u, which a well-behaved client never sends
 * and which would otherwise let a forged A fix S.
 */
export function serverSessionKey(params: { A: bigint; B: bigint; b: bigint; v: bigint }): Buffer | undefined {
  const { A, B, b, v } = params;
  if (A % N === 0n) return undefined;
  const u = computeU(A, B);
  if (u === 0n) return undefined;
  const S = modPow((A * modPow(v, u, N)) % N, b, N);
  return hkdf16(S, u);
}

/** PASSWORD_CLAIM_SIGNATURE = base64(HMAC(key, pool | userId | secretBlock | timestamp)). */
export function passwordClaimSignature(
  key: Buffer,
  poolName: string,
  userIdForSrp: string,
  secretBlock: Buffer,
  timestamp: string,
): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.from(poolName, 'utf8'))
    .update(Buffer.from(userIdForSrp, 'utf8'))
    .update(secretBlock)
    .update(Buffer.from(timestamp, 'utf8'))
    .digest();
}
