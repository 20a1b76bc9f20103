/**
 * A small least-recently-used cache, so that compiling the same SQL over and over
 * costs one Map lookup while a program that builds SQL dynamically cannot grow
 * memory without bound.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  /** @param capacity - how many entries to keep before the least recently used is dropped */
  constructor(readonly capacity: number) {}

  /** The cached value, marked as recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map iterates in insertion order, so re-inserting moves the key to the young end.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores a value, dropping the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** How many entries are cached. */
  get size(): number {
    return this.#entries.size;
  }
}
