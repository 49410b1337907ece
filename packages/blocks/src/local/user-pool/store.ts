import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../../core/errors.js';
import { LocalKVStore } from '../../blocks/kv-store/local-store.js';
import { writeFileAtomic } from '../atomic-file.js';
import { readTextIfExists } from '../if-exists.js';
import { importLegacyFiles, STORE_DIR } from './legacy-files.js';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { parseSessionRecord, parseUserRecord, UUID_RE, type SessionRecord, type UserRecord } from './records.js';

/**
 * Storage of the local user pool, all under `<dataDir>/user-pool/` (mode 0700):
 *
 * - `store/data.mdb`: a local KVStore (the kit's one local storage engine,
 *   LMDB: see blocks/kv-store/local-store.ts) holding, by key,
 *   `users/<sub>` (one record per user), `emails/<sha256(email)>` (`{ sub }`,
 *   the sign-in alias index, hashed so addresses appear nowhere as keys),
 *   `phones/<sha256(phone)>` and `usernames/<sha256(lowercase username)>`
 *   (the same for phone numbers and chosen usernames, in pools that sign in
 *   by them),
 *   `sessions/<origin_jti>` (one per sign-in, the refresh token's hash) and
 *   `decoys/<id>` (failure counters of a name with no account, decoy.ts);
 * - `signing-key.json` (mode 0600): the pool's RSA key, a file of its own.
 *
 * Nothing is cached: every request reads the store, and LMDB lets another
 * process write it meanwhile, so the CLI can change users while the dev
 * server runs. Pools written by older kits (one JSON file per record in
 * `users/`, `emails/`, `sessions/`, `decoys/`) are imported on first use.
 */
export class UserPoolStore {
  readonly root: string;
  private rootReady: Promise<void> | undefined;
  private kvReady: Promise<LocalKVStore<unknown>> | undefined;

  /** Whether a phone number is a sign-in name (the pool's `usernameAttributes`). */
  readonly phoneSignIn: boolean;
  readonly emailSignIn: boolean;
  /** A pool without username attributes: users sign in with a username they chose. */
  readonly usernameSignIn: boolean;

  constructor(dataDir: string, signIn: { email?: boolean; phone?: boolean } = {}) {
    this.root = path.join(dataDir, 'user-pool');
    this.emailSignIn = signIn.email ?? true;
    this.phoneSignIn = signIn.phone ?? false;
    this.usernameSignIn = !this.emailSignIn && !this.phoneSignIn;
  }

  /** Creates the root directory private to the developer before the first write. */
  ensureRoot(): Promise<void> {
    this.rootReady ??= mkdir(this.root, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.rootReady;
  }

  async readJson(file: string): Promise<unknown> {
    const text = await readTextIfExists(file);
    return text === undefined ? undefined : safeJsonParse(text);
  }

  async writeJson(file: string, value: unknown): Promise<void> {
    await this.ensureRoot();
    await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
  }

  /** The record store, opened inside the private root, older files imported first. */
  private kv(): Promise<LocalKVStore<unknown>> {
    this.kvReady ??= (async () => {
      await this.ensureRoot();
      const kv = new LocalKVStore<unknown>(path.join(this.root, STORE_DIR));
      await importLegacyFiles(this.root, kv);
      return kv;
    })().catch((error: unknown) => {
      this.kvReady = undefined;
      throw error;
    });
    return this.kvReady;
  }

  private async read(key: string): Promise<unknown> {
    return (await (await this.kv()).get(key))?.value;
  }

  private async write(key: string, value: unknown): Promise<void> {
    await (await this.kv()).put(key, value);
  }

  /** Every record under `prefix`, page by page. */
  private async listAll(prefix: string): Promise<{ key: string; value: unknown; version: number }[]> {
    const kv = await this.kv();
    const items: { key: string; value: unknown; version: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await kv.list({ prefix, limit: 1000, cursor });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return items;
  }

  private emailKey(email: string): string {
    return `emails/${createHash('sha256').update(normaliseEmail(email)).digest('hex')}`;
  }

  private usernameKey(username: string): string {
    return `usernames/${createHash('sha256').update(normaliseUsername(username)).digest('hex')}`;
  }

  private phoneKey(phone: string): string {
    return `phones/${createHash('sha256').update(phone).digest('hex')}`;
  }

  async readUser(sub: string): Promise<UserRecord | undefined> {
    // The check keeps untrusted input (a USERNAME) from naming other keys.
    if (!UUID_RE.test(sub)) return undefined;
    return parseUserRecord(await this.read(`users/${sub}`));
  }

  async subForEmail(email: string): Promise<string | undefined> {
    const entry = await this.read(this.emailKey(email));
    return isJsonObject(entry) && typeof entry.sub === 'string' && UUID_RE.test(entry.sub) ? entry.sub : undefined;
  }

  async subForPhone(phone: string): Promise<string | undefined> {
    const entry = await this.read(this.phoneKey(phone));
    return isJsonObject(entry) && typeof entry.sub === 'string' && UUID_RE.test(entry.sub) ? entry.sub : undefined;
  }

  /** Looks a user up by a sign-in name: email (any case) or phone number as the pool allows, or username (= sub). */
  async findUser(login: string): Promise<UserRecord | undefined> {
    if (UUID_RE.test(login)) {
      const user = await this.readUser(login);
      if (user) return user;
    }
    if (this.usernameSignIn) {
      const entry = await this.read(this.usernameKey(login));
      const sub = isJsonObject(entry) && typeof entry.sub === 'string' ? entry.sub : undefined;
      const user = sub ? await this.readUser(sub) : undefined;
      return user?.username !== undefined && normaliseUsername(user.username) === normaliseUsername(login) ? user : undefined;
    }
    if (login.startsWith('+')) {
      if (!this.phoneSignIn) return undefined;
      const sub = await this.subForPhone(login);
      const user = sub ? await this.readUser(sub) : undefined;
      return user && user.phoneNumber === login ? user : undefined;
    }
    if (!this.emailSignIn) return undefined;
    const sub = await this.subForEmail(login);
    if (!sub) return undefined;
    const user = await this.readUser(sub);
    // An alias left behind by an interrupted email change must not resolve.
    return user && user.email !== '' && user.email === normaliseEmail(login) ? user : undefined;
  }

  linkPhone(phone: string, sub: string): Promise<void> {
    return this.write(this.phoneKey(phone), { sub });
  }

  unlinkPhone(phone: string, sub: string): Promise<void> {
    return this.unlinkAlias(this.phoneKey(phone), sub);
  }

  /** Writes a new user and the aliases it signs in with; the caller holds the alias locks. */
  async addUser(user: UserRecord): Promise<void> {
    await this.writeUser(user);
    if (user.username !== undefined) await this.write(this.usernameKey(user.username), { sub: user.sub });
    if (this.emailSignIn && user.email) await this.linkEmail(user.email, user.sub);
    // Linked even where phone numbers are not sign-in names (findUser ignores them there), so a user
    // added by the CLI, which does not know the dev server's settings, signs in by phone in a phone pool.
    if (user.phoneNumber) await this.linkPhone(user.phoneNumber, user.sub);
  }

  writeUser(user: UserRecord): Promise<void> {
    return this.write(`users/${user.sub}`, user);
  }

  linkEmail(email: string, sub: string): Promise<void> {
    return this.write(this.emailKey(email), { sub });
  }

  unlinkEmail(email: string, sub: string): Promise<void> {
    return this.unlinkAlias(this.emailKey(email), sub);
  }

  /** Removes an alias only if it still points at `sub` (checked and removed atomically). */
  private async unlinkAlias(key: string, sub: string): Promise<void> {
    const kv = await this.kv();
    const entry = await kv.get(key);
    if (!isJsonObject(entry?.value) || entry.value.sub !== sub) return;
    try {
      await kv.delete(key, { ifVersion: entry.version });
    } catch (error) {
      // Relinked meanwhile: it no longer points at `sub`, so it stays.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  async deleteUser(user: UserRecord): Promise<void> {
    if (user.username !== undefined) await this.unlinkAlias(this.usernameKey(user.username), user.sub);
    if (user.email) await this.unlinkEmail(user.email, user.sub);
    if (user.phoneNumber) await this.unlinkPhone(user.phoneNumber, user.sub);
    await (await this.kv()).delete(`users/${user.sub}`);
  }

  async listUsers(): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    for (const item of await this.listAll('users/')) {
      const user = parseUserRecord(item.value);
      if (user) users.push(user);
    }
    return users.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The raw counter record of a decoy id (a UUID derived from the pool secret), if any. */
  async readDecoy(id: string): Promise<unknown> {
    if (!UUID_RE.test(id)) return undefined;
    return this.read(`decoys/${id}`);
  }

  writeDecoy(id: string, record: unknown): Promise<void> {
    if (!UUID_RE.test(id)) return Promise.reject(new TypeError(`Not a decoy id: ${id}`));
    return this.write(`decoys/${id}`, record);
  }

  async readSession(originJti: string): Promise<SessionRecord | undefined> {
    if (!UUID_RE.test(originJti)) return undefined;
    return parseSessionRecord(await this.read(`sessions/${originJti}`));
  }

  writeSession(session: SessionRecord): Promise<void> {
    return this.write(`sessions/${session.originJti}`, session);
  }

  /** Deletes sessions whose refresh token has expired (or that no longer parse); returns how many. */
  async pruneSessions(nowMs: number): Promise<number> {
    const kv = await this.kv();
    let removed = 0;
    for (const item of await this.listAll('sessions/')) {
      const session = parseSessionRecord(item.value);
      if (session && session.expiresAt > nowMs) continue;
      try {
        // Only the version looked at: a session refreshed meanwhile is not removed.
        if (await kv.delete(item.key, { ifVersion: item.version })) removed += 1;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return removed;
  }
}

/** Usernames match in any case too (`UsernameConfiguration.CaseSensitive: false`). */
export function normaliseUsername(username: string): string {
  return username.toLowerCase();
}

/** Sign-in is case-insensitive (Amplify's default `signInCaseSensitive: false`). */
export function normaliseEmail(email: string): string {
  return email.toLowerCase();
}
