// "My data": everything held about the enterprise (GET /v1/me/report) with the catalog's zh
// labels and disputed / repaired marks; objection and credit-repair forms.
import { api, badge, busy, catalog, datasetName, fieldLabel, fill, h, hex, sha256, showError, start, stateName, t, table, when } from "./portal.js";

const who = await start();

function formatValue(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function prefill(prefix, dataset, recordId, specs) {
  const form = document.getElementById(prefix === "obj" ? "objection-form" : "repair-form");
  form.querySelector(`#${prefix}-dataset`).value = dataset;
  form.querySelector(`#${prefix}-record`).value = recordId;
  if (prefix === "obj") fieldOptions(specs, dataset);
  form.querySelector(`#${prefix}-reason`).focus();
}

function recordBlock(dataset, record, specs) {
  const spec = specs.get(dataset.dataset);
  const marks = [record.disputed ? badge(t("data.disputed"), "warn") : null, record.repaired ? badge(t("data.repaired"), "ok") : null];
  const rows = Object.entries(record.fields).map(([field, value]) => [fieldLabel(spec, field), formatValue(value)]);
  const actions = dataset.live ? null : h("div", { class: "actions" },
    h("button", { type: "button", class: "secondary", onclick: () => prefill("obj", dataset.dataset, record.record_id, specs) }, t("data.object")),
    h("button", { type: "button", class: "secondary", onclick: () => prefill("rep", dataset.dataset, record.record_id, specs) }, t("data.repair")));
  return h("div", { class: "record", "data-record": record.record_id },
    h("p", { class: "record-head" }, h("span", { class: "mono" }, record.record_id), " ", record.valid_from ? when(record.valid_from) : "", " ", ...marks),
    table([t("col.field"), t("col.value")], rows),
    actions);
}

function datasetBlock(dataset, specs) {
  const spec = specs.get(dataset.dataset);
  return h("details", { class: "dataset", open: dataset.records.length > 0 },
    h("summary", {}, datasetName(spec, dataset.dataset), " ", dataset.live ? badge(t("data.live")) : null, " ", badge(String(dataset.records.length))),
    dataset.source_unavailable ? h("p", { class: "error" }, t("data.unavailable", { reason: dataset.source_unavailable })) : null,
    dataset.records.length ? dataset.records.map((r) => recordBlock(dataset, r, specs)) : h("p", { class: "empty" }, t("data.none")));
}

function fieldOptions(specs, dataset) {
  const select = document.getElementById("obj-field");
  const spec = specs.get(dataset);
  select.replaceChildren(h("option", { value: "" }, ""), ...(spec ? spec.fields.map((f) => h("option", { value: f.id }, fieldLabel(spec, f.id))) : []));
}

async function evidence(input) {
  const out = [];
  for (const file of input.files) out.push({ name: file.name, sha256: hex(await sha256(new Uint8Array(await file.arrayBuffer()))) });
  return out;
}

function stored(specs, report) {
  return report.datasets.filter((d) => !d.live).map((d) => h("option", { value: d.dataset }, datasetName(specs.get(d.dataset), d.dataset)));
}

async function lists(specs) {
  const objections = document.getElementById("objections");
  const repairs = document.getElementById("repairs");
  try {
    const [o, r] = await Promise.all([api("GET", "/v1/me/objections"), api("GET", "/v1/me/repairs")]);
    fill(objections, table([t("col.id"), t("col.dataset"), t("obj.record"), t("col.state"), t("col.expiry")], o.map((x) => [h("span", { class: "mono wrap" }, x.id), datasetName(specs.get(x.dataset), x.dataset), h("span", { class: "mono wrap" }, x.record_id), badge(stateName(x.state), x.overdue ? "warn" : x.state), when(x.deadline)])));
    fill(repairs, table([t("col.id"), t("col.dataset"), t("obj.record"), t("col.state")], r.map((x) => [h("span", { class: "mono wrap" }, x.id), datasetName(specs.get(x.dataset), x.dataset), h("span", { class: "mono wrap" }, x.record_id), badge(stateName(x.state), x.state)])));
  } catch (error) {
    showError(objections, error);
  }
}

async function main() {
  const target = document.getElementById("report");
  let specs, report;
  try {
    [specs, report] = await Promise.all([catalog(), api("GET", "/v1/me/report")]);
  } catch (error) {
    return showError(target, error);
  }
  const held = report.datasets.filter((d) => d.records.length || d.source_unavailable);
  const empty = report.datasets.filter((d) => !(d.records.length || d.source_unavailable));
  fill(target, ...held.map((d) => datasetBlock(d, specs)),
    empty.length ? h("details", { class: "dataset" }, h("summary", {}, `${t("data.none")}（${empty.length}）`), h("p", {}, empty.map((d) => datasetName(specs.get(d.dataset), d.dataset)).join("、"))) : null);
  const objDataset = document.getElementById("obj-dataset");
  objDataset.replaceChildren(...stored(specs, report));
  document.getElementById("rep-dataset").replaceChildren(...stored(specs, report));
  fieldOptions(specs, objDataset.value);
  objDataset.addEventListener("change", () => fieldOptions(specs, objDataset.value));
  lists(specs);

  const objForm = document.getElementById("objection-form");
  objForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(objForm.querySelector("button[type=submit]"), document.getElementById("obj-status"), async () => {
      const body = { dataset: objDataset.value, record_id: objForm.record_id.value.trim(), reason: objForm.reason.value.trim(), evidence: await evidence(document.getElementById("obj-evidence")) };
      if (objForm.field.value) body.field = objForm.field.value;
      const made = await api("POST", "/v1/me/objections", body, { headers: { "Idempotency-Key": crypto.randomUUID() } });
      await lists(specs);
      return t("obj.done", { id: made.id });
    });
  });
  const repForm = document.getElementById("repair-form");
  repForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(repForm.querySelector("button[type=submit]"), document.getElementById("rep-status"), async () => {
      const body = { dataset: document.getElementById("rep-dataset").value, record_id: repForm.record_id.value.trim(), reason: repForm.reason.value.trim(), evidence: await evidence(document.getElementById("rep-evidence")) };
      const made = await api("POST", "/v1/me/repairs", body, { headers: { "Idempotency-Key": crypto.randomUUID() } });
      await lists(specs);
      return t("rep.done", { id: made.id });
    });
  });
}

if (who) await main();
