import { runStorage } from "./context.js";
import { cancelRun, createRun, executeRun, prepareRecording } from "./engine.js";
import { InvalidRunOptionsError, RunCancelledError, type RunKind } from "./errors.js";
import { currentRunExecutor, type RunExecutor } from "./executor.js";
import { type FlowOptions, type ResolvedRunOptions, resolveRunOptions, type TaskOptions } from "./options.js";

/** Options of {@link Task.map}. */
export interface MapOptions {
  /** How many items run at once (default: all). */
  concurrency?: number;
}

/**
 * A function wrapped by {@link flow}: calling it creates a flow run and resolves with the
 * function's result (or rejects with its error after retries).
 */
export interface Flow<A extends unknown[], R> {
  (...args: A): Promise<Awaited<R>>;
  readonly kind: "flow";
  /** The validated options, defaults filled in. */
  readonly options: ResolvedRunOptions;
  /** The wrapped function, for tests: calling it runs no flow. */
  readonly fn: (...args: A) => R;
  /** A copy with some options replaced (Prefect's `with_options`). */
  withOptions(overrides: FlowOptions): Flow<A, R>;
}

/**
 * A function wrapped by {@link task}: calling it creates a task run (inside the current flow
 * run, if any) and resolves with the function's result.
 */
export interface Task<A extends unknown[], R> {
  (...args: A): Promise<Awaited<R>>;
  readonly kind: "task";
  readonly options: ResolvedRunOptions;
  readonly fn: (...args: A) => R;
  withOptions(overrides: TaskOptions): Task<A, R>;
  /**
   * Runs the task once per item (the item is its first argument), at most `concurrency`
   * at a time, and resolves with the results in item order. All task runs are created
   * PENDING at once. When an item fails, no further items start (they end CANCELLED),
   * the running ones finish, and the first error is thrown.
   *
   * @example
   * const sizes = await countRows.map(["customers", "orders"], { concurrency: 2 });
   */
  map(items: Iterable<A[0]>, options?: MapOptions): Promise<Awaited<R>[]>;
}

type Definition<A extends unknown[], R> = [FlowOptions, (...args: A) => R];

function parseDefinition<A extends unknown[], R>(
  kind: RunKind,
  first: string | FlowOptions | ((...args: A) => R),
  second: ((...args: A) => R) | undefined,
): Definition<A, R> {
  if (typeof first === "function") return [{}, first];
  if (typeof second !== "function") {
    throw new InvalidRunOptionsError(`${kind}() needs a function: ${kind}(name | options, fn) or ${kind}(fn)`);
  }
  if (typeof first === "string") return [{ name: first }, second];
  if (typeof first !== "object" || first === null) {
    throw new InvalidRunOptionsError(`the first argument of ${kind}() must be a name, an options object or a function`);
  }
  return [first, second];
}

function describe(target: object, kind: RunKind, options: ResolvedRunOptions, fn: unknown): void {
  Object.defineProperty(target, "name", { value: options.name });
  Object.defineProperty(target, "kind", { value: kind, enumerable: true });
  Object.defineProperty(target, "options", { value: options, enumerable: true });
  Object.defineProperty(target, "fn", { value: fn });
}

function makeFlow<A extends unknown[], R>(raw: FlowOptions, fn: (...args: A) => R): Flow<A, R> {
  const options = resolveRunOptions(raw, fn.name, "flow");
  const wrapped = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    return executeRun(createRun("flow", options), fn, this, args);
  };
  describe(wrapped, "flow", options, fn);
  Object.defineProperty(wrapped, "withOptions", {
    value: (overrides: FlowOptions) => makeFlow({ ...raw, ...overrides }, fn),
  });
  return wrapped as unknown as Flow<A, R>;
}

function makeTask<A extends unknown[], R>(raw: TaskOptions, fn: (...args: A) => R): Task<A, R> {
  const options = resolveRunOptions(raw, fn.name, "task");
  const wrapped = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    const execute = () => executeRun(createRun("task", options), fn, this, args);
    const executor = currentRunExecutor();
    return executor ? executor.runTask(options.name, execute) : execute();
  };
  describe(wrapped, "task", options, fn);
  Object.defineProperty(wrapped, "withOptions", {
    value: (overrides: TaskOptions) => makeTask({ ...raw, ...overrides }, fn),
  });
  Object.defineProperty(wrapped, "map", {
    value: (items: Iterable<A[0]>, mapOptions: MapOptions = {}) => mapTask(options, fn, items, mapOptions),
  });
  return wrapped as unknown as Task<A, R>;
}

async function mapTask<A extends unknown[], R>(
  options: ResolvedRunOptions,
  fn: (...args: A) => R,
  items: Iterable<A[0]>,
  mapOptions: MapOptions,
): Promise<Awaited<R>[]> {
  const concurrency = mapOptions.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency === Number.POSITIVE_INFINITY || (Number.isInteger(concurrency) && concurrency > 0))) {
    throw new InvalidRunOptionsError(`concurrency must be a whole number > 0, got ${String(mapOptions.concurrency)}`);
  }
  const list = [...items];
  const executor = currentRunExecutor();
  if (executor) return mapThroughExecutor(executor, options, fn, list, concurrency);
  const parent = runStorage.getStore();
  const runs = list.map(() => createRun("task", options, parent));
  if (runs.length === 0) return [];
  await prepareRecording(runs[0]!).catch((error: unknown) => {
    for (const run of runs) run.abandon(String(error));
    throw error;
  });
  for (const run of runs) run.save();
  const results = new Array<Awaited<R>>(list.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < list.length && !failure) {
      const index = next++;
      try {
        results[index] = await executeRun(runs[index]!, fn, undefined, [list[index]] as unknown as A);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  if (failure) {
    for (const run of runs.slice(next)) cancelRun(run, `an earlier item of ${options.name}.map() failed`);
    throw failure.error;
  }
  return results;
}

/**
 * `task.map` under a {@link RunExecutor}: every item is handed to the executor at once and
 * in item order (a durable executor numbers its steps by call order, which must not
 * depend on timing), and waits inside for one of `concurrency` slots. Runs are created when
 * they start; after a failure, the items still waiting end CANCELLED without running.
 */
async function mapThroughExecutor<A extends unknown[], R>(
  executor: RunExecutor,
  options: ResolvedRunOptions,
  fn: (...args: A) => R,
  list: A[0][],
  concurrency: number,
): Promise<Awaited<R>[]> {
  let free = Math.min(concurrency, Math.max(list.length, 1));
  const waiting: (() => void)[] = [];
  let failure: { error: unknown } | undefined;
  const acquire = async (): Promise<void> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  const item = (value: A[0]) => async (): Promise<Awaited<R>> => {
    await acquire();
    try {
      const run = createRun("task", options);
      if (failure) {
        const reason = `an earlier item of ${options.name}.map() failed`;
        cancelRun(run, reason);
        throw new RunCancelledError("task", run.runName, reason);
      }
      return await executeRun(run, fn, undefined, [value] as unknown as A).catch((error: unknown) => {
        failure ??= { error };
        throw error;
      });
    } finally {
      release();
    }
  };
  const settled = await Promise.allSettled(
    list.map((value) =>
      executor.runTask(options.name, item(value)).catch((error: unknown) => {
        failure ??= { error };
        throw error;
      }),
    ),
  );
  if (failure) throw failure.error;
  return settled.map((result) => (result as PromiseFulfilledResult<Awaited<R>>).value);
}

/**
 * Wraps a function as a flow: each call is a flow run with a state, timings, attempts and
 * a log, recorded in the store; tasks called inside it become its task runs. The returned
 * function has the same parameters and resolves with the same result.
 *
 * A flow fails when its function throws, e.g. because a task it awaited failed; a flow
 * that catches a task's error completes.
 *
 * @example
 * const etl = flow({ name: "etl", retries: 1 }, async (day: string) => {
 *   const rows = await extract(day);
 *   return load(rows);
 * });
 * await etl("2024-01-01");
 */
export function flow<A extends unknown[], R>(fn: (...args: A) => R): Flow<A, R>;
export function flow<A extends unknown[], R>(nameOrOptions: string | FlowOptions, fn: (...args: A) => R): Flow<A, R>;
export function flow<A extends unknown[], R>(
  first: string | FlowOptions | ((...args: A) => R),
  second?: (...args: A) => R,
): Flow<A, R> {
  const [options, fn] = parseDefinition("flow", first, second);
  return makeFlow(options, fn);
}

/**
 * Wraps a function as a task: each call is a task run of the current flow run, with its
 * own retries, timeout and log. Called outside any flow, a task still runs and is
 * recorded as a task run without a flow (as in Prefect).
 *
 * @example
 * const extract = task({ name: "extract", retries: 2, retryDelayMs: [1000, 5000] }, async (day: string) => {
 *   await using db = await SqlConnector.load("warehouse");
 *   return db.fetchAll("SELECT * FROM orders WHERE day = :day", { day });
 * });
 */
export function task<A extends unknown[], R>(fn: (...args: A) => R): Task<A, R>;
export function task<A extends unknown[], R>(nameOrOptions: string | TaskOptions, fn: (...args: A) => R): Task<A, R>;
export function task<A extends unknown[], R>(
  first: string | TaskOptions | ((...args: A) => R),
  second?: (...args: A) => R,
): Task<A, R> {
  const [options, fn] = parseDefinition("task", first, second);
  return makeTask(options, fn);
}
