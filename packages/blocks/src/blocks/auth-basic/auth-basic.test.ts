import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scope } from '../../core/scope.js';
import { AuthBasic, KVStore } from '../../index.js';
import { LocalKVStore } from '../kv-store/local-store.js';
import { closeLocalStore } from '../kv-store/testing/local-store-state.js';
import type { AuthBasicStores } from './options.js';
import { describeAuthBasicSuite } from './testing/suite.js';

const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) {
    await closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

async function localStores(): Promise<AuthBasicStores> {
  const root = await mkdtemp(path.join(tmpdir(), 'blocks-auth-'));
  const open = <T>(name: string): LocalKVStore<T> => {
    const dir = path.join(root, name);
    dirs.push(dir);
    return new LocalKVStore<T>(dir);
  };
  dirs.push(root);
  return { users: open('users'), sessions: open('sessions'), codes: open('codes'), throttle: open('throttle') };
}

describeAuthBasicSuite('local files', localStores);

describe('AuthBasic declaration', () => {
  it('declares its four KVStores and itself in the scope, so deployment finds them', () => {
    const scope = new Scope('declared');
    const auth = new AuthBasic(scope, 'auth');
    const api = auth.createApi();
    expect(auth.createApi()).toBe(api);
    const kinds = Object.fromEntries([...scope.resources].map(([id, resource]) => [id, resource.kind]));
    expect(kinds).toEqual({
      auth: 'AuthBasic',
      'auth-users': 'KVStore',
      'auth-sessions': 'KVStore',
      'auth-codes': 'KVStore',
      'auth-throttle': 'KVStore',
      'auth-api': 'ApiNamespace',
    });
    expect(scope.resources.get('auth-users')).toBeInstanceOf(KVStore);
  });

  it('refuses bad options at startup', () => {
    const scope = new Scope('bad-options');
    expect(() => new AuthBasic(scope, 'a', { sessionDuration: 0 })).toThrow(/sessionDuration/);
    expect(() => new AuthBasic(scope, 'b', { passwordPolicy: { minLength: 0 } })).toThrow(/passwordPolicy/);
    expect(() => new AuthBasic(scope, 'c', { passwordHashing: { N: 2 ** 14 } })).toThrow(/only raise/);
    expect(() => new AuthBasic(scope, 'd', { lockout: { maxFailures: 1.5 } })).toThrow(/maxFailures/);
    expect(() => new AuthBasic(scope, 'x'.repeat(40))).toThrow(/too long/);
    expect(() => new AuthBasic(scope, 'e', { passwordHashing: { N: 2 ** 18 } })).not.toThrow();
  });
});
