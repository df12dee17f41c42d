// The assessor's desk: institutions with activity, anomalies with their evidence entries,
// exports (downloaded through a signed call), assessments; a failed one suspends.
import { api, badge, busy, download, fill, h, lang, purposeName, showError, start, stateName, t, table, when } from "./portal.js";

const who = await start();

const statusBadge = (s) => badge(stateName(s), s === "active" ? "ok" : "warn");
const severity = (s) => badge(t(`severity.${s}`), s === "high" ? "bad" : s === "medium" ? "warn" : "");

function anomalyTable(anomalies) {
  return table([t("col.kind"), t("col.institution"), t("col.severity"), t("col.time"), t("col.enterprise"), t("col.reason"), t("col.evidence")],
    anomalies.map((a) => [a.kind, h("span", { class: "mono" }, a.institution), severity(a.severity), `${when(a.first_at)} – ${when(a.last_at)}`, a.subject || "—", a.summary, h("span", { class: "mono" }, a.ledger_indexes.join(", "))]));
}

async function exportAccesses(id, format) {
  const response = await api("GET", `/v1/audit/institutions/${encodeURIComponent(id)}/export?format=${format}`, undefined, { raw: true });
  download(`${id}-accesses.${format}`, await response.text(), format === "csv" ? "text/csv" : "application/json");
}

function assessmentForm(id) {
  const today = new Date();
  const due = new Date(today.getTime() + 365 * 86400000).toISOString().slice(0, 10);
  const status = h("p", { role: "status", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "assessment-form", novalidate: true },
    h("h3", {}, t("ass.new")),
    h("div", { class: "field" }, h("label", { for: "outcome" }, t("ass.outcome")),
      h("select", { id: "outcome", name: "outcome" }, ["passed", "passed_with_findings", "failed"].map((o) => h("option", { value: o }, t(`ass.outcome.${o}`))))),
    h("div", { class: "field" }, h("label", { for: "finding" }, t("ass.finding")), h("textarea", { id: "finding", name: "finding", rows: 2 })),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "severity" }, t("ass.severity")), h("select", { id: "severity", name: "severity" }, ["low", "medium", "high"].map((s) => h("option", { value: s }, t(`severity.${s}`))))),
      h("div", { class: "field" }, h("label", { for: "evidence" }, t("ass.evidence")), h("input", { id: "evidence", name: "evidence", inputmode: "numeric", autocomplete: "off" })),
      h("div", { class: "field" }, h("label", { for: "next-due" }, t("ass.next_due")), h("input", { id: "next-due", name: "next_due", type: "date", value: due, required: true }))),
    h("button", { type: "submit" }, t("ass.submit")), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), status, async () => {
      const findings = [];
      const description = form.finding.value.trim();
      if (description) {
        const evidence = form.evidence.value.split(/[,，\s]+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n >= 0);
        findings.push({ severity: form.severity.value, description, evidence });
      }
      const response = await api("POST", `/v1/audit/institutions/${encodeURIComponent(id)}/assessments`, { outcome: form.outcome.value, findings, next_due: form.next_due.value }, { raw: true });
      const standing = response.headers.get("Credgate-Institution-Status") || "";
      await institutions();
      await detail(id, false);
      document.getElementById("detail-status").textContent = t("ass.done", { status: t(`state.${standing}`) });
      return t("ass.done", { status: t(`state.${standing}`) });
    });
  });
  return form;
}

async function detail(id, focus = true) {
  const target = document.getElementById("detail");
  try {
    const d = await api("GET", `/v1/audit/institutions/${encodeURIComponent(id)}`);
    const a = d.activity;
    fill(target,
      h("h2", {}, `${d.name}（${d.id}）`),
      h("p", { id: "detail-status", role: "status" }),
      h("p", {}, t("col.status"), "：", statusBadge(d.standing.status), d.standing.reason ? ` ${d.standing.reason}` : "", d.standing.next_due ? ` · ${t("ass.next_due")}：${d.standing.next_due}` : ""),
      table([t("col.reports"), t("col.verifications"), t("col.purpose"), t("col.denied")], [[`${a.reports.allowed} / ${a.reports.denied}`, `${a.verifications.allowed} / ${a.verifications.denied}`, Object.entries(a.purposes).map(([p, n]) => `${purposeName(p)} ${n}`).join("、") || "—", Object.entries(a.denials).map(([r, n]) => `${r} ${n}`).join("、") || "—"]]),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, null, () => exportAccesses(id, "csv")) }, t("ass.export_csv")),
        h("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, null, () => exportAccesses(id, "json")) }, t("ass.export_json"))),
      h("h3", {}, t("ass.anomalies")), anomalyTable(d.anomalies),
      h("h3", {}, t("ass.assessments")),
      table([t("col.time"), t("ass.outcome"), t("col.who"), t("ass.next_due"), t("col.id")], d.assessments.map((x) => [when(x.assessed_at), t(`ass.outcome.${x.outcome}`), x.assessor, x.next_due, String(x.ledger_index)])),
      assessmentForm(id));
    if (focus) target.focus();
  } catch (error) {
    showError(target, error);
  }
}

async function institutions() {
  const target = document.getElementById("institutions");
  try {
    const list = await api("GET", "/v1/audit/institutions");
    fill(target, table([t("col.institution"), t("col.name"), t("col.status"), t("col.reports"), t("col.verifications"), t("col.denied"), t("col.anomalies"), t("col.action")],
      list.institutions.map((i) => [h("span", { class: "mono" }, i.id), i.name, statusBadge(i.standing.status), String(i.reports), String(i.verifications), String(i.denied), String(i.anomalies),
        h("button", { type: "button", class: "secondary", "data-institution": i.id, onclick: () => detail(i.id) }, t("ass.details"))])));
  } catch (error) {
    showError(target, error);
  }
}

async function anomalies() {
  const target = document.getElementById("anomalies");
  try {
    fill(target, anomalyTable((await api("GET", "/v1/audit/anomalies")).anomalies));
  } catch (error) {
    showError(target, error);
  }
}

async function main() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  await Promise.all([institutions(), anomalies()]);
}

if (who) await main();
