import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChangeset, changesetVersion, versions } from "../src/release.js";
import { publicPackages, scratchCopy } from "../src/workspace.js";
import { ROOT, tempDir } from "./helpers.js";

/**
 * Packages release independently (changesets, `pnpm release`): on a scratch copy where the
 * pending changesets are already released, one new changeset must bump only what it names
 * plus what must follow.
 */
describe("release independence (changeset version on a scratch copy)", () => {
  const scratch = tempDir("sqlblocks-release-");
  let released: Record<string, string>;

  beforeAll(async () => {
    await scratchCopy(ROOT, scratch.dir, { dist: false });
    await changesetVersion(ROOT, scratch.dir); // releases what is pending today
    released = versions(scratch.dir);
  }, 120_000);
  afterAll(() => scratch.remove());

  const bumpedBy = async (id: string, bumps: Record<string, "patch" | "minor">): Promise<Record<string, [string, string]>> => {
    const copy = tempDir("sqlblocks-release-step-");
    try {
      await scratchCopy(scratch.dir, copy.dir, { dist: false, git: false });
      addChangeset(copy.dir, id, bumps, `test: ${id}`);
      await changesetVersion(ROOT, copy.dir);
      const after = versions(copy.dir);
      return Object.fromEntries(
        Object.entries(after)
          .filter(([name, version]) => released[name] !== version)
          .map(([name, version]) => [name, [released[name] as string, version]]),
      );
    } finally {
      copy.remove();
    }
  };

  it("a driver patch bumps only that driver", async () => {
    const before = released["@sqlblocks/driver-mysql"] as string;
    const [major, minor, patch] = before.split(".").map(Number) as [number, number, number];
    expect(await bumpedBy("driver-patch", { "@sqlblocks/driver-mysql": "patch" })).toEqual({
      "@sqlblocks/driver-mysql": [before, `${major}.${minor}.${patch + 1}`],
    });
  }, 60_000);

  it("a core minor bumps core and the packages that depend on it with ^ (flow, the CLI, …), never a driver", async () => {
    const bumped = await bumpedBy("core-minor", { "@sqlblocks/core": "minor" });
    const core = released["@sqlblocks/core"] as string;
    const [major, minor] = core.split(".").map(Number) as [number, number];
    expect(bumped["@sqlblocks/core"]).toEqual([core, `${major}.${minor + 1}.0`]);
    // What must follow: published packages whose range on core (dependency or peer) is ^0.x,
    // which a 0.x minor leaves. Drivers state `>=0.x.y <1` instead.
    const { ignore = [] } = JSON.parse(fs.readFileSync(path.join(scratch.dir, ".changeset", "config.json"), "utf8")) as { ignore?: string[] };
    const packages = publicPackages(scratch.dir).filter((p) => !ignore.includes(p.name));
    const dependents = packages
      .filter((p) => {
        const manifest = JSON.parse(fs.readFileSync(path.join(p.dir, "package.json"), "utf8")) as {
          dependencies?: Record<string, string>;
          peerDependencies?: Record<string, string>;
        };
        const range = manifest.dependencies?.["@sqlblocks/core"] ?? manifest.peerDependencies?.["@sqlblocks/core"] ?? "";
        return /^(workspace:)?\^/.test(range);
      })
      .map((p) => p.name);
    expect(dependents).toEqual(expect.arrayContaining(["@sqlblocks/flow", "sqlblocks"]));
    const published = new Set(packages.map((p) => p.name));
    expect(Object.keys(bumped).filter((name) => published.has(name)).sort()).toEqual(["@sqlblocks/core", ...dependents].sort());
    // Drivers peer-depend on `>=0.x.y <1`: still in range, so no driver moves.
    expect(Object.keys(bumped).filter((name) => name.includes("driver-"))).toEqual([]);
    // flow follows by a patch. (The CLI also peer-depends on @sqlblocks/dbos with ^, so a
    // dbos bump may move it further: a separate matter, see the pack report.)
    for (const name of ["@sqlblocks/flow"]) {
      const before = released[name] as string;
      const [a, b, c] = before.split(".").map(Number) as [number, number, number];
      expect(bumped[name]).toEqual([before, `${a}.${b}.${c + 1}`]);
    }
  }, 60_000);
});
