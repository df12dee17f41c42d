// The enterprise's financing: its demands with every push's progress (withdraw), the products
// it may qualify for (self pre-check on its own data, seen by no institution), and the form
// that publishes a demand.
import { PortalError, api, badge, busy, fill, flash, h, lang, listSep, named, now, showError, start, t, table, when } from "./portal.js";
import { collateralText, declineName, demandBadge, kindName, money, moneyRange, months, monthsRange, pushBadge, rateRange } from "./financing.js";

const who = await start();
let verifiers = [];

// ------------------------------------------------------------ product matches

function argText(spec, name, value) {
  const schema = ((spec && spec.arguments.find((a) => a.name === name)) || {}).schema || {};
  if (Array.isArray(value)) return value.join(listSep);
  if (schema["x-unit"] === "CNY") return money(value);
  if (typeof value === "string" && /^\d+\.\d+$/.test(value)) return String(Number(value)); // 0.7000 -> 0.7
  return String(value);
}

/** A criterion in words: the predicate's description in the user's language, its arguments. */
function criterionText(c) {
  const spec = verifiers.find((v) => v.name === c.predicate);
  if (!spec) return c.predicate;
  const text = (lang === "zh" ? spec.description_zh : spec.description).replace(/[。.]\s*$/, "");
  const args = Object.entries(c.args || {}).map(([name, value]) => argText(spec, name, value));
  return args.length ? `${text}${t("fin.args", { args: args.join(listSep) })}` : text;
}

const RESULT_TONE = { pass: "ok", fail: "bad", no_data: "warn" };

function criterion(label, result, reason) {
  return h("li", {}, badge(t(`fin.result.${result}`), RESULT_TONE[result]), " ", label,
    result !== "pass" && reason && reason !== result ? h("span", { class: "hint" }, ` · ${named("reason", reason)}`) : null);
}

function criteria(m) {
  const fit = (ok) => (ok ? "pass" : "fail");
  return h("ul", { class: "criteria" },
    criterion(t("fin.industry_fit"), fit(m.industry_fits)),
    criterion(t("fin.region_fit"), fit(m.region_fits)),
    m.criteria.length ? m.criteria.map((c) => criterion(criterionText(c), c.result, c.reason)) : h("li", { class: "hint" }, t("fin.no_criteria")));
}

function targets(list) {
  // the institutions whose products were listed, to send the demand to them only
  const byInstitution = new Map();
  for (const m of list) {
    if (!byInstitution.has(m.product.institution)) byInstitution.set(m.product.institution, []);
    byInstitution.get(m.product.institution).push(m.product.name_zh);
  }
  const box = document.getElementById("fin-target-list");
  box.replaceChildren(...[...byInstitution].map(([id, names]) =>
    h("label", {}, h("input", { type: "checkbox", name: "targets", value: id }), " ", h("span", { class: "mono" }, id), ` (${names.join(listSep)})`)));
  document.getElementById("fin-targets").hidden = byInstitution.size === 0;
}

async function matches() {
  const target = document.getElementById("matches");
  try {
    const answer = await api("GET", "/v1/me/product-matches");
    targets(answer.matches);
    // qualifying products first, then by how few criteria fail
    const sorted = [...answer.matches].sort((a, b) => Number(b.qualifies) - Number(a.qualifies) || a.failed - b.failed);
    fill(target,
      h("p", { class: "hint" }, t("fin.profile", { industry: answer.industry || t("fin.industry_unknown"), region: answer.region })),
      table([t("col.product"), t("col.kind"), t("col.amount_range"), t("col.term"), t("col.rate_range"), t("col.prequal"), t("col.criteria")],
        sorted.map((m) => {
          const p = m.product;
          return [
            [h("strong", {}, p.name_zh), h("span", { class: "hint block mono" }, p.institution)],
            kindName(p.kind),
            moneyRange(p.amount_min, p.amount_max),
            monthsRange(p.term_min_months, p.term_max_months),
            rateRange(p.rate_min_pct, p.rate_max_pct),
            m.qualifies ? badge(t("fin.qualifies"), "ok") : badge(t("fin.not_qualifies"), "warn"),
            criteria(m),
          ];
        }),
        { label: t("fin.matches") }));
  } catch (error) {
    showError(target, error);
  }
}

// ------------------------------------------------------------ my demands

function pushLine(p) {
  const due = p.state === "pushed" ? [" · ", t("col.pickup_due"), " ", when(p.pickup_due), p.overdue ? [" ", badge(t("fin.overdue"), "bad")] : null] : null;
  const outcome = p.state === "credit_approved" && p.approved_amount ? ` · ${money(p.approved_amount)}` : p.state === "credit_declined" && p.decline_reason ? ` · ${declineName(p.decline_reason)}` : p.state === "disbursed" && p.disbursed_amount ? ` · ${money(p.disbursed_amount)}` : "";
  return h("li", {}, h("span", { class: "mono" }, p.institution), " ", pushBadge(p.state), outcome, due);
}

async function showHistory(details, id) {
  if (details.dataset.loaded) return;
  details.dataset.loaded = "1";
  const box = details.querySelector("div");
  try {
    const demand = await api("GET", `/v1/me/financing-demands/${encodeURIComponent(id)}`);
    fill(box, demand.history.length
      ? h("ol", { class: "history" }, demand.history.map((e) => h("li", {}, when(e.at), " ", named("event.financing.demand", e.kind), e.institution ? [" · ", h("span", { class: "mono" }, e.institution)] : null)))
      : h("p", { class: "empty" }, t("fin.history_empty")));
  } catch (error) {
    delete details.dataset.loaded;
    showError(box, error);
  }
}

async function withdraw(button, id) {
  if (!confirm(t("fin.withdraw_confirm", { id }))) return;
  await busy(button, null, async () => {
    await api("POST", `/v1/me/financing-demands/${encodeURIComponent(id)}/withdraw`);
    await demands();
    flash(t("fin.withdrawn", { id }));
    document.getElementById("flash").focus(); // the button is gone: keep keyboard users here
  });
}

async function demands() {
  const target = document.getElementById("demands");
  target.setAttribute("aria-busy", "true");
  try {
    const list = await api("GET", "/v1/me/financing-demands");
    list.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    fill(target, table([t("col.id"), t("col.amount"), t("col.term"), t("col.funds_purpose"), t("col.valid_until"), t("col.state"), t("col.pushes"), t("col.action")],
      list.map((d) => {
        const history = h("details", { class: "history", ontoggle: (e) => e.currentTarget.open && showHistory(e.currentTarget, d.id) }, h("summary", {}, t("fin.history")), h("div", { "aria-live": "polite" }));
        return [
          h("span", { class: "mono wrap" }, d.id),
          money(d.amount),
          months(d.term_months),
          [d.purpose_zh, d.collateral.length ? h("p", { class: "note" }, t("fin.collateral_note", { list: collateralText(d.collateral) })) : null],
          when(d.valid_until),
          demandBadge(d.state),
          [d.pushes.length ? h("ul", { class: "pushes" }, d.pushes.map(pushLine)) : h("p", { class: "empty" }, t("fin.not_pushed")), history],
          d.state === "open"
            ? h("button", { type: "button", class: "danger", "data-withdraw": d.id, "aria-label": `${t("fin.withdraw")} ${d.id}`, onclick: (e) => withdraw(e.currentTarget, d.id) }, t("fin.withdraw"))
            : "—",
        ];
      }),
      { label: t("fin.demands") }));
  } catch (error) {
    showError(target, error);
  }
}

// ------------------------------------------------------------ publishing

const DAY_MS = 86_400_000;
// a demand is valid for at most 180 days (gateway/financing/demands.py): the last whole day
const MAX_VALID_DAYS = 179;

/** The platform's calendar day (Asia/Shanghai), ``plus`` days on, as YYYY-MM-DD. */
function platformDay(plus = 0) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date(now() * 1000 + plus * DAY_MS));
}

function wholeNumber(input, min, max, message) {
  const n = Number(input.value);
  if (input.value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    input.focus();
    throw new PortalError(message);
  }
  return n;
}

function demandBody(form) {
  const amount = wholeNumber(form.amount, 1, 1e12, "fin.need_amount");
  const term = wholeNumber(form.term_months, 1, 360, "fin.need_term");
  const purpose = form.purpose_zh.value.trim();
  if (!purpose) {
    form.purpose_zh.focus();
    throw new PortalError("fin.need_purpose");
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.valid_until.value)) {
    form.valid_until.focus();
    throw new PortalError("fin.need_valid_until");
  }
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((x) => x.value);
  const body = {
    amount,
    term_months: term,
    purpose_zh: purpose,
    collateral: checked("collateral"),
    // to the end of the chosen day, the platform's time
    valid_until: `${form.valid_until.value}T23:59:59+08:00`,
  };
  const institutions = checked("targets");
  if (institutions.length) body.target_institutions = institutions;
  return body;
}

// The Idempotency-Key of a submission not yet answered: sending the same demand again (after a
// lost answer) reuses it, so the gateway publishes it once; a changed demand gets a new key.
let unanswered = null;

function idempotencyKey(body) {
  const text = JSON.stringify(body);
  if (!unanswered || unanswered.text !== text) unanswered = { text, key: crypto.randomUUID() };
  return unanswered.key;
}

function setUpForm() {
  const form = document.getElementById("demand-form");
  const valid = form.valid_until;
  valid.min = platformDay(1);
  valid.max = platformDay(MAX_VALID_DAYS);
  valid.value = platformDay(30);
  document.querySelector("a[href='#publish-h']").addEventListener("click", () => setTimeout(() => form.amount.focus(), 0));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), document.getElementById("fin-status"), async () => {
      const body = demandBody(form);
      const made = await api("POST", "/v1/me/financing-demands", body, { headers: { "Idempotency-Key": idempotencyKey(body) } });
      unanswered = null;
      await demands();
      return t("fin.published", { id: made.id, count: made.pushes.length });
    });
  });
  form.querySelector("button[type=submit]").disabled = false; // disabled until handled here
}

async function main() {
  setUpForm();
  try {
    verifiers = await fetch("/v1/verifiers", { credentials: "omit" }).then((r) => r.json());
  } catch {
    verifiers = []; // criteria are then named by their predicate ids
  }
  await Promise.all([demands(), matches()]);
}

if (who) await main();
