/** checkedOptions: now or on first read, one value (or one error) either way. */
import { describe, expect, it, vi } from 'vitest';
import { checkedOptions } from './option-check.js';

describe('checkedOptions', () => {
  it('at construction: derives at once and throws there', () => {
    const derive = vi.fn(() => ({ limit: 3 }));
    const read = checkedOptions('at-construction', derive);
    expect(derive).toHaveBeenCalledTimes(1);
    expect(read()).toBe(read());
    expect(derive).toHaveBeenCalledTimes(1);
    expect(() =>
      checkedOptions('at-construction', () => {
        throw new TypeError('bad limit');
      }),
    ).toThrow('bad limit');
  });

  it('on first use: derives on the first read only, and a refusal is the same error on every read', () => {
    const derive = vi.fn(() => ({ limit: 3 }));
    const read = checkedOptions('on-first-use', derive);
    expect(derive).not.toHaveBeenCalled();
    expect(read()).toEqual({ limit: 3 });
    expect(read()).toBe(read());
    expect(derive).toHaveBeenCalledTimes(1);

    const refusal = new TypeError('bad limit');
    const refuse = vi.fn(() => {
      throw refusal;
    });
    const refused = checkedOptions('on-first-use', refuse);
    expect(refused).toThrow(refusal);
    expect(refused).toThrow(refusal);
    expect(refuse).toHaveBeenCalledTimes(1);
  });
});
