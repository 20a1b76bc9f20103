// Preload (node --require) for worker processes: counts the statements each sends to
// PostgreSQL, by their first 70 characters. On SIGUSR2 it writes the counts to
// $SQLBLOCKS_COUNT_DIR/count-<pid>.txt and starts again from zero.
if (process.argv.includes("worker")) {
  const { createRequire } = require("node:module");
  const { writeFileSync } = require("node:fs");
  const pg = createRequire(require.resolve("@dbos-inc/dbos-sdk", { paths: [process.cwd(), __dirname] }))("pg");
  const counts = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === "string" ? config : (config?.text ?? "");
    const key = text.replace(/\s+/g, " ").trim().slice(0, 70);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return query.call(this, config, ...rest);
  };
  process.on("SIGUSR2", () => {
    const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${String(n).padStart(6)} ${sql}`);
    writeFileSync(`${process.env.SQLBLOCKS_COUNT_DIR}/count-${process.pid}.txt`, `${lines.join("\n")}\n`);
    counts.clear();
  });
}
