/**
 * Account enumeration through the local user pool. With Cognito's
 * PreventUserExistenceErrors (which Amplify sets) a name with no account must
 * be answered like an account with a wrong password or code, so this file
 * compares a known and an unknown name, of the same length, on every
 * operation that takes a bare name: the answers (body and size), the lockouts,
 * and the time. A decoy that skips the disk write or the SRP arithmetic a real
 * account costs shows up here as a time ratio far above the bound.
 *
 * The timing check is deliberately coarse: samples of the two names are
 * interleaved (so load on a shared machine hits both alike) and compared by
 * median, against a bound of 2× that the gaps it guards against (~5×) exceed;
 * a leak must exceed it in each of three rounds, a load spike rarely does.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../packages/blocks/src/core/safe-json.js';
import type { LocalUserPool, UserPoolResponse } from '../../packages/blocks/src/local/user-pool/pool.js';
import { g, modPow, N, randomBigInt } from '../../packages/blocks/src/local/user-pool/srp.js';
import {
  bodyOf,
  call,
  fakeClock,
  srpSignIn,
  srpTimestamp,
  STRONG_PASSWORD,
  tempDataDir,
  testPool,
} from '../../packages/blocks/src/local/user-pool/testing/harness.js';

// Same length, so nothing but existence differs in what the pool seals or echoes.
const KNOWN = 'alice@example.com';
const UNKNOWN = 'ghost@example.com';
const WRONG_PASSWORD = 'Wr0ng!password';
const NEW_PASSWORD = 'N3w!password';
/** Far past every lockout and send window, so each timed sample takes the full path. */
const TWO_HOURS = 2 * 3600 * 1000;

const SAMPLES = 25;
/** Measurement rounds before a time gap counts as a leak rather than load. */
const ROUNDS = 3;
const WARMUP = 3;
const MAX_RATIO = 2;

let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let clock: ReturnType<typeof fakeClock>;

beforeAll(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  clock = fakeClock();
  // Passwordless email and SMS codes on, so USER_AUTH is probed too; the known
  // user has a phone number (12 characters, as long as a decoy's stand-in).
  pool = testPool(temp.dir, { now: clock.now, rateLimit: false, settings: { passwordlessEmail: true, passwordlessSms: true } });
  await pool.adminCreateUser({ email: KNOWN, password: STRONG_PASSWORD, attributes: { phone_number: '+15550104567' } });
});

afterAll(() => cleanup());

const startEmailCode = (login: string) =>
  call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: login, PREFERRED_CHALLENGE: 'EMAIL_OTP' } });

const startSmsCode = (login: string) =>
  call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: login, PREFERRED_CHALLENGE: 'SMS_OTP' } });

const srpA = modPow(g, randomBigInt(32), N).toString(16);

/** One request an attacker can make with a bare name; `prepare` does the untimed setup and returns the timed call. */
interface Probe {
  readonly name: string;
  prepare(login: string): Promise<() => Promise<UserPoolResponse>>;
}

const PROBES: readonly Probe[] = [
  {
    name: 'InitiateAuth USER_SRP_AUTH',
    prepare: async (login) => () =>
      call(pool, 'InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: login, SRP_A: srpA } }),
  },
  {
    name: 'RespondToAuthChallenge with a wrong password',
    prepare: async (login) => {
      const initiate = await call(pool, 'InitiateAuth', {
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: login, SRP_A: srpA },
      });
      const params = bodyOf(initiate).ChallengeParameters as Record<string, string>;
      // A wrong password's signature looks as random to the server as this one.
      const claim = {
        USERNAME: params.USER_ID_FOR_SRP ?? '',
        PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK ?? '',
        TIMESTAMP: srpTimestamp(),
        PASSWORD_CLAIM_SIGNATURE: randomBytes(32).toString('base64'),
      };
      return () => call(pool, 'RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: claim });
    },
  },
  {
    name: 'InitiateAuth USER_PASSWORD_AUTH with a wrong password',
    prepare: async (login) => () =>
      call(pool, 'InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: login, PASSWORD: WRONG_PASSWORD },
      }),
  },
  {
    name: 'InitiateAuth USER_AUTH with an email code',
    prepare: async (login) => () => startEmailCode(login),
  },
  {
    name: 'RespondToAuthChallenge EMAIL_OTP with a wrong code',
    prepare: async (login) => {
      const session = bodyOf(await startEmailCode(login)).Session;
      return () =>
        call(pool, 'RespondToAuthChallenge', {
          ChallengeName: 'EMAIL_OTP',
          Session: session,
          // Not six digits, so it can never be the code just sent.
          ChallengeResponses: { USERNAME: login, EMAIL_OTP_CODE: 'wrong' },
        });
    },
  },
  {
    name: 'InitiateAuth USER_AUTH with an SMS code',
    prepare: async (login) => () => startSmsCode(login),
  },
  {
    name: 'RespondToAuthChallenge SMS_OTP with a wrong code',
    prepare: async (login) => {
      const session = bodyOf(await startSmsCode(login)).Session;
      return () =>
        call(pool, 'RespondToAuthChallenge', {
          ChallengeName: 'SMS_OTP',
          Session: session,
          ChallengeResponses: { USERNAME: login, SMS_OTP_CODE: 'wrong' },
        });
    },
  },
  {
    name: 'ForgotPassword',
    prepare: async (login) => () => call(pool, 'ForgotPassword', { Username: login }),
  },
  {
    name: 'ConfirmForgotPassword with a wrong code',
    prepare: async (login) => () =>
      call(pool, 'ConfirmForgotPassword', { Username: login, ConfirmationCode: '000000', Password: NEW_PASSWORD }),
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Sample {
  readonly ms: number;
  readonly response: UserPoolResponse;
}

async function sample(probe: Probe, login: string): Promise<Sample> {
  const timed = await probe.prepare(login);
  const start = performance.now();
  const response = await timed();
  const ms = performance.now() - start;
  clock.advance(TWO_HOURS);
  return { ms, response };
}

/** Interleaved, alternating which name goes first, so drifting load falls on both alike. */
async function measure(probe: Probe): Promise<{ known: Sample[]; unknown: Sample[] }> {
  const known: Sample[] = [];
  const unknown: Sample[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
    const order = i % 2 === 0 ? [KNOWN, UNKNOWN] : [UNKNOWN, KNOWN];
    for (const login of order) {
      const result = await sample(probe, login);
      if (i >= WARMUP) (login === KNOWN ? known : unknown).push(result);
    }
  }
  return { known, unknown };
}

/** What a response reveals besides timing: status, error body, and the shape and size of a success. */
function fingerprint(response: UserPoolResponse): unknown {
  const body = bodyOf(response);
  if (response.status !== 200) return { status: response.status, body };
  const shape = (value: unknown): unknown =>
    typeof value === 'object' && value !== null
      ? Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, shape(v)]))
      : typeof value;
  return { status: 200, shape: shape(body) };
}

/** Sizes of the fields that carry no random-length number (SRP_B and SALT vary for both alike). */
function fixedSizes(response: UserPoolResponse): unknown {
  const body = bodyOf(response);
  const params = body.ChallengeParameters as Record<string, string> | undefined;
  if (params) return { SECRET_BLOCK: params.SECRET_BLOCK?.length, USER_ID_FOR_SRP: params.USER_ID_FOR_SRP?.length };
  return JSON.stringify(body).length;
}

describe('a known and an unknown name, through the local user pool', () => {
  it.each(PROBES)('$name: same answer, same size, same time', async (probe) => {
    // A leak costs the known path the same every round; a burst of load on a
    // shared machine does not. So a round within the bound passes, and only
    // ROUNDS rounds all above it fail (each round's answers are checked).
    const reports: string[] = [];
    // Without SALT and SRP_B: Cognito sends them unpadded, so their hex length varies at random
    // for both names (a user's random salt is one nibble shorter 1 time in 16).
    const withoutRandomLengths = (body: unknown) =>
      JSON.stringify(body, (key, value: unknown) => (key === 'SALT' || key === 'SRP_B' ? '' : value));
    for (let round = 0; round < ROUNDS; round += 1) {
      const { known, unknown } = await measure(probe);
      for (let i = 0; i < SAMPLES; i += 1) {
        const [k, u] = [known[i]!, unknown[i]!];
        expect(fingerprint(u.response), `sample ${i}`).toEqual(fingerprint(k.response));
        expect(fixedSizes(u.response), `sample ${i}`).toEqual(fixedSizes(k.response));
      }
      const sizes = (samples: Sample[]) => median(samples.map((s) => withoutRandomLengths(s.response.body).length));
      expect(sizes(unknown)).toBe(sizes(known));

      const [knownMs, unknownMs] = [median(known.map((s) => s.ms)), median(unknown.map((s) => s.ms))];
      const ratio = Math.max(knownMs, unknownMs) / Math.min(knownMs, unknownMs);
      reports.push(`median ${knownMs.toFixed(2)} ms known, ${unknownMs.toFixed(2)} ms unknown (×${ratio.toFixed(2)})`);
      console.info(`[user enumeration] ${probe.name}: ${reports.at(-1)}`);
      if (ratio <= MAX_RATIO) return;
    }
    expect.fail(`${probe.name}: every round above ×${MAX_RATIO}: ${reports.join('; ')}`);
  }, 240_000);
});

describe('lockouts are the same for a known and an unknown name', () => {
  let lockPool: LocalUserPool;
  let lockCleanup: () => Promise<void>;
  const lockClock = fakeClock();

  beforeAll(async () => {
    const temp = await tempDataDir();
    lockCleanup = temp.cleanup;
    lockPool = testPool(temp.dir, { now: lockClock.now, rateLimit: false });
    await lockPool.adminCreateUser({ email: KNOWN, password: STRONG_PASSWORD });
  });

  // Each case starts with every earlier lock long expired.
  beforeEach(() => lockClock.advance(TWO_HOURS));

  afterAll(() => lockCleanup());

  /** The answers to `count` calls for `login`, errors in full, successes by status. */
  async function answers(count: number, send: (login: string) => Promise<UserPoolResponse>, login: string): Promise<unknown[]> {
    const seen: unknown[] = [];
    for (let i = 0; i < count; i += 1) {
      const response = await send(login);
      seen.push(response.status === 200 ? 200 : response.body);
    }
    return seen;
  }

  const cases: ReadonlyArray<readonly [string, number, (login: string) => Promise<UserPoolResponse>]> = [
    [
      'wrong passwords (USER_PASSWORD_AUTH)',
      6,
      (login) =>
        call(lockPool, 'InitiateAuth', {
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: login, PASSWORD: WRONG_PASSWORD },
        }),
    ],
    ['wrong passwords (SRP)', 6, async (login) => (await srpSignIn(lockPool, login, WRONG_PASSWORD)).final],
    [
      'reset codes with none pending',
      6,
      (login) => call(lockPool, 'ConfirmForgotPassword', { Username: login, ConfirmationCode: '123456', Password: NEW_PASSWORD }),
    ],
    ['reset code requests', 11, (login) => call(lockPool, 'ForgotPassword', { Username: login })],
  ];

  it.each(cases)('%s', async (_name, count, send) => {
    const known = await answers(count, send, KNOWN);
    const unknown = await answers(count, send, UNKNOWN);
    expect(unknown).toEqual(known);
    // The last attempt hit the limit: both names are locked, not just the real one.
    expect(known.at(-1)).toMatchObject({ __type: expect.stringMatching(/NotAuthorizedException|LimitExceededException/) });
    expect(known.at(-1)).not.toEqual(known.at(0));
  });
});
