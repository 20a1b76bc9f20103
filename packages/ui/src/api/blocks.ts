import {
  assertValidBlockName,
  Block,
  BlockAlreadyExistsError,
  type BlockClass,
  type BlockStore,
  registeredBlockTypes,
  SqlConnector,
} from "@sqlblocks/core";
import { Hono } from "hono";
import { type BlockTypeView, describeBlockType } from "../block-schema.js";
import { maskForDisplay, reviveFormData } from "../display.js";
import { readJson } from "./body.js";
import { oneLine, UiRequestError } from "../errors.js";

/** How long "Test connection" waits for an answer. */
const TEST_TIMEOUT_MS = 10_000;

function blockClass(slug: string): BlockClass {
  const cls = registeredBlockTypes().find((candidate) => candidate.type.slug === slug);
  if (!cls) {
    throw new UiRequestError(404, "SQLBLOCKS_UI_UNKNOWN_TYPE", `no block type "${slug}": known types are ${registeredBlockTypes().map((c) => c.type.slug).join(", ")}`);
  }
  return cls;
}

function buildBlock(cls: BlockClass, data: unknown): Block {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", "data must be an object with the block's fields");
  }
  const revived = reviveFormData(data, cls.type.secretFields) as Record<string, unknown>;
  return cls.fromBlockData(revived, { validate: true });
}

/** Connects with a block and pings it twice (`SqlConnector.ping()`): the first includes connecting. */
async function testBlock(block: Block): Promise<{ ok: true; latencyMs: number; connectMs: number } | { ok: false; error: string }> {
  if (!(block instanceof SqlConnector)) return { ok: false, error: `${block.blockType.name} blocks have no connection to test` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
  });
  try {
    const connectMs = await Promise.race([block.ping(), timeout]);
    const latencyMs = await Promise.race([block.ping(), timeout]);
    return { ok: true, latencyMs, connectMs };
  } catch (error) {
    return { ok: false, error: oneLine(error) };
  } finally {
    clearTimeout(timer);
    await block.close().catch(() => undefined);
  }
}

/**
 * The block routes of the JSON API (see the package README): types, list, detail (secrets
 * masked), create, edit (a `********` secret keeps the stored one), delete and test.
 */
export function blockRoutes(store: BlockStore): Hono {
  const api = new Hono();

  api.get("/types", (c) => {
    const types: BlockTypeView[] = registeredBlockTypes().map(describeBlockType);
    return c.json(types);
  });

  api.get("/blocks", async (c) => {
    const types = new Map(registeredBlockTypes().map((cls) => [cls.type.slug, cls.type.name]));
    const documents = await store.listDocuments();
    return c.json(
      documents.map((d) => ({
        type: d.typeSlug,
        typeName: types.get(d.typeSlug) ?? d.typeSlug,
        name: d.name,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
      })),
    );
  });

  api.get("/blocks/:slug/:name", async (c) => {
    const { slug, name } = c.req.param();
    const cls = blockClass(slug);
    const block = await Block.load(`${slug}/${name}`, { store });
    const info = (await store.listDocuments(slug)).find((d) => d.name === name);
    return c.json({
      type: slug,
      typeName: cls.type.name,
      name,
      createdAt: info?.createdAt,
      updatedAt: info?.updatedAt,
      url: block instanceof SqlConnector ? block.renderUrl() : undefined,
      data: maskForDisplay(block.toBlockData()),
    });
  });

  api.post("/blocks", async (c) => {
    const body = await readJson(c.req.raw);
    const cls = blockClass(String(body.type ?? ""));
    const name = String(body.name ?? "");
    assertValidBlockName(name);
    const block = buildBlock(cls, body.data);
    try {
      await block.save(name, { store });
    } catch (error) {
      if (error instanceof BlockAlreadyExistsError) {
        throw new UiRequestError(409, error.code, `a ${cls.type.name} block named "${name}" already exists: choose another name, or edit that block`);
      }
      throw error;
    }
    return c.json({ type: cls.type.slug, name }, 201);
  });

  api.put("/blocks/:slug/:name", async (c) => {
    const { slug, name } = c.req.param();
    const cls = blockClass(slug);
    if (!(await store.readDocument(slug, name))) {
      throw new UiRequestError(404, "SQLBLOCKS_BLOCK_NOT_FOUND", `no block ${slug}/${name} in the store`);
    }
    const body = await readJson(c.req.raw);
    const block = buildBlock(cls, body.data);
    await block.save(name, { store, overwrite: true });
    return c.json({ type: slug, name });
  });

  api.delete("/blocks/:slug/:name", async (c) => {
    const { slug, name } = c.req.param();
    blockClass(slug);
    const deleted = await store.deleteDocument(slug, name);
    if (!deleted) throw new UiRequestError(404, "SQLBLOCKS_BLOCK_NOT_FOUND", `no block ${slug}/${name} in the store`);
    return c.json({ deleted: true });
  });

  api.post("/blocks/:slug/:name/test", async (c) => {
    const { slug, name } = c.req.param();
    blockClass(slug);
    const block = await Block.load(`${slug}/${name}`, { store });
    return c.json(await testBlock(block));
  });

  return api;
}
