import { describe, expect, it } from 'vitest';
import { clientSessionKey } from './testing/harness.js';
import {
  computeU,
  computeVerifier,
  computeX,
  createServerEphemeral,
  g,
  k,
  modPow,
  N,
  N_BYTES,
  padHex,
  parseHex,
  passwordClaimSignature,
  randomBigInt,
  serverSessionKey,
  verifierBytes,
} from './srp.js';

describe('padHex (Java BigInteger.toByteArray)', () => {
  it.each([
    [0n, '00'],
    [0x14n, '14'],
    [0x38n, '38'],
    [0xecn, '00ec'],
    [0xc8n, '00c8'],
    [0x7fn, '7f'],
    [0x80n, '0080'],
    [0x123n, '0123'],
    [0x8123n, '008123'],
  ])('pads %s to %s', (value, hex) => {
    expect(padHex(value)).toBe(hex);
  });

  it('pads N (top bit set) with a zero byte', () => {
    expect(padHex(N).slice(0, 4)).toBe('00ff');
    expect(padHex(N).length).toBe(2 * (N_BYTES + 1));
  });
});

describe('parseHex', () => {
  it('accepts odd-length hex of any case and refuses the rest', () => {
    expect(parseHex('abc')).toBe(0xabcn);
    expect(parseHex('ABC')).toBe(0xabcn);
    expect(parseHex('')).toBeUndefined();
    expect(parseHex('0x12')).toBeUndefined();
    expect(parseHex('12 ')).toBeUndefined();
    expect(parseHex('f'.repeat(3000))).toBeUndefined();
  });
});

describe('modPow', () => {
  it('matches naive exponentiation', () => {
    for (const [base, exp, mod] of [
      [2n, 10n, 1000n],
      [3n, 0n, 7n],
      [7n, 13n, 11n],
      [-3n, 3n, 7n],
      [123456789n, 987n, 1000003n],
    ] as const) {
      let expected = 1n;
      for (let i = 0n; i < exp; i += 1n) expected = (expected * base) % mod;
      if (expected < 0n) expected += mod;
      expect(modPow(base, exp, mod)).toBe(expected);
    }
  });

  it('obeys Fermat for the SRP prime', () => {
    expect(modPow(g, N - 1n, N)).toBe(1n);
  });
});

describe('SRP key agreement', () => {
  it('k is H(PAD(N) | PAD(g)) and nonzero', () => {
    expect(k > 0n && k < 2n ** 256n).toBe(true);
  });

  it('client and server derive the same 16-byte key', () => {
    // Amplify-sized (1024-bit) client secrets; a few rounds cover both padding cases of A, B, S and u.
    for (let i = 0; i < 8; i += 1) {
      const salt = randomBigInt(16);
      const x = computeX('blocks', crypto.randomUUID(), `pw-${i}-Ü✓`, salt);
      const v = computeVerifier(x);
      const { b, B } = createServerEphemeral(v);
      const a = randomBigInt(128);
      const A = modPow(g, a, N);
      const server = serverSessionKey({ A, B, b, v });
      const client = clientSessionKey({ a, A, B, x });
      expect(server?.length).toBe(16);
      expect(server?.equals(client)).toBe(true);
    }
  });

  it('a wrong password derives a different key', () => {
    const salt = randomBigInt(16);
    const v = computeVerifier(computeX('blocks', 'user', 'right', salt));
    const { b, B } = createServerEphemeral(v);
    const a = randomBigInt(32);
    const A = modPow(g, a, N);
    const wrong = clientSessionKey({ a, A, B, x: computeX('blocks', 'user', 'wrong', salt) });
    expect(serverSessionKey({ A, B, b, v })?.equals(wrong)).toBe(false);
  });

  it('refuses A ≡ 0 mod N, which would fix the key', () => {
    const v = computeVerifier(5n);
    const { b, B } = createServerEphemeral(v);
    expect(serverSessionKey({ A: 0n, B, b, v })).toBeUndefined();
    expect(serverSessionKey({ A: N, B, b, v })).toBeUndefined();
    expect(computeU(1n, B)).not.toBe(0n);
  });

  it('binds the signature to every input', () => {
    const key = Buffer.alloc(16, 3);
    const base = passwordClaimSignature(key, 'blocks', 'user', Buffer.from('block'), 'Mon Nov 23 02:14:27 UTC 2026');
    expect(base.length).toBe(32);
    expect(
      passwordClaimSignature(key, 'blocks', 'user', Buffer.from('block'), 'Mon Nov 23 02:14:28 UTC 2026'),
    ).not.toEqual(base);
    expect(passwordClaimSignature(key, 'block', 'suser', Buffer.from('block'), 'Mon Nov 23 02:14:27 UTC 2026')).toEqual(
      base,
    );
    expect(passwordClaimSignature(Buffer.alloc(16, 4), 'blocks', 'user', Buffer.from('block'), 'x')).not.toEqual(base);
  });

  it('compares verifiers at a fixed width', () => {
    expect(verifierBytes(1n).length).toBe(N_BYTES);
    expect(verifierBytes(N - 1n).length).toBe(N_BYTES);
  });
});
