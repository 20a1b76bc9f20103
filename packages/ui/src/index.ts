/**
 * The sqlblocks web page for blocks and runs: a Hono server with a JSON API and a built page
 * that ships inside this package. Started by `sqlblocks ui`.
 *
 * @packageDocumentation
 */
export { createUiApp, type UiAppOptions } from "./app.js";
export type { BlockTypeView, FieldSchema } from "./block-schema.js";
export { readRunParameters } from "./api/durable.js";
export {
  createDurableAccess,
  DURABLE_PACKAGE,
  type DurableAccess,
  type DurableAccessOptions,
  type DurableModule,
  type DurableReady,
  type DurableUnavailable,
  loadDurableModule,
} from "./durable.js";
export { type ErrorBody, InvalidRunParametersError, UiRequestError } from "./errors.js";
export { CONTENT_SECURITY_POLICY, REQUEST_HEADER, TOKEN_COOKIE } from "./security.js";
export { DEFAULT_UI_PORT, startUiServer, type UiServer, type UiServerOptions } from "./server.js";
export { type AccessToken, isLoopbackHost, resolveAccessToken, UI_TOKEN_ENV, UI_TOKEN_FILE } from "./token.js";
