import { clearDriverRegistry, registerDriver, SqlConnector } from "@sqlblocks/core";
import { BatchItemError, type DriverConnection, type DriverPlugin, type StatementResult } from "@sqlblocks/core/driver";

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
  /** Whether the driver's connections run batches through `executeRepeated` (default: when it has no multi-row INSERT, as Oracle). */
  repeatedExecution: boolean = plugin.multiRowInsert === false,
): { connector: SqlConnector; sent: Sent[]; repeated: Sent[][]; dispose: () => Promise<void> } {
  const sent: Sent[] = [];
  const repeated: Sent[][] = [];
  const fail = (entry: Sent) => failWhen?.(entry) ?? false;
  const recorder: DriverPlugin = {
    ...plugin,
    createDataSourceOptions: () => ({ type: "better-sqlite3", database: ":memory:" }),
    async connect(): Promise<DriverConnection> {
      let inTransaction = false;
      return {
        native: undefined,
        async query(sql, values): Promise<StatementResult> {
          const entry = { sql, values, inTransaction };
          sent.push(entry);
          if (fail(entry)) throw makeError();
          return { rows: [], rowCount: sql.split("), (").length };
        },
        openCursor: async () => ({ read: async () => [], close: async () => {} }),
        ...(repeatedExecution
          ? {
              async executeRepeated(sql: string, valuesList: readonly (readonly unknown[])[]) {
                const batch = valuesList.map((values) => ({ sql, values, inTransaction }));
                repeated.push(batch);
                const failed = batch.findIndex(fail);
                if (failed >= 0) throw new BatchItemError(failed, new Error("rejected by the recorder"));
                return batch.length;
              },
            }
          : {}),
        begin: async () => {
          inTransaction = true;
        },
        commit: async () => {
          inTransaction = false;
        },
        rollback: async () => {
          inTransaction = false;
        },
        release: async () => {},
      };
    },
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
