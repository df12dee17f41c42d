// The institution's desk: an enterprise's report (withheld fields shown as withheld, with the
// reason), yes/no verification from the predicate list, the authorizations it holds; the
// financing demands pushed to it (pick-up), its products, the consent requests it sent and
// today's verification budget, each where the gateway has the endpoint.
import { api, apiAll, badge, busy, catalog, datasetName, fieldLabel, fill, flash, h, lang, named, optional, purposeName, scopeText, showError, start, stateName, t, table, when } from "./portal.js";
import { collateralText, demandBadge, kindName, money, moneyRange, months, monthsRange, pushBadge, productBadge, rateRange, requestBadge } from "./financing.js";

const who = await start();
let verifiers = [];
let specs = new Map();

const result = () => document.getElementById("result");
const value = (v) => (v === null || v === undefined || v === "" ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

function withheldMark(reason) {
  return h("span", { class: "withheld" }, badge(t("inst.withheld_mark"), "warn"), " ", named("reason", reason));
}

function showReport(report) {
  const held = report.datasets.filter((d) => d.records.length || d.source_unavailable);
  const blocks = held.map((d) => {
    const spec = specs.get(d.dataset);
    const rows = [];
    for (const record of d.records) for (const [field, v] of Object.entries(record.fields)) rows.push([fieldLabel(spec, field), value(v)]);
    for (const w of report.withheld.filter((x) => x.dataset === d.dataset)) rows.push([fieldLabel(spec, w.field), withheldMark(w.reason)]);
    return h("details", { class: "dataset", open: true }, h("summary", {}, datasetName(spec, d.dataset), " ", badge(String(d.records.length))),
      d.source_unavailable ? h("p", { class: "error" }, t("data.unavailable", { reason: d.source_unavailable })) : null,
      table([t("col.field"), t("col.value")], rows));
  });
  // datasets nothing of which was disclosed: one row each, their fields on demand
  const shown = new Set(held.map((d) => d.dataset));
  const hidden = new Map();
  for (const w of report.withheld) {
    if (shown.has(w.dataset)) continue;
    if (!hidden.has(w.dataset)) hidden.set(w.dataset, { fields: [], reasons: new Set() });
    hidden.get(w.dataset).fields.push(w.field);
    hidden.get(w.dataset).reasons.add(w.reason);
  }
  const withheldRows = [...hidden].map(([d, x]) => [datasetName(specs.get(d), d),
    h("details", {}, h("summary", {}, String(x.fields.length)), x.fields.map((f) => fieldLabel(specs.get(d), f)).join("、")),
    h("span", {}, ...[...x.reasons].map((r) => withheldMark(r)))]);
  const empty = report.datasets.filter((d) => !shown.has(d.dataset) && !hidden.has(d.dataset));
  fill(result(),
    h("h2", {}, `${report.enterprise_name}（${report.enterprise}）· ${purposeName(report.purpose)}`),
    h("p", { class: "hint" }, t("inst.ledger_index", { index: report.ledger_index })),
    ...blocks,
    withheldRows.length ? h("section", {}, h("h3", {}, t("inst.withheld")), table([t("col.dataset"), t("col.field"), t("col.reason")], withheldRows)) : null,
    empty.length ? h("p", { class: "hint" }, `${t("data.none")}：${empty.map((d) => datasetName(specs.get(d.dataset), d.dataset)).join("、")}`) : null);
  result().focus();
}

function argInput(check, arg, index) {
  const id = `arg-${index}-${arg.name}`;
  const schema = arg.schema || {};
  const attrs = { id, name: arg.name, required: arg.required, spellcheck: "false", autocomplete: "off" };
  if (schema.type === "integer") Object.assign(attrs, { type: "number", step: "1", min: schema.minimum, max: schema.maximum });
  if (schema.format === "date") attrs.type = "date";
  let input;
  if (Array.isArray(schema.enum)) input = h("select", attrs, schema.enum.map((v) => h("option", { value: v }, String(v))));
  else if (schema.type === "array" && schema.items && Array.isArray(schema.items.enum)) input = h("select", { ...attrs, multiple: true }, schema.items.enum.map((v) => h("option", { value: v }, String(v))));
  else input = h("input", attrs);
  // the predicate list describes its arguments in English only: Chinese names from the portal
  const name = named("arg", arg.name);
  const unit = schema["x-unit"] ? named("unit", schema["x-unit"]) : "";
  const text = unit ? t("inst.arg_unit", { name, unit }) : name;
  return h("div", { class: "field" }, h("label", { for: id }, text), input, arg.description && lang !== "zh" ? h("p", { class: "hint" }, arg.description) : null);
}

let checkCount = 0;
function addCheck() {
  const index = checkCount++;
  const select = h("select", { id: `predicate-${index}`, class: "predicate" }, verifiers.map((v) => h("option", { value: v.name }, lang === "zh" ? v.description_zh : v.description)));
  const args = h("div", { class: "args" });
  const draw = () => {
    const v = verifiers.find((x) => x.name === select.value);
    args.replaceChildren(...(v ? v.arguments.map((a) => argInput(v, a, index)) : []));
  };
  select.addEventListener("change", draw);
  const box = h("fieldset", { class: "check" }, h("legend", {}, `${t("inst.predicate")} ${index + 1}`), h("div", { class: "field" }, h("label", { for: `predicate-${index}` }, t("inst.predicate")), select), args,
    h("button", { type: "button", class: "link", onclick: () => box.remove() }, t("inst.remove_check")));
  document.getElementById("checks").append(box);
  draw();
  return box;
}

function collectChecks() {
  return [...document.querySelectorAll("#checks fieldset.check")].map((box) => {
    const predicate = box.querySelector("select.predicate").value;
    const spec = verifiers.find((v) => v.name === predicate);
    const args = {};
    for (const arg of spec.arguments) {
      const input = box.querySelector(`[name="${arg.name}"]`);
      if (!input) continue;
      const schema = arg.schema || {};
      if (input.multiple) args[arg.name] = [...input.selectedOptions].map((o) => o.value);
      else if (input.value === "") continue;
      else if (schema.type === "integer") args[arg.name] = Number(input.value);
      else if (schema.type === "boolean") args[arg.name] = input.value === "true";
      else args[arg.name] = input.value.trim();
    }
    return { predicate, args };
  });
}

/** A predicate as the predicate list describes it, in the page's language. */
function describe(name) {
  const v = verifiers.find((x) => x.name === name);
  return v ? (lang === "zh" ? v.description_zh : v.description) : name;
}

function showVerification(answer) {
  const yesNo = (r) => (r.holds === true ? badge(t("app.yes"), "ok") : r.holds === false ? badge(t("app.no"), "warn") : badge(t("app.unknown")));
  fill(result(), h("h2", {}, `${t("inst.verify")}：${answer.enterprise} · ${purposeName(answer.purpose)}`),
    h("p", { class: "hint" }, t("inst.ledger_index", { index: answer.ledger_index })),
    table([t("col.predicate"), t("col.result"), t("col.reason")], answer.results.map((r) => [describe(r.predicate), yesNo(r), named("reason", r.reason)])));
  result().focus();
}

async function authorizations() {
  const target = document.getElementById("authorizations");
  try {
    const list = await apiAll("/v1/authorizations");
    fill(target, table([t("col.id"), t("col.enterprise"), t("col.purpose"), t("col.scope"), t("col.expiry"), t("col.uses"), t("col.state")],
      list.map((g) => [h("span", { class: "mono" }, g.id), h("span", { class: "mono" }, g.enterprise), purposeName(g.purpose),
        scopeText(g, specs), when(g.expires_at),
        g.use_limit ? `${g.uses} / ${g.use_limit}` : String(g.uses), badge(stateName(g.state), g.state)])));
  } catch (error) {
    showError(target, error);
  }
}

// ------------------------------------------------------------ financing

/** Fill a financing section from ``path``; a gateway without the endpoint (404) hides it. */
async function section(id, path, render) {
  const box = document.getElementById(`${id}-section`);
  const target = document.getElementById(id);
  target.setAttribute("aria-busy", "true");
  try {
    const data = await optional(path);
    if (data === null) {
      box.hidden = true;
      target.removeAttribute("aria-busy");
      return;
    }
    box.hidden = false;
    fill(target, ...[render(data)].flat());
  } catch (error) {
    box.hidden = false;
    showError(target, error);
  }
}

const products = () =>
  section("products", `/v1/products?institution=${encodeURIComponent(who.principal)}&include_withdrawn=true`, (list) =>
    table([t("col.name"), t("col.kind"), t("col.amount_range"), t("col.term"), t("col.rate_range"), t("col.state")],
      list.map((p) => [p.name_zh, kindName(p.kind), moneyRange(p.amount_min, p.amount_max), monthsRange(p.term_min_months, p.term_max_months), rateRange(p.rate_min_pct, p.rate_max_pct), productBadge(p.state)]),
      { label: t("inst.products") }));

function deadline(push) {
  if (push.overdue) return h("span", { class: "overdue" }, when(push.pickup_due), " ", badge(t("fin.overdue"), "bad"));
  const late = push.picked_up_at && push.picked_up_at > push.pickup_due;
  return h("span", {}, when(push.pickup_due), late ? [" ", badge(t("fin.late"), "warn")] : null,
    push.picked_up_at ? h("span", { class: "hint block" }, t("fin.picked_up_at", { at: when(push.picked_up_at) })) : null);
}

async function pickUp(button, demandId) {
  await busy(button, null, async () => {
    await api("POST", `/v1/financing-demands/${encodeURIComponent(demandId)}/pick-up`);
    await pushed();
    flash(t("inst.picked_up", { id: demandId }));
    document.getElementById("flash").focus(); // the button is gone: keep keyboard users here
  });
}

const pushed = () =>
  section("demands", "/v1/financing-demands/pushed", (list) =>
    table([t("col.enterprise"), t("col.amount"), t("col.term"), t("col.funds_purpose"), t("col.state"), t("col.pickup_due"), t("col.action")],
      list.map((d) => [
        h("span", { class: "mono" }, d.enterprise),
        money(d.amount),
        months(d.term_months),
        [d.purpose_zh, d.collateral.length ? h("p", { class: "note" }, t("fin.collateral_note", { list: collateralText(d.collateral) })) : null],
        h("span", { class: "badges" }, pushBadge(d.push.state), d.demand_state !== "open" ? demandBadge(d.demand_state) : null),
        deadline(d.push),
        d.push.state === "pushed" && d.demand_state === "open"
          ? h("button", { type: "button", "data-pickup": d.demand_id, "aria-label": `${t("inst.pick_up")} ${d.enterprise}`, onclick: (e) => pickUp(e.currentTarget, d.demand_id) }, t("inst.pick_up"))
          : "—",
      ]),
      { label: t("inst.demands") }));

const sent = () =>
  section("sent", "/v1/authorization-requests", (list) =>
    table([t("col.enterprise"), t("col.purpose"), t("col.scope"), t("col.state"), t("col.respond_by")],
      list.map((r) => [
        h("span", { class: "mono" }, r.enterprise),
        [purposeName(r.purpose), r.note_zh ? h("p", { class: "note" }, r.note_zh) : null],
        scopeText(r, specs),
        requestBadge(r.state),
        when(r.respond_by),
      ]),
      { label: t("inst.sent_requests") }));

// The bisection budget (GET /v1/me/verification-budget): absent on gateways before it.
const budget = () =>
  section("budget", "/v1/me/verification-budget", (b) => {
    return [h("p", { class: "hint" }, t("inst.budget_intro", { day: b.day, count: b.budget_per_day })),
      table([t("col.enterprise"), t("col.predicate"), t("col.thresholds_asked"), t("col.remaining")],
        b.used.map((u) => [h("span", { class: "mono" }, u.enterprise), describe(u.predicate), String(u.thresholds_asked), u.remaining > 0 ? String(u.remaining) : badge("0", "warn")]),
        { label: t("inst.budget") })];
  });

const financing = () => Promise.all([pushed(), products(), sent(), budget()]);

async function main() {
  try {
    [verifiers, specs] = await Promise.all([fetch("/v1/verifiers", { credentials: "omit" }).then((r) => r.json()), catalog()]);
  } catch (error) {
    return showError(result(), error);
  }
  addCheck();
  document.getElementById("add-check").addEventListener("click", () => addCheck().querySelector("select").focus());
  const reportForm = document.getElementById("report-form");
  reportForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(reportForm.querySelector("button[type=submit]"), null, async () => {
      const uscc = reportForm.uscc.value.trim().toUpperCase();
      try {
        showReport(await api("GET", `/v1/enterprises/${encodeURIComponent(uscc)}/report?purpose=${encodeURIComponent(reportForm.purpose.value)}`));
      } catch (error) {
        showError(result(), error);
      }
      authorizations();
    });
  });
  const verifyForm = document.getElementById("verify-form");
  verifyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(verifyForm.querySelector("button[type=submit]"), null, async () => {
      const uscc = verifyForm.uscc.value.trim().toUpperCase();
      try {
        showVerification(await api("POST", `/v1/enterprises/${encodeURIComponent(uscc)}/verifications`, { purpose: verifyForm.purpose.value, checks: collectChecks() }));
      } catch (error) {
        showError(result(), error);
      }
      authorizations();
      budget();
    });
  });
  await Promise.all([authorizations(), financing()]);
}

if (who) await main();
