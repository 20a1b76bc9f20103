import { UiRequestError } from "../errors.js";

/**
 * The JSON object a mutation sent.
 *
 * @throws {UiRequestError} 400 when the body is not a JSON object
 */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", "the request body must be a JSON object");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", "the request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}
