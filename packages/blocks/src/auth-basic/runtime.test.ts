import { describe, expect, it } from 'vitest';
// Both entries in one module graph: the situation the runtime guard exists for.
import { AuthBasic, Scope } from '../index.js';
import '../index.aws.js';

describe('AuthBasic runtime selection', () => {
  it('refuses to guess when two kit entries were loaded into one module graph', () => {
    expect(() => new AuthBasic(new Scope('mixed'), 'auth')).toThrow(/more than one condition \(local, aws-runtime\)/);
  });

  it('works there with explicit stores and key', async () => {
    const { LocalKVStore } = await import('../kv/local-store.js');
    const dir = (name: string) => `${process.env.BLOCKS_DATA_DIR ?? '.'}/runtime-test/${name}`;
    const auth = new AuthBasic(new Scope('explicit'), 'auth', {
      overrides: {
        stores: { users: new LocalKVStore(dir('u')), sessions: new LocalKVStore(dir('s')), codes: new LocalKVStore(dir('c')), throttle: new LocalKVStore(dir('t')) },
        sessionKey: async () => new Uint8Array(32),
        allowInsecureLocalhost: false,
      },
    });
    expect(auth.kind).toBe('AuthBasic');
  });
});
