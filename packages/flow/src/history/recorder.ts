import { type BlockStore, getDefaultStore, maskUrlPasswords, type StoreDatabase } from "@sqlblocks/core";
import type { FlowRunRecord, RunLogRecord, TaskRunRecord } from "./records.js";
import { flowRunUpsert, logInsert, RunHistory, taskRunUpsert } from "./repository.js";

/** Where run history goes; see {@link configureRunHistory}. */
export interface RunHistoryConfig {
  /** Record runs and logs at all (default true). Console logging is not affected. */
  enabled?: boolean;
  /**
   * The store to write to: a {@link BlockStore}, a {@link StoreDatabase}, or `undefined`
   * for the default store (`$SQLBLOCKS_HOME`, resolved when each top-level run starts).
   */
  store?: BlockStore | StoreDatabase | undefined;
}

/** Records buffered beyond this many are written without waiting for the next turn of the event loop. */
const MAX_BUFFERED_LOGS = 2000;

/**
 * Buffers run records and writes them in batches: one transaction per turn of the event
 * loop, where a run that started and finished in between is written once. This keeps the
 * cost of a task run to a few microseconds of bookkeeping.
 */
export class HistoryRecorder {
  #enabled = true;
  #configured: StoreDatabase | undefined;
  #history: RunHistory | undefined;
  readonly #settled = new WeakSet<StoreDatabase>();
  #flowRuns = new Map<string, FlowRunRecord>();
  #taskRuns = new Map<string, TaskRunRecord>();
  #logs: RunLogRecord[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  /** The write in progress, and the one queued behind it (which takes everything buffered by then). */
  #inFlight: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #warned = false;

  configure(config: RunHistoryConfig): void {
    if (config.enabled !== undefined) this.#enabled = config.enabled;
    if ("store" in config) {
      const store = config.store;
      this.#configured = store === undefined ? undefined : "db" in store ? store.db : store;
      this.#history = undefined;
    }
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The history being written to, once a run has attached it. */
  get history(): RunHistory | undefined {
    return this.#history;
  }

  /**
   * Resolves the store for a top-level run (opening the default store if needed) and, once
   * per store, settles runs left RUNNING by dead processes. Errors propagate: a flow does
   * not start when its history cannot be recorded.
   */
  async attach(): Promise<void> {
    if (!this.#enabled) return;
    const db = this.#configured ?? (await getDefaultStore()).db;
    if (this.#history?.db !== db) {
      if (this.#history) await this.flush();
      this.#history = new RunHistory(db);
    }
    if (!this.#settled.has(db)) {
      this.#settled.add(db);
      await this.#history.settleCrashedRuns();
    }
  }

  flowRun(record: FlowRunRecord): void {
    if (!this.#enabled) return;
    this.#flowRuns.set(record.id, record);
    this.#schedule();
  }

  taskRun(record: TaskRunRecord): void {
    if (!this.#enabled) return;
    this.#taskRuns.set(record.id, record);
    this.#schedule();
  }

  log(record: RunLogRecord): void {
    if (!this.#enabled) return;
    this.#logs.push(record);
    if (this.#logs.length >= MAX_BUFFERED_LOGS) void this.flush();
    else this.#schedule();
  }

  /**
   * Writes everything buffered; resolves when it is in the store. Never rejects. While a
   * write is in flight, what arrives meanwhile waits and goes out as one batch after it, so
   * a slow store (a server) gets few large writes instead of one per turn of the loop.
   */
  flush(): Promise<void> {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (!this.#history || (this.#flowRuns.size === 0 && this.#taskRuns.size === 0 && this.#logs.length === 0)) {
      return this.#next ?? this.#inFlight ?? Promise.resolve();
    }
    if (this.#inFlight) {
      this.#next ??= this.#inFlight.then(() => {
        this.#next = undefined;
        return this.#write();
      });
      return this.#next;
    }
    return this.#write();
  }

  #write(): Promise<void> {
    const history = this.#history;
    if (!history || (this.#flowRuns.size === 0 && this.#taskRuns.size === 0 && this.#logs.length === 0)) {
      return Promise.resolve();
    }
    const batch = { flowRuns: [...this.#flowRuns.values()], taskRuns: [...this.#taskRuns.values()], logs: this.#logs };
    this.#flowRuns = new Map();
    this.#taskRuns = new Map();
    this.#logs = [];
    const writing: Promise<void> = history
      .write(batch)
      .catch((error: unknown) => this.#warn(history, error))
      .finally(() => {
        if (this.#inFlight === writing) this.#inFlight = undefined;
      });
    this.#inFlight = writing;
    return writing;
  }

  /**
   * Writes what is buffered without a transaction and without waiting, for the moments
   * when the process is about to die (`exit`, uncaught exceptions). The embedded SQLite
   * store completes these writes synchronously; other stores do their best.
   */
  flushNow(): void {
    const history = this.#history;
    if (!history) return;
    const statements = [
      ...[...this.#flowRuns.values()].map(flowRunUpsert),
      ...[...this.#taskRuns.values()].map(taskRunUpsert),
      ...this.#logs.map(logInsert),
    ];
    this.#flowRuns = new Map();
    this.#taskRuns = new Map();
    this.#logs = [];
    for (const [sql, values] of statements) {
      try {
        history.db.run(sql, values).catch(() => undefined);
      } catch {
        // The store may already be closed; nothing more can be done while exiting.
      }
    }
  }

  #schedule(): void {
    if (this.#scheduled || !this.#history) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      void this.flush();
    });
  }

  #warn(history: RunHistory, error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    const message = maskUrlPasswords(error instanceof Error ? error.message : String(error));
    process.stderr.write(`sqlblocks: could not record run history in ${history.db.location}: ${message}\n`);
  }
}

/** The process-wide recorder used by `flow()` and `task()`. */
export const recorder = new HistoryRecorder();

/**
 * Chooses where runs are recorded, or turns recording off.
 *
 * @example
 * configureRunHistory({ enabled: false });         // benchmarks: console logging only
 * configureRunHistory({ store: await BlockStore.open({ home: "/tmp/x" }) });
 */
export function configureRunHistory(config: RunHistoryConfig): void {
  recorder.configure(config);
}

/** Waits until every buffered run record and log line is written to the store. */
export function flushRunHistory(): Promise<void> {
  return recorder.flush();
}
