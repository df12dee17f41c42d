// The enterprise's access log: who accessed what, when, why; Verify checks it in the browser.
import { api, badge, catalog, datasetName, download, fill, h, lang, named, purposeName, showError, start, t, table, when } from "./portal.js";
import { parseVerifierKey, verifyPage } from "./verify.js";

const HEAD_KEY = (subject) => `credgate.head.${subject}`;
const KEYS_KEY = "credgate.ledger.keys";

const who = await start();
const pages = [];
let specs = new Map();

function disclosedText(disclosed) {
  if (!disclosed || typeof disclosed !== "object") return "—";
  const parts = Object.entries(disclosed).filter(([, fields]) => (Array.isArray(fields) ? fields.length : fields));
  if (!parts.length) return "—";
  return parts.map(([d, fields]) => `${datasetName(specs.get(d), d)}${Array.isArray(fields) ? `（${fields.length}）` : ""}`).join("、");
}

function row(item) {
  const entry = item.entry || {};
  const p = entry.payload || {};
  const purpose = p.purpose || (p.claims && p.claims.purpose); // a consent request carries it in its claims
  const decision = p.decision ? badge(p.decision.allow ? t("decision.allow") : t("decision.deny"), p.decision.allow ? "ok" : "warn") : "—";
  return [
    h("span", { class: "mono" }, String(item.index)),
    item.redacted ? "—" : when(entry.timestamp),
    item.redacted ? badge("redacted") : named("event", p.type || ""),
    h("span", { class: "mono" }, p.caller || p.institution || "—"),
    purpose ? purposeName(purpose) : "—",
    decision,
    disclosedText(p.disclosed),
    h("span", { class: "proof", "data-index": String(item.index) }, "·"),
  ];
}

function render() {
  const items = pages.flatMap((p) => p.entries);
  const headers = [t("col.id"), t("col.time"), t("col.event"), t("col.who"), t("col.purpose"), t("col.decision"), t("col.fields"), t("col.proof")];
  fill(document.getElementById("log"), table(headers, items.map(row), { label: t("log.title") }));
  const older = document.getElementById("older");
  older.hidden = pages[pages.length - 1].next_before_index == null;
}

async function load(before) {
  const size = pages.length ? `&size=${pages[0].tree_size}` : "";
  const query = before == null ? "" : `&before=${before}${size}`;
  pages.push(await api("GET", `/v1/me/access-log?limit=100${query}`));
  render();
}

async function trustedKeys() {
  const fetched = (await (await fetch("/v1/ledger/keys", { credentials: "omit" })).text()).split("\n").filter(Boolean);
  const saved = JSON.parse(localStorage.getItem(KEYS_KEY) || "[]");
  const notes = [];
  if (!saved.length) notes.push(t("log.key_new", { key: fetched[fetched.length - 1] }));
  else if (!saved.some((k) => fetched.includes(k))) notes.push(t("log.key_changed"));
  localStorage.setItem(KEYS_KEY, JSON.stringify([...new Set([...saved, ...fetched])]));
  const keys = [];
  for (const text of new Set([...saved, ...fetched])) keys.push(await parseVerifierKey(text));
  return { keys, notes };
}

async function verify() {
  const out = document.getElementById("verify-result");
  const button = document.getElementById("verify");
  button.disabled = true;
  out.className = "";
  out.textContent = t("app.working");
  try {
    const { keys, notes } = await trustedKeys();
    const saved = JSON.parse(localStorage.getItem(HEAD_KEY(who.principal)) || "null");
    let count = 0;
    let first = null;
    for (const [i, page] of pages.entries()) {
      const result = await verifyPage(page, who.principal, keys, i === 0 ? saved : null);
      const proven = new Set(page.entries.map((e) => String(e.index)));
      for (const mark of document.querySelectorAll(".proof")) if (proven.has(mark.dataset.index)) mark.replaceChildren(badge(t("log.ok"), "ok"));
      count += result.entries.length;
      if (i === 0) first = result;
    }
    const lines = [t("log.verified", { count, size: first.size }), ...notes];
    if (first.head) {
      lines.push(saved ? t("log.head_consistent", { seq: saved.seq }) : t("log.head_first"));
      localStorage.setItem(HEAD_KEY(who.principal), JSON.stringify(first.head));
      lines.push(t("log.head_saved", { seq: first.head.seq }));
    }
    out.className = "ok";
    out.replaceChildren(...lines.map((line) => h("p", {}, line)));
  } catch (error) {
    out.className = "error";
    out.replaceChildren(h("p", {}, h("strong", {}, t("log.failed", { reason: error.message }))));
    for (const mark of document.querySelectorAll(".proof")) if (mark.textContent === "·") mark.replaceChildren(badge(t("log.bad"), "bad"));
  } finally {
    button.disabled = false;
  }
}

async function main() {
  try {
    specs = await catalog();
    await load(null);
  } catch (error) {
    return showError(document.getElementById("log"), error);
  }
  document.getElementById("verify").addEventListener("click", verify);
  document.getElementById("older").addEventListener("click", () => load(pages[pages.length - 1].next_before_index).catch((e) => showError(document.getElementById("verify-result"), e)));
  document.getElementById("download").addEventListener("click", () => download(`access-log-${who.principal}-${lang}.json`, JSON.stringify(pages[0], null, 2)));
}

if (who) await main();
