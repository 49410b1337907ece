/**
 * Per-key async mutex. User records are read-modify-written (failure
 * counters, codes, session epochs), so two requests for the same user in
 * one process must not interleave between the read and the write.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Only the last waiter removes the entry, so the map stays small.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
