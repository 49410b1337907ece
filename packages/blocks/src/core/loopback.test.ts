import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHostHeader, isLoopbackHostname, isLoopbackUrl } from './loopback.js';

describe('the loopback rule', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '::1', '[::1]'])('%s is this machine', (name) => {
    expect(isLoopbackHostname(name)).toBe(true);
  });

  it.each(['localhost.example.com', 'app.localhost', '127.0.0.2', 'example.com', '128.0.0.1', '127.0.0', '10.0.0.1', '::2', '0.0.0.0', 'localhostx', ''])(
    '%s is not',
    (name) => {
      expect(isLoopbackHostname(name)).toBe(false);
    },
  );

  it('reads socket addresses, IPv4-mapped ones included', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.0.0.2')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('192.168.1.4')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('accepts an origin only when it is exactly one, on loopback', () => {
    const origin = { protocols: ['http:'], originOnly: true } as const;
    expect(isLoopbackUrl('http://localhost:5173', origin)).toBe(true);
    expect(isLoopbackUrl('http://[::1]:5173', origin)).toBe(true);
    expect(isLoopbackUrl('https://localhost:5173', origin)).toBe(false);
    expect(isLoopbackUrl('http://localhost:5173/', origin)).toBe(false);
    expect(isLoopbackUrl('http://user@localhost:5173', origin)).toBe(false);
    expect(isLoopbackUrl('http://localhost.evil.example', origin)).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  it('accepts a Host header that is a loopback name and an optional port, nothing more', () => {
    for (const host of ['localhost', 'localhost:5173', '127.0.0.1:80', '[::1]:3000', ' localhost:1 ']) expect(isLoopbackHostHeader(host), host).toBe(true);
    for (const host of ['localhost:', 'evil@localhost', 'localhost/x', 'localhost.evil.example', 'example.com', '']) expect(isLoopbackHostHeader(host), host).toBe(false);
  });
});
