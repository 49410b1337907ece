import { describe, expect, it } from 'vitest';
import { isPlainHttpLoopback, sessionCookie, type CookiePolicy } from './cookie-policy.js';

const headers = (init: Record<string, string>): Headers => new Headers(init);

describe('isPlainHttpLoopback', () => {
  it('is true only for a loopback Host with no sign of https or another origin', () => {
    for (const host of ['localhost', 'localhost:5173', 'LOCALHOST:3001', '127.0.0.1:3001', '[::1]:3001']) {
      expect(isPlainHttpLoopback(headers({ host })), host).toBe(true);
    }
    expect(isPlainHttpLoopback(headers({ host: 'localhost:5173', origin: 'http://localhost:5173', 'x-forwarded-proto': 'http' }))).toBe(true);
    for (const host of ['example.com', 'localhost.example.com', 'localhost@example.com', 'localhost:5173/x', '127.0.0.2', '0.0.0.0:3001', '[::2]', '']) {
      expect(isPlainHttpLoopback(headers({ host })), host).toBe(false);
    }
    expect(isPlainHttpLoopback(new Headers())).toBe(false);
    expect(isPlainHttpLoopback(headers({ host: 'localhost', 'x-forwarded-proto': 'https' }))).toBe(false);
    expect(isPlainHttpLoopback(headers({ host: 'localhost', 'x-forwarded-proto': 'http, https' }))).toBe(false);
    expect(isPlainHttpLoopback(headers({ host: 'localhost', origin: 'https://localhost:5173' }))).toBe(false);
    expect(isPlainHttpLoopback(headers({ host: 'localhost', origin: 'http://evil.example' }))).toBe(false);
    expect(isPlainHttpLoopback(headers({ host: 'localhost', origin: 'null' }))).toBe(false);
  });
});

describe('sessionCookie', () => {
  const policy: CookiePolicy = { baseName: 'app.auth.session', sameSite: 'lax', maxAge: 60, allowInsecureLocalhost: true };

  it('is __Host-, Secure, HttpOnly, Path=/ everywhere but plain-http loopback', () => {
    expect(sessionCookie(policy, headers({ host: 'app.example.com' }))).toEqual({
      name: '__Host-app.auth.session',
      options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 60 },
    });
    expect(sessionCookie(policy, headers({ host: 'localhost:5173' }))).toEqual({
      name: 'app.auth.session',
      options: { httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAge: 60 },
    });
    expect(sessionCookie({ ...policy, allowInsecureLocalhost: false }, headers({ host: 'localhost:5173' })).options.secure).toBe(true);
  });

  it('keeps SameSite=None Secure, and falls back to Lax where Secure is dropped', () => {
    const none = { ...policy, sameSite: 'none' as const };
    expect(sessionCookie(none, headers({ host: 'api.example.com' })).options).toMatchObject({ sameSite: 'none', secure: true });
    expect(sessionCookie(none, headers({ host: 'localhost' })).options).toMatchObject({ sameSite: 'lax', secure: false });
  });
});
