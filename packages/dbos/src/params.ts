import type { DeploymentParameters } from "./deployment.js";
import { InvalidParametersError } from "./errors.js";

/**
 * Reads `--param key=value` pairs: a value that parses as JSON is that JSON value
 * (`n=3`, `ok=true`, `tags=["a"]`), anything else is the string as written (`day=2024-01-01`).
 *
 * @throws {InvalidParametersError} for a pair without `=`, an empty key, a key given twice,
 * or a value that starts like JSON (`{`, `[`, `"`) but does not parse
 */
export function parseParameters(pairs: readonly string[]): DeploymentParameters {
  const result: DeploymentParameters = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    const key = equals === -1 ? "" : pair.slice(0, equals).trim();
    if (equals === -1 || key === "") {
      throw new InvalidParametersError(`--param ${JSON.stringify(pair)} is not key=value: write --param day=2024-01-01`);
    }
    if (Object.hasOwn(result, key)) throw new InvalidParametersError(`--param ${key} is given twice`);
    const raw = pair.slice(equals + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      if (/^\s*[[{"]/.test(raw)) {
        throw new InvalidParametersError(`--param ${key}: ${JSON.stringify(raw)} looks like JSON but does not parse; quote it for the shell: --param '${key}=…'`);
      }
    }
    result[key] = value;
  }
  return result;
}
