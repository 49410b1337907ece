import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isJsonObject, safeJsonParse, type JsonObject } from '../../core/safe-json.js';

/**
 * SRP state between InitiateAuth and RespondToAuthChallenge travels inside
 * SECRET_BLOCK, sealed with AES-256-GCM, as Cognito does: the server keeps
 * nothing per pending sign-in except the ids of blocks already used.
 */
export interface ChallengeState {
  id: string;
  /**
   * The user's sub, or a decoy id for a name with no account: always there
   * and always a UUID, so the sealed block is the same size either way.
   */
  sub: string;
  userIdForSrp: string;
  /** The sign-in name as typed, so decoy failures count against it. */
  login: string;
  /** Client public value A and server secret b, hex. */
  A: string;
  b: string;
  expiresAt: number;
}

/** Cognito's SRP sessions last a few minutes. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** AES-256-GCM over JSON: also the `Session` of MFA and passwordless challenges (auth-session.ts). */
export function sealJson(key: Buffer, state: object): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** The object sealed in `block`, or undefined when it was not sealed with `key` or was altered. */
export function openJson(key: Buffer, block: Buffer): JsonObject | undefined {
  if (block.length < 29 || block.length > 8192) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, block.subarray(0, 12));
    decipher.setAuthTag(block.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(block.subarray(28)), decipher.final()]).toString('utf8');
    const state = safeJsonParse(plain);
    return isJsonObject(state) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function sealChallenge(key: Buffer, state: ChallengeState): Buffer {
  return sealJson(key, state);
}

export function openChallenge(key: Buffer, block: Buffer): ChallengeState | undefined {
  const state = openJson(key, block);
  if (!state) return undefined;
  const { id, sub, userIdForSrp, login, A, b, expiresAt } = state;
  if (typeof id !== 'string' || typeof userIdForSrp !== 'string' || typeof A !== 'string') return undefined;
  if (typeof login !== 'string') return undefined;
  if (typeof b !== 'string' || typeof expiresAt !== 'number') return undefined;
  if (typeof sub !== 'string') return undefined;
  return { id, sub, userIdForSrp, login, A, b, expiresAt };
}

/** Remembers used challenge ids until they would have expired anyway, so a claim cannot be replayed. */
export class UsedChallenges {
  private readonly used = new Map<string, number>();

  isUsed(id: string): boolean {
    return this.used.has(id);
  }

  /** True the first time an id is seen. */
  claim(id: string, expiresAt: number, nowMs: number): boolean {
    for (const [key, expiry] of this.used) {
      if (expiry <= nowMs) this.used.delete(key);
    }
    if (this.used.has(id)) return false;
    this.used.set(id, expiresAt);
    return true;
  }
}
