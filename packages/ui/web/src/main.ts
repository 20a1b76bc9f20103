import { blockDetail, blockForm, blockList, typeCatalog } from "./blocks.js";
import { deploymentList, triggerForm } from "./deployments.js";
import { h, mount } from "./dom.js";
import { runPage } from "./run.js";
import { runList } from "./runs.js";

let generation = 0;

async function route(): Promise<void> {
  const current = ++generation;
  const isCurrent = () => current === generation;
  // Each navigation renders into a container of its own, attached at once: a slower earlier view
  // that finishes late writes into its detached container and never over the current one.
  const root = document.createElement("div");
  root.className = "view";
  document.getElementById("app")!.replaceChildren(root);
  const [rawPath = "", rawQuery = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = rawPath.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(rawQuery);
  for (const link of document.querySelectorAll<HTMLElement>("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === (parts[0] ?? "runs"));
  }
  try {
    if (parts.length === 0 || (parts[0] === "runs" && parts.length === 1)) await runList(root, params);
    else if (parts[0] === "runs" && parts[1]) await runPage(root, parts[1], isCurrent);
    else if (parts[0] === "deployments" && parts.length === 1) await deploymentList(root);
    else if (parts[0] === "deployments" && parts.length === 3 && parts[2] === "run") await triggerForm(root, parts[1]!);
    else if (parts[0] === "types") await typeCatalog(root);
    else if (parts[0] === "blocks" && parts.length === 1) await blockList(root);
    else if (parts[0] === "blocks" && parts[1] === "new") await blockForm(root, params.get("type") ?? "sql-connector");
    else if (parts[0] === "blocks" && parts.length === 4 && parts[3] === "edit") await blockForm(root, parts[1]!, parts[2]!);
    else if (parts[0] === "blocks" && parts.length === 3) await blockDetail(root, parts[1]!, parts[2]!);
    else mount(root, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/runs" }, "Back to runs")));
  } catch (error) {
    if (isCurrent()) mount(root, h("h1", {}, "Something went wrong"), h("p", { class: "error", id: "page-error" }, (error as Error).message));
  }
}

window.addEventListener("hashchange", () => void route());
void route();
