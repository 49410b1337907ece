/**
 * The local store's memory of record files: their text by key, bounded in
 * total size, least recently used out first. Safe because one process owns
 * a store directory (local-store.ts); texts rather than parsed records, so a
 * caller that mutates a returned value cannot change what the next one gets.
 */
export class RecordCache {
  readonly #texts = new Map<string, string>();
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  get(key: string): string | undefined {
    const text = this.#texts.get(key);
    if (text !== undefined) {
      // Re-inserted so Map order stays least recently used first.
      this.#texts.delete(key);
      this.#texts.set(key, text);
    }
    return text;
  }

  set(key: string, text: string): void {
    this.delete(key);
    if (text.length > this.#maxChars) return;
    this.#texts.set(key, text);
    this.#chars += text.length;
    for (const [oldest, oldText] of this.#texts) {
      if (this.#chars <= this.#maxChars) break;
      this.#texts.delete(oldest);
      this.#chars -= oldText.length;
    }
  }

  delete(key: string): void {
    const text = this.#texts.get(key);
    if (text === undefined) return;
    this.#texts.delete(key);
    this.#chars -= text.length;
  }
}
