/**
 * The unit per-address throttling counts against. IPv4 addresses count
 * alone; an IPv6 address counts with its /64, because one host usually has a
 * whole /64 to itself and could otherwise rotate addresses for free.
 */
import { isIP } from 'node:net';

function ipv6Groups(address: string): number[] {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes the last two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/** `ip:<address>` or `ip:<first four groups>::/64`; undefined when there is no usable address. */
export function ipThrottleKey(clientIp: string | undefined): string | undefined {
  if (clientIp === undefined) return undefined;
  const address = clientIp.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 4) return `ip:${address}`;
  if (version !== 6) return undefined;
  const groups = ipv6Groups(address);
  const mappedV4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mappedV4) {
    const [high = 0, low = 0] = groups.slice(6);
    return `ip:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `ip:${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}
