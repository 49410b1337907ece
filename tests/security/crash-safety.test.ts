/**
 * Crash safety of the local user pool: a child process signs users up,
 * confirms them, signs them in, changes their passwords and toggles a group
 * as fast as it can, and is SIGKILLed at a random point, several rounds in a
 * row on the same data. After each kill every acknowledged write must be
 * there and every record must decode. (The KV store has the same test in
 * packages/blocks/src/kv/local-store.test.ts.)
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalKVStore } from '../../packages/blocks/src/blocks/kv-store/local-store.js';
import { isAtomicTempFile } from '../../packages/blocks/src/local/atomic-file.js';
import { createLocalUserPool, type LocalUserPool } from '../../packages/blocks/src/local/user-pool/index.js';
import { parseSessionRecord, parseUserRecord } from '../../packages/blocks/src/local/user-pool/records.js';
import type { PoolStormLine } from './fixtures/user-pool-storm.js';
import { runStormRound } from 'blocks-kit/testing';
import { projectRoot } from './helpers.js';

const STORM_SCRIPT = fileURLToPath(new URL('./fixtures/user-pool-storm.ts', import.meta.url));
const ROUNDS = 4;
const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

/** What the acknowledged lines promise about one user; `pending*` is a write that was in flight at the kill. */
interface Promised {
  password: string;
  pendingPassword?: string;
  confirmed: boolean;
  sessions: string[];
  group?: string;
  member?: boolean;
  pendingMember?: boolean;
}

function promises(lines: readonly PoolStormLine[]): Map<string, Promised> {
  const users = new Map<string, Promised>();
  const user = (email: string): Promised => {
    const found = users.get(email);
    if (!found) throw new Error(`a line about ${email} before its creation was acknowledged`);
    return found;
  };
  for (const line of lines) {
    switch (line.op) {
      case 'signUp':
      case 'adminCreate':
        users.set(line.email, { password: line.password, confirmed: line.op === 'adminCreate', sessions: [] });
        break;
      case 'confirm':
        user(line.email).confirmed = true;
        break;
      case 'session':
        user(line.email).sessions.push(line.refreshToken);
        break;
      case 'changing':
        user(line.email).pendingPassword = line.password;
        break;
      case 'password':
        Object.assign(user(line.email), { password: line.password, pendingPassword: undefined });
        break;
      case 'grouping':
        Object.assign(user(line.email), { group: line.group, pendingMember: line.member });
        break;
      case 'group':
        Object.assign(user(line.email), { group: line.group, member: line.member, pendingMember: undefined });
        break;
    }
  }
  return users;
}

/**
 * Every record the pool keeps decodes and has its shape, and the only other
 * file, the signing key, parses; temp files of interrupted writes are ignored.
 */
async function expectEveryFileParses(root: string): Promise<number> {
  const entries = (await readdir(root)).filter((name) => !isAtomicTempFile(name));
  // The key is created with the first token, so a kill before any sign-in leaves none;
  // the outbox only once a code was sent.
  expect(entries.filter((name) => name !== 'signing-key.json' && name !== 'outbox')).toEqual(['store']);
  if (entries.includes('signing-key.json')) {
    expect(JSON.parse(await readFile(path.join(root, 'signing-key.json'), 'utf8'))).toMatchObject({
      privateKeyPem: expect.stringContaining('PRIVATE KEY'),
    });
  }
  let outboxFiles = 0;
  if (entries.includes('outbox')) {
    for (const entry of await readdir(path.join(root, 'outbox'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || isAtomicTempFile(entry.name)) continue;
      const file = path.join(entry.parentPath, entry.name);
      const text = await readFile(file, 'utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`torn file ${path.relative(root, file)} after SIGKILL: ${JSON.stringify(text.slice(0, 80))}`);
      }
      expect(value, file).toMatchObject({ format: 'blocks-user-pool-message/1', code: expect.stringMatching(/^\d{6}$/) });
      outboxFiles++;
    }
  }
  // A torn record would be warned about and skipped by the store.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const store = new LocalKVStore<unknown>(path.join(root, 'store'));
  let checked = outboxFiles + (entries.includes('signing-key.json') ? 1 : 0);
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 1000, cursor });
    for (const { key, value } of page.items) {
      const folder = key.split('/')[0];
      if (folder === 'users') expect(parseUserRecord(value), key).toBeDefined();
      else if (folder === 'sessions') expect(parseSessionRecord(value), key).toBeDefined();
      else if (folder === 'emails' || folder === 'phones' || folder === 'usernames') expect(value, key).toEqual({ sub: expect.any(String) });
      else expect(folder, key).toBe('decoys');
      checked++;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
  return checked;
}

type SignInOutcome = 'signed-in' | 'right-password-unconfirmed' | 'refused';

async function signIn(pool: LocalUserPool, email: string, password: string): Promise<SignInOutcome> {
  const response = await pool.handle({
    target: 'InitiateAuth',
    body: { ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } },
  });
  if (response.status === 200) return 'signed-in';
  // The pool checks the password before it refuses an unconfirmed user.
  return (response.body as { __type?: string }).__type === 'UserNotConfirmedException' ? 'right-password-unconfirmed' : 'refused';
}

/**
 * Checks every promise against a pool opened on the data as the kill left
 * it. `working` remembers which password proved right, so later rounds do
 * not count failed attempts towards the pool's lockout.
 */
async function verify(dataDir: string, lines: readonly PoolStormLine[], working: Map<string, string>): Promise<void> {
  expect(await expectEveryFileParses(path.join(dataDir, 'user-pool'))).toBeGreaterThan(0);
  const pool = createLocalUserPool({ dataDir, issuerBaseUrl: 'http://127.0.0.1:9/local-cognito', rateLimit: false, onCode: () => undefined });
  const summaries = new Map((await pool.listUsers()).map((summary) => [summary.email, summary]));
  for (const [email, promised] of promises(lines)) {
    const summary = summaries.get(email);
    expect(summary, `${email} was acknowledged but is gone`).toBeDefined();
    if (promised.confirmed) expect(summary?.confirmed, email).toBe(true);
    if (promised.group !== undefined) {
      const allowed = [promised.member ?? false, ...(promised.pendingMember === undefined ? [] : [promised.pendingMember])];
      expect(allowed, `${email} in ${promised.group}`).toContain(summary?.groups.includes(promised.group));
    }

    const allowed = [promised.password, ...(promised.pendingPassword === undefined ? [] : [promised.pendingPassword])];
    const candidates = [...new Set([working.get(email), ...allowed].filter((p): p is string => p !== undefined))];
    let right: string | undefined;
    for (const candidate of candidates) {
      const outcome = await signIn(pool, email, candidate);
      if (outcome === 'refused') continue;
      if (promised.confirmed) expect(outcome, email).toBe('signed-in');
      right = candidate;
      break;
    }
    expect(right, `${email}: neither the acknowledged nor the in-flight password works`).toBeDefined();
    expect(allowed).toContain(right);
    working.set(email, right!);

    for (const refreshToken of promised.sessions) {
      const refreshed = await pool.handle({
        target: 'InitiateAuth',
        body: { ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } },
      });
      expect(refreshed.status, `${email}: acknowledged session lost (${JSON.stringify(refreshed.body)})`).toBe(200);
    }
  }
}

describe('local user pool durability under kill -9', () => {
  it('every acknowledged sign-up, confirmation, session, password and group change survives SIGKILL at a random point, over several rounds', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-pool-storm-'));
    tempDirs.push(dataDir);
    const lines: PoolStormLine[] = [];
    const working = new Map<string, string>();
    for (let round = 0; round < ROUNDS; round++) {
      const { acks } = await runStormRound<PoolStormLine>(STORM_SCRIPT, [dataDir, String(round)], 15 + Math.floor(Math.random() * 40), { cwd: projectRoot });
      lines.push(...acks);
      await verify(dataDir, lines, working);
    }
    // The storm reached every kind of write it is meant to cover.
    const kinds = new Set(lines.map((line) => line.op));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['adminCreate', 'confirm', 'group', 'password', 'session', 'signUp']));
  }, 90_000);
});
