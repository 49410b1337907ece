import { createHmac, hkdfSync } from 'node:crypto';
import type { PoolContext } from './context.js';
import { isJsonObject } from '../../core/safe-json.js';
import { emptyFailures, type FailureCounters } from './records.js';
import { N, N_BYTES } from './srp.js';
import { normaliseEmail } from './store.js';

/**
 * A name with no account must be answered exactly like an account whose
 * password or code is wrong (Cognito's PreventUserExistenceErrors, which
 * Amplify turns on): the same body, the same size, the same time and the same
 * lockouts. So each unknown name gets a decoy: a stable identity derived from
 * the pool's secret, whose failure counters live in a file of their own
 * (`decoys/<id>.json`), read, checked and written the way a user's are, and
 * on which the operations do the same SRP arithmetic as for a real user.
 */

export interface DecoyUser {
  /** Stands where a user's `sub` would (USER_ID_FOR_SRP, the SRP state, the counter file). */
  id: string;
  salt: bigint;
  verifier: bigint;
}

function uuidFrom(bytes: Buffer): string {
  const hex = Buffer.from(bytes.subarray(0, 16));
  hex[6] = ((hex[6] ?? 0) & 0x0f) | 0x40;
  hex[8] = ((hex[8] ?? 0) & 0x3f) | 0x80;
  const h = hex.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

async function decoyUser(ctx: PoolContext, username: string): Promise<DecoyUser> {
  const secret = (await ctx.keys()).secret('decoy-user');
  const login = normaliseEmail(username);
  const derive = (label: string) => createHmac('sha256', secret).update(`${label}:${login}`).digest();
  // A uniformly random group element cannot be told from g^x without a
  // discrete log, and costs no exponentiation here, where a real user's
  // verifier is merely read from disk.
  const verifierBytes = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `verifier:${login}`, N_BYTES));
  return {
    id: uuidFrom(derive('id')),
    salt: BigInt(`0x${derive('salt').subarray(0, 16).toString('hex')}`),
    verifier: BigInt(`0x${verifierBytes.toString('hex')}`) % N,
  };
}

function parseFailures(value: unknown): FailureCounters {
  if (!isJsonObject(value) || value.version !== 1 || !isJsonObject(value.failures)) return emptyFailures();
  return { ...emptyFailures(), ...(value.failures as Partial<FailureCounters>) };
}

/**
 * `updateUser` for a decoy: runs `change` on the decoy's counters under its
 * lock and writes them back atomically if they changed, also when `change`
 * throws, which on this path it always ends up doing.
 */
export async function updateDecoy<T>(
  ctx: PoolContext,
  decoy: DecoyUser,
  change: (failures: FailureCounters) => T,
): Promise<T> {
  return ctx.locks.run(`decoy:${decoy.id}`, async () => {
    const failures = parseFailures(await ctx.store.readDecoy(decoy.id));
    const before = JSON.stringify(failures);
    const save = async (): Promise<void> => {
      if (JSON.stringify(failures) === before) return;
      await ctx.store.writeDecoy(decoy.id, { version: 1, failures, updatedAt: ctx.now() });
    };
    let result: T;
    try {
      result = change(failures);
    } catch (error) {
      await save();
      throw error;
    }
    await save();
    return result;
  });
}

/**
 * The decoy of a name with no account, with its counters as they stand. It
 * reads the decoy's file where a known name's lookup reads the user's: on a
 * loaded machine every file operation costs a scheduling round trip, so the
 * two paths must make about as many.
 */
export async function findDecoy(ctx: PoolContext, username: string): Promise<{ decoy: DecoyUser; failures: FailureCounters }> {
  const decoy = await decoyUser(ctx, username);
  return { decoy, failures: parseFailures(await ctx.store.readDecoy(decoy.id)) };
}
