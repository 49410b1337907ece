import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isAtomicTempFile, removeFileDurably, writeFileAtomic } from '../atomic-file.js';
import { readDirIfExists, readTextIfExists } from '../if-exists.js';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { parseSessionRecord, parseUserRecord, UUID_RE, type SessionRecord, type UserRecord } from './records.js';

/**
 * Files of the local user pool, all under `<dataDir>/user-pool/` (mode 0700):
 *
 * - `users/<sub>.json`: one file per user;
 * - `emails/<sha256(email)>.json`: `{ sub }`, the sign-in alias index
 *   (hashed so addresses do not appear in file names);
 * - `phones/<sha256(phone)>.json`: the same for phone numbers, in a pool
 *   that signs in by phone;
 * - `usernames/<sha256(lowercase username)>.json`: the same for usernames, in
 *   a pool that signs in by username;
 * - `sessions/<origin_jti>.json`: one file per sign-in (refresh token hash);
 * - `decoys/<id>.json`: failure counters of a name with no account (see decoy.ts).
 *
 * Nothing is cached: every request reads the files, so the CLI can change
 * users while the dev server runs.
 */
export class UserPoolStore {
  readonly root: string;
  private rootReady: Promise<void> | undefined;

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

  private userFile(sub: string): string {
    return path.join(this.root, 'users', `${sub}.json`);
  }

  private emailFile(email: string): string {
    const digest = createHash('sha256').update(normaliseEmail(email)).digest('hex');
    return path.join(this.root, 'emails', `${digest}.json`);
  }

  private usernameFile(username: string): string {
    const digest = createHash('sha256').update(normaliseUsername(username)).digest('hex');
    return path.join(this.root, 'usernames', `${digest}.json`);
  }

  private phoneFile(phone: string): string {
    const digest = createHash('sha256').update(phone).digest('hex');
    return path.join(this.root, 'phones', `${digest}.json`);
  }

  private sessionFile(originJti: string): string {
    return path.join(this.root, 'sessions', `${originJti}.json`);
  }

  async readUser(sub: string): Promise<UserRecord | undefined> {
    // The check keeps untrusted input (a USERNAME) from naming other paths.
    if (!UUID_RE.test(sub)) return undefined;
    return parseUserRecord(await this.readJson(this.userFile(sub)));
  }

  async subForEmail(email: string): Promise<string | undefined> {
    const entry = await this.readJson(this.emailFile(email));
    return isJsonObject(entry) && typeof entry.sub === 'string' && UUID_RE.test(entry.sub) ? entry.sub : undefined;
  }

  async subForPhone(phone: string): Promise<string | undefined> {
    const entry = await this.readJson(this.phoneFile(phone));
    return isJsonObject(entry) && typeof entry.sub === 'string' && UUID_RE.test(entry.sub) ? entry.sub : undefined;
  }

  /** Looks a user up by a sign-in name: email (any case) or phone number as the pool allows, or username (= sub). */
  async findUser(login: string): Promise<UserRecord | undefined> {
    if (UUID_RE.test(login)) {
      const user = await this.readUser(login);
      if (user) return user;
    }
    if (this.usernameSignIn) {
      const entry = await this.readJson(this.usernameFile(login));
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
    return this.writeJson(this.phoneFile(phone), { sub });
  }

  async unlinkPhone(phone: string, sub: string): Promise<void> {
    if ((await this.subForPhone(phone)) === sub) await removeFileDurably(this.phoneFile(phone));
  }

  /** Writes a new user and the aliases it signs in with; the caller holds the alias locks. */
  async addUser(user: UserRecord): Promise<void> {
    await this.writeUser(user);
    if (user.username !== undefined) await this.writeJson(this.usernameFile(user.username), { sub: user.sub });
    if (this.emailSignIn && user.email) await this.linkEmail(user.email, user.sub);
    // Linked even where phone numbers are not sign-in names (findUser ignores them there), so a user
    // added by the CLI, which does not know the dev server's settings, signs in by phone in a phone pool.
    if (user.phoneNumber) await this.linkPhone(user.phoneNumber, user.sub);
  }

  writeUser(user: UserRecord): Promise<void> {
    return this.writeJson(this.userFile(user.sub), user);
  }

  linkEmail(email: string, sub: string): Promise<void> {
    return this.writeJson(this.emailFile(email), { sub });
  }

  /** Removes an alias only if it still points at `sub`. */
  async unlinkEmail(email: string, sub: string): Promise<void> {
    if ((await this.subForEmail(email)) === sub) await removeFileDurably(this.emailFile(email));
  }

  async deleteUser(user: UserRecord): Promise<void> {
    if (user.username !== undefined) await removeFileDurably(this.usernameFile(user.username));
    if (user.email) await this.unlinkEmail(user.email, user.sub);
    if (user.phoneNumber) await this.unlinkPhone(user.phoneNumber, user.sub);
    await removeFileDurably(this.userFile(user.sub));
  }

  async listUsers(): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    for (const name of await this.list('users')) {
      const user = await this.readUser(name.slice(0, -'.json'.length));
      if (user) users.push(user);
    }
    return users.sort((a, b) => a.createdAt - b.createdAt);
  }

  private decoyFile(id: string): string {
    return path.join(this.root, 'decoys', `${id}.json`);
  }

  /** The raw counter record of a decoy id (a UUID derived from the pool secret), if any. */
  async readDecoy(id: string): Promise<unknown> {
    if (!UUID_RE.test(id)) return undefined;
    return this.readJson(this.decoyFile(id));
  }

  writeDecoy(id: string, record: unknown): Promise<void> {
    if (!UUID_RE.test(id)) return Promise.reject(new TypeError(`Not a decoy id: ${id}`));
    return this.writeJson(this.decoyFile(id), record);
  }

  async readSession(originJti: string): Promise<SessionRecord | undefined> {
    if (!UUID_RE.test(originJti)) return undefined;
    return parseSessionRecord(await this.readJson(this.sessionFile(originJti)));
  }

  writeSession(session: SessionRecord): Promise<void> {
    return this.writeJson(this.sessionFile(session.originJti), session);
  }

  /** Deletes sessions whose refresh token has expired; returns how many. */
  async pruneSessions(nowMs: number): Promise<number> {
    let removed = 0;
    for (const name of await this.list('sessions')) {
      const session = await this.readSession(name.slice(0, -'.json'.length));
      if (session && session.expiresAt > nowMs) continue;
      if (await removeFileDurably(path.join(this.root, 'sessions', name))) removed += 1;
    }
    return removed;
  }

  private async list(dir: string): Promise<string[]> {
    const entries = await readDirIfExists(path.join(this.root, dir));
    return entries.map((entry) => entry.name).filter((name) => name.endsWith('.json') && !isAtomicTempFile(name));
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
