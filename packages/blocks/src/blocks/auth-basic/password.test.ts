import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, PasswordHasher } from './password.js';
import { FAST_SCRYPT } from './testing/harness.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(FAST_SCRYPT);

  it('stores the parameters and a fresh salt with every hash, and verifies only the right password', async () => {
    const first = await hasher.hash('pässword 1');
    const second = await hasher.hash('pässword 1');
    expect(first).toMatchObject({ alg: 'scrypt', N: FAST_SCRYPT.N, r: FAST_SCRYPT.r, p: FAST_SCRYPT.p });
    expect(Buffer.from(first.salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(first.hash, 'base64url')).toHaveLength(FAST_SCRYPT.keylen);
    expect(second.salt).not.toBe(first.salt);
    expect(await hasher.verify(first, 'pässword 1')).toBe(true);
    expect(await hasher.verify(first, 'pässword 2')).toBe(false);
    expect(await hasher.verify(undefined, 'pässword 1')).toBe(false);
  });

  it('verifies a hash made with other parameters, and says when it needs upgrading', async () => {
    const old = await new PasswordHasher({ ...FAST_SCRYPT, N: 2 ** 9 }).hash('secret 1');
    expect(await hasher.verify(old, 'secret 1')).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('secret 1'))).toBe(false);
    expect(new PasswordHasher({ ...FAST_SCRYPT, p: 2 }).needsRehash(old)).toBe(true);
  });

  it('refuses tampered records without doing unbounded work', async () => {
    const good = await hasher.hash('secret 1');
    for (const bad of [
      { ...good, N: 2 ** 30 },
      { ...good, N: 1000 },
      { ...good, r: 0 },
      { ...good, p: 1e6 },
      { ...good, hash: 'AAAA' },
      { ...good, salt: '' },
      { ...good, alg: 'md5' as 'scrypt' },
    ]) {
      expect(await hasher.verify(bad, 'secret 1')).toBe(false);
      expect(hasher.needsRehash(bad)).toBe(true);
    }
  });

  it('defaults to at least OWASP’s scrypt minimum', () => {
    expect(DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * DEFAULT_SCRYPT.p).toBeGreaterThanOrEqual(2 ** 17 * 8);
    expect(() => new PasswordHasher({ ...FAST_SCRYPT, N: 1000 })).toThrow(/power of two/);
  });
});
