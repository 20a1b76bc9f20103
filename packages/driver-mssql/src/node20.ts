/**
 * tedious 20 (pulled in by mssql 12) calls `Promise.withResolvers`, which Node gained in
 * version 22; sqlblocks supports Node 20.19+. Until the workspace pins tedious 19 (which
 * supports Node 18.17+) this adds the one missing function, exactly as specified, and
 * only where it is missing. It runs when the first data source options are built, before
 * tedious opens any connection.
 */
export function ensurePromiseWithResolvers(): void {
  const PromiseWithResolvers = Promise as PromiseConstructor & { withResolvers?: unknown };
  if (typeof PromiseWithResolvers.withResolvers === "function") return;
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
