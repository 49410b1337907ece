/**
 * A per-key async mutex for local mode's read-modify-write cycles (a KV
 * store's conditional puts, a user record's failure counters): tasks for one
 * key run one after another in this process; tasks for different keys run
 * freely. Each key's tasks form a promise chain, and the entry is dropped
 * when the chain drains, so the map does not grow with every key ever used.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
