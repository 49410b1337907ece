import { describe, expect, it } from 'vitest';
import { HeaderMap } from './header-map.js';

type Op = ['append' | 'set', string, string] | ['delete', string];

/** Runs the same operations on a HeaderMap and on Node's own Headers, so the contract is checked against the real thing. */
function both(ops: Op[]): { ours: HeaderMap; theirs: Headers } {
  const ours = new HeaderMap();
  const theirs = new Headers();
  for (const op of ops) {
    if (op[0] === 'delete') {
      ours.delete(op[1]);
      theirs.delete(op[1]);
    } else {
      ours[op[0]](op[1], op[2]);
      theirs[op[0]](op[1], op[2]);
    }
  }
  return { ours, theirs };
}

describe('HeaderMap', () => {
  const ops: Op[] = [
    ['append', 'X-Trace', 'a'],
    ['append', 'x-trace', 'b'],
    ['set', 'Content-Type', 'text/plain'],
    ['append', 'Set-Cookie', 'a=1; Path=/'],
    ['append', 'set-cookie', 'b=2'],
    ['append', 'Accept', '  padded\t'],
    ['append', 'zeta', 'last'],
    ['append', 'gone', 'soon'],
    ['delete', 'GONE'],
  ];

  it('reads, iterates and joins exactly as WHATWG Headers do', () => {
    const { ours, theirs } = both(ops);
    expect([...ours]).toEqual([...theirs]);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect([...ours.values()]).toEqual([...theirs.values()]);
    expect(ours.getSetCookie()).toEqual(theirs.getSetCookie());
    for (const name of ['x-trace', 'SET-COOKIE', 'accept', 'gone', 'missing']) {
      expect(ours.get(name)).toBe(theirs.get(name));
      expect(ours.has(name)).toBe(theirs.has(name));
    }
    const seen: string[] = [];
    ours.forEach((value, name, parent) => {
      expect(parent).toBe(ours);
      seen.push(`${name}=${value}`);
    });
    expect(seen).toEqual([...theirs].map(([name, value]) => `${name}=${value}`));
  });

  it('accepts what the Headers constructor accepts', () => {
    const record = { 'Content-Type': 'application/json', 'X-A': '1' };
    expect([...new HeaderMap(record)]).toEqual([...new Headers(record)]);
    const pairs: Array<[string, string]> = [['b', '1'], ['A', '2'], ['b', '3']];
    expect([...new HeaderMap(pairs)]).toEqual([...new Headers(pairs)]);
    const copied = new HeaderMap(new HeaderMap(pairs));
    expect([...copied]).toEqual([...new Headers(pairs)]);
    expect(() => new HeaderMap([['a', 'b', 'c'] as unknown as [string, string]])).toThrow(TypeError);
  });

  it('refuses the names and values WHATWG Headers refuse', () => {
    const map = new HeaderMap();
    for (const name of ['', 'bad name', 'a:b', 'é', 'x\n']) {
      expect(() => new Headers().set(name, 'v')).toThrow(TypeError);
      expect(() => map.set(name, 'v')).toThrow(TypeError);
      expect(() => map.get(name)).toThrow(TypeError);
    }
    for (const value of ['a\r\nInjected: 1', 'a\nb', 'nul\0']) {
      expect(() => new Headers().append('x', value)).toThrow(TypeError);
      expect(() => map.append('x', value)).toThrow(TypeError);
    }
    expect([...map]).toEqual([]);
  });

  it('iterates a snapshot: changes during iteration do not disturb it', () => {
    const map = new HeaderMap({ a: '1', b: '2' });
    const names: string[] = [];
    for (const [name] of map) {
      names.push(name);
      map.set('c', '3');
    }
    expect(names).toEqual(['a', 'b']);
    expect(map.get('c')).toBe('3');
  });
});
