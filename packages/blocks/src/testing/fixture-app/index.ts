// A small Blocks app for the kit's own tests (client typing, dev server).
import { z } from 'zod';
import { ApiNamespace, ConflictError, Scope, withInput } from '../../index.js';

const scope = new Scope('fixture');

export const greetings = new ApiNamespace(scope, 'greetings', (context) => ({
  hello: (name: string, excited?: boolean) => `Hello, ${name}${excited ? '!' : '.'}`,
  stamp: () => ({ at: new Date(0), label: 'epoch' as const, skipped: undefined }),
  header: () => context.headers.get('x-fixture') ?? null,
  slow: async (ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'done';
  },
  conflict: () => {
    throw new ConflictError('Already there', { key: 'k' });
  },
  bug: () => {
    throw new Error('a bug the client must not see');
  },
  add: withInput(z.object({ a: z.number(), b: z.number().default(1) }), ({ a, b }) => a + b),
}));

export const counter = new ApiNamespace(scope, 'counter', () => ({
  async value(): Promise<number> {
    return 7;
  },
}));

export const notAnApi = { value: 1 };
export const VERSION = '1';
