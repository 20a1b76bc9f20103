import { isSecret, MASK, maskUrlPasswords } from "@sqlblocks/core";

/**
 * An error as text fit for the store and the console: `Name: message`, with URL passwords
 * masked. sqlblocks' own errors are already free of secrets; this catches the others.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? error.name : error.constructor?.name || "Error";
    return maskUrlPasswords(`${name}: ${error.message}`);
  }
  return maskUrlPasswords(typeof error === "string" ? error : `thrown value: ${String(error)}`);
}

/** The longest JSON text recorded for a run's parameters or result; longer values are truncated. */
export const MAX_RECORDED_VALUE_CHARS = 16 * 1024;

/** Values visited at most per recorded value, so a huge argument costs a bounded walk. */
const MAX_RECORDED_NODES = 5000;
/** Items of one array, map or set recorded at most. */
const MAX_RECORDED_ITEMS = 200;
/** Nesting recorded at most. */
const MAX_RECORDED_DEPTH = 16;

/** Object keys whose string values are masked: a password passed in a plain object is still a password. */
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|credential|private[-_]?key|authorization/i;

interface Walk {
  nodes: number;
  truncated: boolean;
  readonly ancestors: Set<object>;
}

/** What follows a `scheme://` that carries a password: `user:password@` (to the last `@` before whitespace). */
const USER_PASSWORD = /([^\s:@/?#]*):\S*@/y;

/**
 * Core's `maskUrlPasswords`, in time linear in the text for text without many URLs: values
 * recorded for runs can be long strings, where a scan for a scheme at every letter is not.
 */
function maskPasswords(text: string): string {
  let at = text.indexOf("://");
  if (at === -1) return text;
  let out = "";
  let from = 0;
  while (at !== -1) {
    const start = at + 3;
    USER_PASSWORD.lastIndex = start;
    const match = USER_PASSWORD.exec(text);
    if (match) {
      out += `${text.slice(from, start)}${match[1]}:${MASK}@`;
      from = start + match[0].length;
    }
    at = text.indexOf("://", match ? from : start);
  }
  return out + text.slice(from);
}

/** Strings longer than this are cut before they are recorded (the value is truncated anyway). */
const MAX_RECORDED_STRING = 4 * MAX_RECORDED_VALUE_CHARS;

function isBlockLike(value: object): value is { blockName?: string; blockType: { slug: string }; toBlockData(): Record<string, unknown> } {
  const candidate = value as { toBlockData?: unknown; blockType?: { slug?: unknown } };
  return typeof candidate.toBlockData === "function" && typeof candidate.blockType?.slug === "string";
}

function recordable(value: unknown, walk: Walk, depth: number): unknown {
  if (++walk.nodes > MAX_RECORDED_NODES) {
    walk.truncated = true;
    return "…";
  }
  switch (typeof value) {
    case "string":
      if (value.length > MAX_RECORDED_STRING) {
        walk.truncated = true;
        // A URL cut before its `@` would not be recognised: drop it.
        const cut = value.slice(0, MAX_RECORDED_STRING);
        const lastUrl = cut.lastIndexOf("://");
        return maskPasswords(lastUrl !== -1 && !cut.includes("@", lastUrl) ? cut.slice(0, lastUrl) : cut);
      }
      return maskPasswords(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return { $bigint: value.toString() };
    case "undefined":
      return null;
    case "symbol":
      return { $symbol: value.description ?? "" };
    case "function":
      return { $function: value.name || "anonymous" };
  }
  if (value === null) return null;
  const object = value as object;
  if (isSecret(object)) return MASK;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return { $bytes: object.byteLength };
  if (object instanceof Error) return { $error: describeError(object) };
  if (walk.ancestors.has(object)) return { $circular: true };
  if (depth >= MAX_RECORDED_DEPTH) {
    walk.truncated = true;
    return "…";
  }
  walk.ancestors.add(object);
  try {
    const items = (entries: Iterable<unknown>, size: number) => {
      const out: unknown[] = [];
      for (const item of entries) {
        if (out.length === MAX_RECORDED_ITEMS) break;
        out.push(recordable(item, walk, depth + 1));
      }
      if (size > MAX_RECORDED_ITEMS) {
        walk.truncated = true;
        out.push({ $more: size - MAX_RECORDED_ITEMS });
      }
      return out;
    };
    if (isBlockLike(object)) {
      // A block is recorded by its name; an unsaved one by its data, secrets masked.
      return object.blockName !== undefined
        ? { $block: `${object.blockType.slug}/${object.blockName}` }
        : { $block: object.blockType.slug, data: recordable(object.toBlockData(), walk, depth + 1) };
    }
    if (Array.isArray(object)) return items(object, object.length);
    if (object instanceof Map) return { $map: items([...object.entries()].slice(0, MAX_RECORDED_ITEMS + 1), object.size) };
    if (object instanceof Set) return { $set: items(object, object.size) };
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      try {
        return recordable(toJSON.call(object), walk, depth + 1);
      } catch (error) {
        return { $error: describeError(error) };
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      out[key] = SECRET_KEY.test(key) && (typeof item === "string" || typeof item === "number") ? MASK : recordable(item, walk, depth + 1);
    }
    return out;
  } finally {
    walk.ancestors.delete(object);
  }
}

/**
 * A run's parameters or result as the JSON text the store keeps, fit to be read by anyone
 * who can read run history:
 *
 * - JSON with a safe replacer: `bigint` → `{"$bigint":"…"}`, `Date` → ISO time, bytes
 *   (`Buffer`, `Uint8Array`, `ArrayBuffer`) → `{"$bytes":length}` (never their content),
 *   `Map` → `{"$map":[[k,v],…]}`, `Set` → `{"$set":[…]}`, functions → `{"$function":name}`,
 *   errors → `{"$error":"Name: message"}`, a circular reference → `{"$circular":true}`.
 * - Redacted: a {@link Secret} is `********`, a block is `{"$block":"type/name"}` (an unsaved
 *   one its data with secrets masked), URL passwords in strings are masked, and string values
 *   of keys such as `password`, `token`, `secret` or `apiKey` are masked.
 * - Capped: beyond {@link MAX_RECORDED_VALUE_CHARS} characters (or 200 items of one list,
 *   16 levels, 5000 values) the text is `{"$truncated":true,"chars":N,"preview":"…"}`.
 *
 * Returns `undefined` for `undefined` (nothing to record). Never throws.
 *
 * @example
 * recordValue({ day: "2024-01-01", db: connector }); // '{"day":"2024-01-01","db":{"$block":"sql-connector/warehouse"}}'
 */
export function recordValue(value: unknown, maxChars = MAX_RECORDED_VALUE_CHARS): string | undefined {
  if (value === undefined) return undefined;
  const walk: Walk = { nodes: 0, truncated: false, ancestors: new Set() };
  let text: string;
  try {
    text = JSON.stringify(recordable(value, walk, 0));
  } catch (error) {
    return JSON.stringify({ $error: `could not record the value: ${describeError(error)}` });
  }
  if (!walk.truncated && text.length <= maxChars) return text;
  return JSON.stringify({ $truncated: true, chars: text.length, preview: text.slice(0, Math.max(0, maxChars - 100)) });
}

/** A run's arguments as recorded: one plain object alone (keyword style, as deployments pass them), else the list. */
export function recordArguments(args: readonly unknown[]): string | undefined {
  if (args.length === 0) return undefined;
  const [first] = args;
  const plain =
    args.length === 1 && typeof first === "object" && first !== null && [Object.prototype, null].includes(Object.getPrototypeOf(first));
  return recordValue(plain ? first : args);
}
