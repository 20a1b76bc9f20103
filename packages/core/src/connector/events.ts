import diagnostics from "node:diagnostics_channel";

/** The diagnostics channel on which every connector statement is published. */
export const STATEMENT_CHANNEL = "sqlblocks:statement";

/**
 * One finished statement, as published on {@link STATEMENT_CHANNEL}. It carries the SQL
 * text and timings, never parameter values. Subscribers run in the caller's async
 * context, so `AsyncLocalStorage` (e.g. the current flow run) is visible to them.
 */
export interface StatementEvent {
  /** Which connector method ran it: `execute`, `executeMany`, `fetch`, `stream`, … */
  operation: string;
  sql: string;
  durationMs: number;
  rowCount: number;
  /** The name of the block the connector was loaded from, if any. */
  blockName: string | undefined;
  /** Set when the statement failed: the error's code. */
  errorCode?: string | undefined;
}

/** The channel object, for `subscribe` / `unsubscribe`. */
export const statementChannel = diagnostics.channel(STATEMENT_CHANNEL);

/** Publishes a statement event when anybody listens (free otherwise). */
export function publishStatement(event: StatementEvent): void {
  if (statementChannel.hasSubscribers) statementChannel.publish(event);
}
