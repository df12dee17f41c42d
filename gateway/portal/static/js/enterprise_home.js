// The enterprise's home: pending authorization requests (when the financing API is there),
// active and ended grants with their last use, one-click revoke.
import { api, apiAll, badge, busy, catalog, datasetName, fill, flash, h, identity, optional, purposeName, showError, signClaims, start, stateName, t, table, when } from "./portal.js";

const who = await start();

async function lastUses() {
  // the newest access entry naming each grant, from the enterprise's own access log
  const page = await api("GET", "/v1/me/access-log?limit=500");
  const last = new Map();
  for (const item of page.entries) {
    const payload = item.entry && item.entry.payload;
    if (!payload || !String(payload.type).startsWith("access.")) continue;
    for (const id of payload.authorizations || []) if (!last.has(id)) last.set(id, item.entry.timestamp);
  }
  return last;
}

function scope(grant, specs) {
  const parts = grant.datasets.map((d) => datasetName(specs.get(d), d));
  for (const c of grant.classes) parts.push(t(`class.${c}`));
  return parts.join("、");
}

function grantRow(grant, specs, last, ended) {
  const uses = grant.use_limit ? `${grant.uses} / ${grant.use_limit}` : String(grant.uses);
  const cells = [
    h("span", { class: "mono" }, grant.institution),
    purposeName(grant.purpose),
    scope(grant, specs),
    grant.modes.map((m) => t(`mode.${m}`)).join("、"),
    when(grant.expires_at),
    uses,
    when(last.get(grant.id)),
    badge(stateName(grant.state), grant.state),
  ];
  if (!ended) {
    cells.push(
      h("button", { type: "button", class: "danger", "data-revoke": grant.id, "aria-label": `${t("ent.revoke")} ${grant.id}`, onclick: (e) => revoke(e.currentTarget, grant.id) }, t("ent.revoke")),
    );
  }
  return cells;
}

async function revoke(button, id) {
  if (!confirm(t("ent.revoke_confirm", { id }))) return;
  await busy(button, null, async () => {
    await api("POST", `/v1/authorizations/${encodeURIComponent(id)}/revoke`, undefined, { headers: { "Idempotency-Key": crypto.randomUUID() } });
    await grants();
    flash(t("ent.revoked", { id }));
    document.getElementById("flash").focus(); // the button is gone: keep keyboard users here
  });
}

async function grants() {
  const active = document.getElementById("active");
  const ended = document.getElementById("ended");
  try {
    const [list, specs, last] = await Promise.all([apiAll("/v1/authorizations"), catalog(), lastUses()]);
    const headers = [t("col.institution"), t("col.purpose"), t("col.scope"), t("col.modes"), t("col.expiry"), t("col.uses"), t("col.last_use"), t("col.state")];
    const live = list.filter((g) => g.state === "active" || g.state === "pending");
    const done = list.filter((g) => !(g.state === "active" || g.state === "pending"));
    fill(active, table([...headers, t("col.action")], live.map((g) => grantRow(g, specs, last, false)), { label: t("ent.active") }));
    fill(ended, table(headers, done.map((g) => grantRow(g, specs, last, true)), { label: t("ent.ended") }));
  } catch (error) {
    showError(active, error);
    ended.replaceChildren();
  }
}

// ------------------------------------------------------------ requests (financing feature)

async function approve(button, request) {
  await busy(button, null, async () => {
    // the gateway prepared the claims when the institution asked: sign exactly those, no more
    const prepared = await api("GET", `/v1/me/authorization-requests/${encodeURIComponent(request.id)}/claims`);
    const token = await signClaims(await identity(), prepared);
    await api("POST", `/v1/me/authorization-requests/${encodeURIComponent(request.id)}/approve`, { token });
    // the lists first, then the message: whoever reads it finds them up to date
    await Promise.all([requests(), grants()]);
    flash(t("ent.approved", { id: request.grant_id }));
    document.getElementById("flash").focus(); // the row is gone: keep keyboard users here
  });
}

async function reject(form, request) {
  const reason = form.querySelector("input").value.trim();
  if (!reason) return form.querySelector("input").focus();
  await busy(form.querySelector("button"), null, async () => {
    await api("POST", `/v1/me/authorization-requests/${encodeURIComponent(request.id)}/reject`, { reason });
    await requests();
    flash(t("ent.rejected"));
    document.getElementById("flash").focus();
  });
}

async function requests() {
  const section = document.getElementById("requests-section");
  const target = document.getElementById("requests");
  let list;
  try {
    list = await optional("/v1/me/authorization-requests?state=pending");
  } catch (error) {
    section.hidden = false;
    return showError(target, error);
  }
  if (list === null) return; // the financing feature is not deployed here
  section.hidden = false;
  const pending = list.filter((r) => r.state === "pending");
  const specs = await catalog();
  fill(
    target,
    table(
      [t("col.institution"), t("col.purpose"), t("col.scope"), t("col.modes"), t("col.expiry"), t("col.respond_by"), t("col.action")],
      pending.map((r) => {
        const rejectForm = h("form", { class: "inline", onsubmit: (e) => { e.preventDefault(); reject(e.currentTarget, r); } },
          h("label", { class: "sr-only", for: `reason-${r.id}` }, t("ent.reject_reason")),
          h("input", { id: `reason-${r.id}`, placeholder: t("ent.reject_reason"), required: true }),
          h("button", { type: "submit", class: "secondary" }, t("ent.reject")));
        return [h("span", { class: "mono" }, r.institution), [purposeName(r.purpose), r.note_zh ? h("p", { class: "note" }, r.note_zh) : null], scope(r, specs), r.modes.map((m) => t(`mode.${m}`)).join("、"), when(r.expires_at), when(r.respond_by),
          h("div", { class: "actions" }, h("button", { type: "button", "data-approve": r.id, onclick: (e) => approve(e.currentTarget, r) }, t("ent.approve")), rejectForm)];
      }),
      { label: t("ent.requests") },
    ),
  );
}

async function main() {
  await Promise.all([requests(), grants()]);
}

if (who) await main();
