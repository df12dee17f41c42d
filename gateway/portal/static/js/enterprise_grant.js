// Sign a grant (a compact JWS) in the browser and hand it to POST /v1/authorizations.
import { api, busy, h, identity, lang, now, PortalError, signGrant, start, t } from "./portal.js";

const who = await start();
const form = document.getElementById("grant-form");
const status = document.getElementById("grant-status");

const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);

if (who) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), status, async () => {
      const institution = form.institution.value.trim();
      if (!institution) {
        form.institution.focus();
        throw new PortalError("grant.institution");
      }
      const datasets = checked("datasets");
      const classes = checked("classes");
      const modes = checked("modes");
      if (!datasets.length && !classes.length) throw new PortalError("grant.need_scope");
      if (!modes.length) throw new PortalError("grant.need_mode");
      const from = now();
      const days = Math.max(1, Number(form.days.value) || 30);
      const useLimit = Number(form.use_limit.value) || null;
      const token = await signGrant(await identity(), { institution, purpose: form.purpose.value, datasets, classes, modes, notBefore: from, expiresAt: from + days * 86400, useLimit });
      const grant = await api("POST", "/v1/authorizations", { token }, { headers: { "Idempotency-Key": crypto.randomUUID() } });
      status.replaceChildren(t("grant.done", { id: grant.id }), " ", h("a", { href: `/portal/enterprise?lang=${lang}` }, t("nav.enterprise.home")));
      return null;
    });
  });
}
