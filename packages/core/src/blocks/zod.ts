import { createRequire } from "node:module";
import type * as Zod from "zod";

const nodeRequire = createRequire(import.meta.url);
let loaded: typeof Zod | undefined;

/**
 * zod, loaded the first time a schema is built or a JSON Schema generated. Its import is a
 * sixth of a cold start (about a hundred modules), and a good stored SQL Connector is checked
 * without it (see `connector/quick-check.ts`). It is required synchronously because the
 * schema and `blockTypeJsonSchema` are synchronous API (its CommonJS build, then); schemas
 * made by the application's own copy of zod work with it (zod keeps its registry of
 * descriptions on `globalThis`).
 */
export function zod(): typeof Zod {
  // A bundler sees the plain `require("zod")` and bundles zod, evaluated only when reached
  // here; Node runs ES modules without a `require`, so it takes core's own.
  loaded ??= (typeof require === "function" ? require("zod") : nodeRequire("zod")) as typeof Zod;
  return loaded;
}
