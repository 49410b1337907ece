import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalKVStore } from '../../blocks/kv-store/local-store.js';
import { closeLocalStore } from '../../blocks/kv-store/testing/local-store-state.js';
import { UserPoolStore } from './store.js';
import { call, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir({ freshKey: true }));
});
afterEach(() => cleanup());

async function readAll(root: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

/** The pool store's records under `prefix`. */
async function records(dataDir: string, prefix: string): Promise<{ key: string; value: unknown }[]> {
  return (await new LocalKVStore(path.join(dataDir, 'user-pool', 'store')).list({ prefix, limit: 1000 })).items;
}

describe('persistence', () => {
  it('generates the signing key once, private to the developer, and keeps it across restarts', async () => {
    const first = testPool(dir);
    const jwks = await first.jwks();
    const root = path.join(dir, 'user-pool');
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'signing-key.json'))).mode & 0o777).toBe(0o600);
    expect(await testPool(dir).jwks()).toEqual(jwks);
  });

  it('keeps users, sessions and codes across a restart', async () => {
    const before = testPool(dir);
    await before.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD, groups: ['admins'] });
    await call(before, 'SignUp', { Username: 'bob@example.com', Password: STRONG_PASSWORD });
    const code = await before.lastCode('bob@example.com');
    const tokens = tokensOf((await srpSignIn(before, 'alice@example.com', STRONG_PASSWORD)).final);

    const after = testPool(dir);
    expect((await after.handle({ target: 'GetUser', body: { AccessToken: tokens.AccessToken } })).status).toBe(200);
    expect((await call(after, 'GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken })).status).toBe(200);
    expect((await srpSignIn(after, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(200);
    expect(await after.lastCode('bob@example.com')).toBe(code);
    expect((await call(after, 'ConfirmSignUp', { Username: 'bob@example.com', ConfirmationCode: code })).status).toBe(
      200,
    );
    expect((await after.listUsers()).map((user) => user.email)).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('stores no password and no refresh token, only SRP verifiers and hashes', async () => {
    const pool = testPool(dir);
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    const tokens = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
    const secret = tokens.RefreshToken?.split('.')[1] ?? '';
    const everything = await readAll(path.join(dir, 'user-pool'));
    expect(everything).not.toContain(STRONG_PASSWORD);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('alice@example.com.json');
    // The records live in the pool's store; only the signing key is a file of its own.
    expect((await readdir(path.join(dir, 'user-pool'))).sort()).toEqual(['signing-key.json', 'store']);
    expect((await records(dir, 'users/')).map((item) => item.key)).toEqual([`users/${(await pool.listUsers())[0]?.sub}`]);
  });

  it('treats a hand-broken user record as no user', async () => {
    const pool = testPool(dir);
    const { sub } = await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    await new LocalKVStore(path.join(dir, 'user-pool', 'store')).put(`users/${sub}`, { version: 1 });
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(400);
    expect(await pool.listUsers()).toEqual([]);
  });

  it('prunes expired sessions', async () => {
    let now = Date.now();
    const pool = testPool(dir, { now: () => now });
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD);
    const store = new UserPoolStore(dir);
    expect(await store.pruneSessions(now)).toBe(0);
    now += 31 * 24 * 3600 * 1000;
    expect(await store.pruneSessions(now)).toBe(1);
    expect(await records(dir, 'sessions/')).toEqual([]);
  });

  it('ignores user names that are not UUIDs instead of building paths from them', async () => {
    const store = new UserPoolStore(dir);
    expect(await store.readUser('../signing-key')).toBeUndefined();
    expect(await store.findUser('../../etc/passwd')).toBeUndefined();
    expect(await store.readSession('../users/x')).toBeUndefined();
  });
});

describe('migration from one file per record', () => {
  it('imports users, aliases, sessions and decoys written by older kits on first use, then deletes the files', async () => {
    // A pool as an older kit left it: each record in its own file.
    const before = testPool(dir);
    await before.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD, groups: ['admins'] });
    const tokens = tokensOf((await srpSignIn(before, 'alice@example.com', STRONG_PASSWORD)).final);
    const old = await records(dir, '');
    expect(old.map((item) => item.key.split('/')[0]).sort()).toEqual(['emails', 'sessions', 'users']);
    await closeLocalStore(path.join(dir, 'user-pool', 'store'));
    await rmStore(dir);
    for (const item of old) {
      const [folder, name] = item.key.split('/');
      await mkdir(path.join(dir, 'user-pool', folder ?? ''), { recursive: true });
      await writeFile(path.join(dir, 'user-pool', folder ?? '', `${name}.json`), JSON.stringify(item.value, null, 2));
    }
    await writeFile(path.join(dir, 'user-pool', 'users', 'not-a-record.txt'), 'ignored');

    const after = testPool(dir);
    expect((await after.listUsers()).map((user) => [user.email, user.groups])).toEqual([['alice@example.com', ['admins']]]);
    expect((await srpSignIn(after, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(200);
    expect((await call(after, 'GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken })).status).toBe(200);
    expect((await readdir(path.join(dir, 'user-pool'))).sort()).toEqual(['signing-key.json', 'store']);
    // Every imported record as it was (the sign-in above added a session of its own).
    const now = new Map((await records(dir, '')).map((item) => [item.key, item.value]));
    for (const item of old) expect(now.get(item.key), item.key).toEqual(item.value);
    expect(now.get('meta/legacy-files-imported')).toBe(true);
  });
});

async function rmStore(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, 'user-pool', 'store'), { recursive: true, force: true });
}
