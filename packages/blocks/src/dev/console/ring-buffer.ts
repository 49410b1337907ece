/**
 * A log that forgets: at most `maxEntries` entries and `maxBytes` of their
 * estimated size, dropping the oldest first. The dev server runs for days,
 * so the request log must not grow with the number of calls it served.
 */
export interface RingBufferOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export class RingBuffer<T> {
  readonly #items: Array<{ item: T; bytes: number }> = [];
  #head = 0;
  #bytes = 0;
  readonly #options: RingBufferOptions;
  readonly #sizeOf: (item: T) => number;

  constructor(options: RingBufferOptions, sizeOf: (item: T) => number) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new RangeError('RingBuffer needs room for one entry');
    this.#options = options;
    this.#sizeOf = sizeOf;
  }

  push(item: T): void {
    const bytes = this.#sizeOf(item);
    this.#items.push({ item, bytes });
    this.#bytes += bytes;
    while (this.size > this.#options.maxEntries || (this.#bytes > this.#options.maxBytes && this.size > 1)) {
      const dropped = this.#items[this.#head]!;
      this.#bytes -= dropped.bytes;
      this.#items[this.#head] = undefined as never;
      this.#head += 1;
    }
    // Compact now and then: shifting on every push would be O(n) per call.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }

  get maxEntries(): number {
    return this.#options.maxEntries;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.#items.slice(this.#head).map((entry) => entry.item);
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let index = this.#items.length - 1; index >= this.#head; index -= 1) {
      const entry = this.#items[index]!;
      if (predicate(entry.item)) return entry.item;
    }
    return undefined;
  }

  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
    this.#bytes = 0;
  }
}
