import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  it('serves a remembered token until its exp, and not from that second on', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t1', { sub: 'a', exp: 1000 });
    expect(tokens.get('t1', 999.9)).toEqual({ sub: 'a', exp: 1000 });
    expect(tokens.get('t1', 1000)).toBeUndefined();
    // Dropped, not just hidden: going back in time does not bring it back.
    expect(tokens.get('t1', 500)).toBeUndefined();
    expect(tokens.get('other', 1)).toBeUndefined();
  });

  it('does not remember a token without a numeric exp', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t', { sub: 'a' });
    tokens.remember('u', { sub: 'b', exp: '9999999999' as unknown as number });
    expect(tokens.size).toBe(0);
    expect(tokens.get('t', 0)).toBeUndefined();
  });

  it('hands every caller its own copy of the claims', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t', { sub: 'a', exp: 10, 'cognito:groups': ['users'] });
    const first = tokens.get('t', 1)!;
    (first['cognito:groups'] as string[]).push('admins');
    first.sub = 'mallory';
    expect(tokens.get('t', 1)).toEqual({ sub: 'a', exp: 10, 'cognito:groups': ['users'] });
  });

  it('stays within its bound, dropping the oldest first', () => {
    const tokens = new VerifiedTokens(3);
    for (const name of ['a', 'b', 'c', 'd']) tokens.remember(name, { sub: name, exp: 10 });
    expect(tokens.size).toBe(3);
    expect(tokens.get('a', 1)).toBeUndefined();
    expect(tokens.get('d', 1)).toMatchObject({ sub: 'd' });
    // Remembering a token again does not evict another.
    tokens.remember('d', { sub: 'd', exp: 10 });
    expect(tokens.size).toBe(3);
    expect(tokens.get('b', 1)).toMatchObject({ sub: 'b' });
  });
});
