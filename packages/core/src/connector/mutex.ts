/** A first-come, first-served async lock: one holder at a time. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  /** Holders and waiters. */
  #count = 0;

  /** True while someone holds the lock or waits for it. */
  get locked(): boolean {
    return this.#count > 0;
  }

  /** Waits for the lock; call the returned function to release it (once; later calls do nothing). */
  acquire(): Promise<() => void> {
    this.#count++;
    let resolveHeld!: () => void;
    const held = new Promise<void>((resolve) => {
      resolveHeld = resolve;
    });
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#count--;
      resolveHeld();
    };
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }
}
