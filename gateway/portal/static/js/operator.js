// The operator's desk: datasets with freshness and reconciliation, repairs to approve,
// principals, and financing statistics where the gateway has them.
import { api, badge, busy, catalog, datasetName, fill, h, lang, optional, showError, start, stateName, t, table, when } from "./portal.js";
import { barChart } from "./chart.js";

const who = await start();

async function reconcile(id) {
  const target = document.getElementById("reconciliation");
  try {
    const r = await api("GET", `/v1/datasets/${encodeURIComponent(id)}/reconciliation`);
    fill(target, h("h3", {}, `${r.status.name_zh}（${r.dataset}）`),
      table([t("col.records"), t("col.enterprise"), t("op.digest"), t("col.time")], [[String(r.current_records), String(r.enterprises), h("span", { class: "mono wrap" }, `${r.digest_algorithm}:${r.digest}`), when(r.as_of)]]),
      table(Object.keys(r.batches[0] || {}).slice(0, 6), r.batches.map((b) => Object.keys(b).slice(0, 6).map((k) => String(b[k] ?? "—")))));
    target.focus();
  } catch (error) {
    showError(target, error);
  }
}

async function datasets() {
  const target = document.getElementById("datasets");
  try {
    const list = await api("GET", "/v1/datasets");
    fill(target, table([t("col.dataset"), t("col.source"), t("col.frequency"), t("col.last_update"), t("col.status"), t("col.action")],
      list.map((d) => [lang === "zh" ? d.name_zh : `${d.name_zh} (${d.dataset})`, h("span", { class: "mono" }, d.source_id), t(`freq.${d.update_frequency}`), when(d.last_update),
        !d.stored ? badge(t("op.not_stored")) : d.overdue ? badge(t("op.overdue"), "warn") : badge(t("op.fresh"), "ok"),
        d.stored ? h("button", { type: "button", class: "secondary", onclick: () => reconcile(d.dataset) }, t("op.reconcile")) : "—"])));
  } catch (error) {
    showError(target, error);
  }
}

async function repairs() {
  const target = document.getElementById("repairs");
  try {
    const [list, specs] = await Promise.all([api("GET", "/v1/repairs?state=pending"), catalog()]);
    fill(target, table([t("col.id"), t("col.enterprise"), t("col.dataset"), t("obj.record"), t("col.reason"), t("col.time"), t("col.action")],
      list.map((r) => {
        const reason = h("input", { "aria-label": t("op.reject_reason"), placeholder: t("op.reject_reason") });
        return [h("span", { class: "mono wrap" }, r.id), h("span", { class: "mono" }, r.enterprise), datasetName(specs.get(r.dataset), r.dataset), h("span", { class: "mono wrap" }, r.record_id), r.reason, when(r.applied_at),
          h("div", { class: "stack" },
            h("button", { type: "button", onclick: (e) => busy(e.currentTarget, null, async () => { await api("POST", `/v1/repairs/${encodeURIComponent(r.id)}/approve`, {}); await repairs(); }) }, t("op.approve")),
            reason,
            h("button", { type: "button", class: "secondary", onclick: (e) => { if (!reason.value.trim()) return reason.focus(); busy(e.currentTarget, null, async () => { await api("POST", `/v1/repairs/${encodeURIComponent(r.id)}/reject`, { reason: reason.value.trim() }); await repairs(); }); } }, t("op.reject")))];
      })));
  } catch (error) {
    showError(target, error);
  }
}

async function principals() {
  const target = document.getElementById("principals");
  try {
    const list = await api("GET", "/v1/principals");
    fill(target, table([t("col.id"), t("col.name"), t("col.role"), t("col.status"), t("col.time")],
      list.map((p) => [h("span", { class: "mono" }, p.id), p.name, t(`role.${p.role}`), badge(stateName(p.status), p.status === "active" ? "ok" : "warn"), when(p.created_at)])));
  } catch (error) {
    showError(target, error);
  }
}

async function stats() {
  try {
    const data = await optional("/v1/stats/financing");
    if (data === null) return;
    document.getElementById("stats-section").hidden = false;
    fill(document.getElementById("stats"), barChart(data));
  } catch (error) {
    document.getElementById("stats-section").hidden = false;
    showError(document.getElementById("stats"), error);
  }
}

async function main() {
  await Promise.all([datasets(), repairs(), principals(), stats()]);
}

if (who) await main();
