/**
 * Just enough semver to check a driver's peer range on `@sqlblocks/core` at load time:
 * comparator sets (`>=0.3.0 <1`, `^0.3.0`, `~0.3.1`, `0.3.0`, `*`) joined by `||`.
 * Prerelease tags compare below their release; build metadata is ignored.
 */

type Version = readonly [number, number, number, string];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  const part = (value: string | undefined) => (value === undefined || /^[xX*]$/.test(value) ? 0 : Number(value));
  return [Number(match[1]), part(match[2]), part(match[3]), match[4] ?? ""];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return Math.sign(diff);
  }
  if (a[3] === b[3]) return 0;
  if (a[3] === "") return 1;
  if (b[3] === "") return -1;
  return a[3] < b[3] ? -1 : 1;
}

/** How many of major.minor.patch the text gives (`0` → 1, `0.3` → 2). */
const precision = (text: string): number => text.replace(/^v/, "").split(/[-+]/)[0]?.split(".").filter((p) => !/^[xX*]$/.test(p)).length ?? 0;

function upperBound(base: Version, kind: "^" | "~" | "x", given: number): Version {
  const [major, minor, patch] = base;
  if (kind === "^") {
    if (major > 0 || given === 1) return [major + 1, 0, 0, ""];
    if (minor > 0 || given === 2) return [0, minor + 1, 0, ""];
    return [0, 0, patch + 1, ""];
  }
  if (kind === "~" && given >= 2) return [major, minor + 1, 0, ""];
  if (given >= 3) return [major, minor, patch + 1, ""];
  return given === 2 ? [major, minor + 1, 0, ""] : [major + 1, 0, 0, ""];
}

function satisfiesComparator(version: Version, comparator: string): boolean | undefined {
  if (comparator === "*" || comparator === "" || /^[xX]$/.test(comparator)) return true;
  const match = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(comparator);
  if (!match) return undefined;
  const op = match[1] ?? "";
  const base = parseVersion(match[2] as string);
  if (!base) return undefined;
  const given = precision(match[2] as string);
  const cmp = compare(version, base);
  switch (op) {
    case ">=":
      return cmp >= 0;
    case ">":
      return given < 3 ? compare(version, upperBound(base, "x", given)) >= 0 : cmp > 0;
    case "<":
      return cmp < 0;
    case "<=":
      return given < 3 ? compare(version, upperBound(base, "x", given)) < 0 : cmp <= 0;
    case "^":
    case "~":
      return cmp >= 0 && compare(version, upperBound(base, op, given)) < 0;
    default:
      return given < 3 ? cmp >= 0 && compare(version, upperBound(base, "x", given)) < 0 : cmp === 0;
  }
}

/**
 * Whether `version` lies in `range`; `undefined` when either cannot be read (then the
 * caller does not judge).
 */
export function satisfiesRange(version: string, range: string): boolean | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return undefined;
  let readable = false;
  for (const set of range.split("||")) {
    const comparators = set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").split(/\s+/);
    const results = comparators.map((c) => satisfiesComparator(parsed, c));
    if (results.some((r) => r === undefined)) continue;
    readable = true;
    if (results.every(Boolean)) return true;
  }
  return readable ? false : undefined;
}
