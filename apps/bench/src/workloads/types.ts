import type { Database, Sizes } from "../config.js";

/** The two sides of every comparison. */
export type Variant = "sqlblocks" | "raw";

/** What one timed run measured (inside its own process). */
export interface Measurement {
  /** Rows (or operations) handled in the timed part. */
  count: number;
  /** Wall time of the timed part. */
  ms: number;
  /** Peak RSS of the process measured, when it is not the one running the workload (C1). */
  maxRssKb?: number;
}

/** Where one run happens. */
export interface RunContext {
  database: Database;
  url: string;
  sizes: Sizes;
}

/** A benchmark: how to prepare its data, and how each variant runs it. */
export interface Workload {
  id: string;
  title: string;
  /** What is counted: "rows" or "ops". */
  unit: string;
  databases: readonly Database[];
  /** The least acceptable sqlblocks/raw throughput ratio (throughput workloads). */
  targetRatio?: number;
  /** A database whose target differs from {@link Workload.targetRatio}. */
  targetRatioFor?: Partial<Record<Database, number>>;
  /**
   * Latency workloads: the most acceptable milliseconds per operation of sqlblocks, net of
   * the raw side when there is one (e.g. task overhead = flow run minus plain calls).
   */
  targetLatencyMs?: number;
  /**
   * Repetitions of a full run when fewer than the usual (e.g. the durable drains, where one
   * repetition is a cluster of worker processes draining 1,000 flows). Quick runs do one.
   */
  repetitions?: number;
  /** The variants it runs (default both). */
  variants?: readonly Variant[];
  /** The most acceptable sqlblocks/raw peak-RSS ratio, where memory matters. */
  targetRss?: number;
  /** The most acceptable peak RSS of the sqlblocks side, in MB (an absolute bound, e.g. W5's 250 MB). */
  targetRssMb?: number;
  /**
   * How the raw side does the work (one text, or one per database). RESULTS.md prints it,
   * so say here where the raw side differs in method from sqlblocks.
   */
  rawMethod?: string | Partial<Record<Database, string>>;
  /** Runs in the parent before every repetition (fresh tables) or once. */
  prepare(context: RunContext): Promise<void>;
  /** Runs in the parent after the last repetition (drops what prepare made). */
  cleanup?(context: RunContext): Promise<void>;
  /**
   * Runs in the parent after each repetition (either side): checks what the run left (e.g.
   * the target of a transfer against its source) and throws on a mismatch, which fails the
   * benchmark run. What it returns is shown on the workload's report line.
   */
  verify?(context: RunContext): Promise<string>;
  /** Runs in a child process; only the part it times counts. */
  run(variant: Variant, context: RunContext): Promise<Measurement>;
}

/** Times `fn` and returns its count with the elapsed milliseconds. */
export async function timed(fn: () => Promise<number>): Promise<Measurement> {
  const started = performance.now();
  const count = await fn();
  return { count, ms: performance.now() - started };
}
