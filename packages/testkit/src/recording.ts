import { clearDriverRegistry, registerDriver, SqlConnector } from "@sqlblocks/core";
import { BatchItemError, type DriverPlugin, type StatementResult } from "@sqlblocks/core/driver";

/** One statement the connector sent to the plug-in. */
export interface Sent {
  sql: string;
  values: readonly unknown[];
  inTransaction: boolean;
}

/**
 * A connector that runs core's real planning (compiling, batching, transactions) against
 * the given plug-in's placeholder style and limits, but records statements instead of
 * sending them: TypeORM gets an in-memory SQLite data source, so no server is needed.
 */
export function recordingConnector(
  plugin: DriverPlugin,
  url: string,
  failWhen?: (sent: Sent) => boolean,
  /** The error a refused statement throws, shaped like the driver's own (for classifyError). */
  makeError: () => Error = () => new Error("rejected by the recorder"),
): { connector: SqlConnector; sent: Sent[]; repeated: Sent[][]; dispose: () => Promise<void> } {
  const sent: Sent[] = [];
  const repeated: Sent[][] = [];
  const fail = (entry: Sent) => failWhen?.(entry) ?? false;
  const recorder: DriverPlugin = {
    ...plugin,
    createDataSourceOptions: () => ({ type: "better-sqlite3", database: ":memory:" }),
    async query(session, sql, values): Promise<StatementResult> {
      const entry = { sql, values, inTransaction: session.isTransactionActive };
      sent.push(entry);
      if (fail(entry)) throw makeError();
      return { rows: [], rowCount: sql.split("), (").length };
    },
    ...(plugin.executeRepeated
      ? {
          async executeRepeated(session, sql, valuesList) {
            const batch = valuesList.map((values) => ({ sql, values, inTransaction: session.isTransactionActive }));
            repeated.push(batch);
            const failed = batch.findIndex(fail);
            if (failed >= 0) throw new BatchItemError(failed, new Error("rejected by the recorder"));
            return batch.length;
          },
        }
      : {}),
  };
  clearDriverRegistry();
  registerDriver(recorder);
  const connector = new SqlConnector({ connectionInfo: url });
  return {
    connector,
    sent,
    repeated,
    dispose: async () => {
      await connector.close();
      clearDriverRegistry();
    },
  };
}
