import {
  BlockAlreadyExistsError,
  BlockNotFoundError,
  BlockTypeNotFoundError,
  BlockValidationError,
  maskUrlPasswords,
  SqlBlocksError,
} from "@sqlblocks/core";

/** A request the API refuses, with its HTTP status. */
export class UiRequestError extends SqlBlocksError {
  constructor(
    readonly status: 400 | 404 | 409,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Parameter rows of the "trigger run" form that cannot be read, each named by its field path. */
export class InvalidRunParametersError extends SqlBlocksError {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super("SQLBLOCKS_INVALID_PARAMETERS", `the parameters cannot be read: ${issues.map((issue) => issue.message).join("; ")}`);
  }
}

/** Error codes of other packages answered with a status other than 400. */
const STATUS_BY_CODE: Record<string, 404 | 503> = {
  SQLBLOCKS_DEPLOYMENT_NOT_FOUND: 404,
  SQLBLOCKS_DURABLE_UNREACHABLE: 503,
};

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: readonly { path: string; message: string }[] };
}

/** The first line of an error's message, URL passwords masked: what the page shows. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskUrlPasswords(message.split("\n")[0] ?? "").slice(0, 500);
}

/** The connection field a connection-info or driver error is about (for the form), if it names one. */
function connectionField(error: SqlBlocksError): string | undefined {
  if (error.code === "SQLBLOCKS_UNKNOWN_DRIVER") return "connectionInfo.driver";
  if (error.code === "SQLBLOCKS_INVALID_URL") return "connectionInfo.url";
  if (error.code !== "SQLBLOCKS_INVALID_CONNECTION_INFO") return undefined;
  const named = /^invalid connection info: (driver|database|username|password|host|port|query)\b/.exec(error.message)?.[1];
  return named ? `connectionInfo.${named}` : undefined;
}

/** Maps an error to an HTTP status and a JSON body. Unknown errors are 500 with one line. */
export function errorAnswer(error: unknown): { status: 400 | 404 | 409 | 500 | 503; body: ErrorBody } {
  if (error instanceof UiRequestError) return { status: error.status, body: { error: { code: error.code, message: oneLine(error) } } };
  if (error instanceof InvalidRunParametersError) {
    return { status: 400, body: { error: { code: error.code, message: oneLine(error), issues: error.issues.map((issue) => ({ ...issue, message: maskUrlPasswords(issue.message) })) } } };
  }
  if (error instanceof SqlBlocksError && STATUS_BY_CODE[error.code]) {
    return { status: STATUS_BY_CODE[error.code]!, body: { error: { code: error.code, message: oneLine(error) } } };
  }
  if (error instanceof BlockValidationError) {
    return {
      status: 400,
      body: {
        error: {
          code: error.code,
          message: oneLine(error),
          issues: error.issues.map((issue) => ({ path: issue.path, message: maskUrlPasswords(issue.message) })),
        },
      },
    };
  }
  if (error instanceof BlockNotFoundError || error instanceof BlockTypeNotFoundError) {
    return { status: 404, body: { error: { code: error.code, message: oneLine(error) } } };
  }
  if (error instanceof BlockAlreadyExistsError) return { status: 409, body: { error: { code: error.code, message: oneLine(error) } } };
  if (error instanceof SqlBlocksError) {
    const field = connectionField(error);
    const message = oneLine(error);
    return { status: 400, body: { error: { code: error.code, message, ...(field ? { issues: [{ path: field, message }] } : {}) } } };
  }
  if (error instanceof RangeError || error instanceof SyntaxError) {
    return { status: 400, body: { error: { code: "SQLBLOCKS_UI_BAD_REQUEST", message: oneLine(error) } } };
  }
  return { status: 500, body: { error: { code: "SQLBLOCKS_UI_INTERNAL", message: oneLine(error) } } };
}
