/**
 * Tokens this verifier has already accepted, remembered until they expire.
 *
 * Checking an RS256 signature costs ~50 µs of CPU, as much as reading a
 * whole page of notes from the local store, and a client sends the same ID
 * token with every call for up to an hour. A Cognito token's validity does
 * not change before its `exp` (it carries no revocation state the verifier
 * could see), so a token that passed every check stays valid until then:
 * only the exact same string is served from here, and only while unexpired.
 *
 * Bounded, oldest first out, so a flood of distinct valid tokens cannot grow
 * memory. Claims are kept as JSON text, so every caller gets its own copy.
 */
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

interface Entry {
  readonly claimsJson: string;
  /** Epoch seconds; the entry is dropped from this second on. */
  readonly expiresAt: number;
}

export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(max = 1000) {
    this.#max = max;
  }

  /** The claims of `token` if it was verified and has not expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): JwtPayload | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowSeconds >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return JSON.parse(entry.claimsJson) as JwtPayload;
  }

  /** Remembers a token that just passed verification; one without a numeric `exp` is not remembered. */
  remember(token: string, claims: JwtPayload): void {
    if (typeof claims.exp !== 'number') return;
    if (this.#entries.size >= this.#max && !this.#entries.has(token)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { claimsJson: JSON.stringify(claims), expiresAt: claims.exp });
  }

  get size(): number {
    return this.#entries.size;
  }
}
