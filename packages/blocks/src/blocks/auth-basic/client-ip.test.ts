import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiNamespace } from '../../core/api-namespace.js';
import { Scope } from '../../core/scope.js';
import { createDispatcher } from '../../rpc/dispatcher.js';
import { serveRpc } from '../../transports/node.js';
import { ipThrottleKey } from './client-ip.js';

describe('ipThrottleKey', () => {
  it.each([
    ['203.0.113.7', 'ip:203.0.113.7'],
    [' 203.0.113.7 ', 'ip:203.0.113.7'],
    ['::ffff:203.0.113.7', 'ip:203.0.113.7'],
    ['::ffff:cb00:7107', 'ip:203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', 'ip:2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', 'ip:2001:db8:1:2::/64'],
    ['[2001:DB8:1:2::9]', 'ip:2001:db8:1:2::/64'],
    ['2001:db8::1', 'ip:2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'ip:fe80:0:0:0::/64'],
    ['::1', 'ip:0:0:0:0::/64'],
    ['::', 'ip:0:0:0:0::/64'],
    ['64:ff9b::203.0.113.7', 'ip:64:ff9b:0:0::/64'],
  ])('%s → %s', (address, key) => {
    expect(ipThrottleKey(address)).toBe(key);
  });

  it('has no key for a missing or malformed address (those requests get the per-account limit only)', () => {
    for (const bad of [undefined, '', 'unknown', '203.0.113.7, 10.0.0.1', '999.1.1.1', '1:2:3']) {
      expect(ipThrottleKey(bad)).toBeUndefined();
    }
  });
});

describe('RequestContext.clientIp', () => {
  it('is the TCP peer in the Node adapter, whatever X-Forwarded-For claims', async () => {
    const app = { probe: new ApiNamespace(new Scope('client-ip'), 'probe', (context) => ({ ip: () => context.clientIp ?? null })) };
    const dispatcher = createDispatcher(app);
    const server = createServer((req, res) => void serveRpc(req, res, dispatcher));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'probe.ip' }),
      });
      expect(((await response.json()) as { result: unknown }).result).toBe('127.0.0.1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
