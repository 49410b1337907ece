/**
 * Password hashing with scrypt (memory-hard, in Node's standard library).
 * Every stored hash carries its own parameters, so the defaults can be
 * raised later: old hashes still verify, and `needsRehash` tells the caller
 * to replace one after a successful sign-in.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is about 128 * N * r bytes. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** Length of the derived key in bytes. */
  readonly keylen: number;
}

/** OWASP's minimum for scrypt (2^17, 8, 1): 128 MiB and a few hundred ms per hash. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keylen: 32 };

const SALT_BYTES = 16;

/** The stored form: parameters, salt and derived key, all needed to verify. */
export interface PasswordHash {
  readonly alg: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** base64url */
  readonly salt: string;
  /** base64url; its length is the keylen. */
  readonly hash: string;
}

// A tampered record must not make us allocate gigabytes or spin for minutes.
const LIMITS = { maxN: 2 ** 20, maxR: 32, maxP: 16, minKeylen: 16, maxKeylen: 64 } as const;

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

export function assertScryptParams(params: ScryptParams): ScryptParams {
  const { N, r, p, keylen } = params;
  const ok =
    isPowerOfTwo(N) &&
    N <= LIMITS.maxN &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= LIMITS.maxR &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= LIMITS.maxP &&
    Number.isInteger(keylen) &&
    keylen >= LIMITS.minKeylen &&
    keylen <= LIMITS.maxKeylen;
  if (!ok) {
    throw new TypeError(
      `Invalid scrypt parameters ${JSON.stringify(params)}: N a power of two up to 2^20, r 1-32, p 1-16, keylen 16-64.`,
    );
  }
  return params;
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const { N, r, p, keylen } = params;
  // Node refuses when 128 * N * r exceeds maxmem (32 MiB by default), which 2^17 does.
  const maxmem = 2 * 128 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The parameters of a well-formed stored hash, or undefined for anything we would not trust. */
function paramsOf(stored: PasswordHash): ScryptParams | undefined {
  if (stored.alg !== 'scrypt') return undefined;
  const salt = Buffer.from(stored.salt, 'base64url');
  const hash = Buffer.from(stored.hash, 'base64url');
  const params = { N: stored.N, r: stored.r, p: stored.p, keylen: hash.length };
  try {
    assertScryptParams(params);
  } catch {
    return undefined;
  }
  return salt.length >= 8 ? params : undefined;
}

export class PasswordHasher {
  readonly params: ScryptParams;
  /** Verified against when the user does not exist, so that path costs one scrypt too. */
  readonly #dummy: PasswordHash;

  constructor(params: ScryptParams = DEFAULT_SCRYPT) {
    this.params = assertScryptParams(params);
    this.#dummy = {
      alg: 'scrypt',
      N: params.N,
      r: params.r,
      p: params.p,
      salt: randomBytes(SALT_BYTES).toString('base64url'),
      hash: randomBytes(params.keylen).toString('base64url'),
    };
  }

  async hash(password: string): Promise<PasswordHash> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.params);
    const { N, r, p } = this.params;
    return { alg: 'scrypt', N, r, p, salt: salt.toString('base64url'), hash: key.toString('base64url') };
  }

  /**
   * True when `password` matches `stored`. With no stored hash (unknown user)
   * it derives against a dummy and returns false, doing the same work.
   */
  async verify(stored: PasswordHash | undefined, password: string): Promise<boolean> {
    const target = stored ?? this.#dummy;
    const params = paramsOf(target);
    if (params === undefined) {
      // A corrupt record: still spend the time, then refuse.
      await derive(password, Buffer.from(this.#dummy.salt, 'base64url'), this.params);
      return false;
    }
    const expected = Buffer.from(target.hash, 'base64url');
    const actual = await derive(password, Buffer.from(target.salt, 'base64url'), params);
    return timingSafeEqual(actual, expected) && stored !== undefined;
  }

  /** True when `stored` was made with weaker parameters than the current ones. */
  needsRehash(stored: PasswordHash): boolean {
    const params = paramsOf(stored);
    if (params === undefined) return true;
    const current = this.params;
    return (
      params.N < current.N ||
      params.r < current.r ||
      params.p < current.p ||
      params.keylen < current.keylen ||
      Buffer.from(stored.salt, 'base64url').length < SALT_BYTES
    );
  }
}
