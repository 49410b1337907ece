import { describe, expectTypeOf, it } from 'vitest';
import type * as Fixture from '../testing/fixture-app/index.js';
import { createBlocksClient, type BlocksClient } from './index.js';

type Client = BlocksClient<typeof Fixture>;
declare const client: Client;

describe('BlocksClient typing', () => {
  it('has one property per exported ApiNamespace and nothing else', () => {
    expectTypeOf<keyof Client>().toEqualTypeOf<'greetings' | 'counter'>();
  });

  it('infers parameters and results', () => {
    expectTypeOf(client.greetings.hello).parameters.toEqualTypeOf<[name: string, excited?: boolean]>();
    expectTypeOf(client.greetings.hello).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.counter.value).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.greetings.header).returns.toEqualTypeOf<Promise<string | null>>();
  });

  it('describes results after the JSON round trip', () => {
    expectTypeOf(client.greetings.stamp).returns.resolves.toEqualTypeOf<{ at: string; label: 'epoch' }>();
  });

  it('takes the schema input type for validated methods', () => {
    expectTypeOf(client.greetings.add).parameters.toEqualTypeOf<[input: { a: number; b?: number | undefined }]>();
    expectTypeOf(client.greetings.add).returns.toEqualTypeOf<Promise<number>>();
  });

  it('rejects wrong calls at compile time', () => {
    const typed = createBlocksClient<typeof Fixture>({ url: 'http://localhost/aws-blocks/api' });
    // @ts-expect-error: name must be a string
    void typed.greetings.hello(42);
    // @ts-expect-error: not an ApiNamespace export
    void typed.notAnApi;
    // @ts-expect-error: no such method
    void typed.counter.reset();
    // @ts-expect-error: schema input requires `a`
    void typed.greetings.add({ b: 2 });
  });
});
