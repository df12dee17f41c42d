// Import the principal's private key into WebCrypto (non-extractable), check it with the
// gateway by one signed call, and keep it in IndexedDB.
import { api, busy, describe, importPrivateKey, lang, PortalError, saveIdentity, start, t } from "./portal.js";

const HOMES = { enterprise: "/portal/enterprise", institution: "/portal/institution", assessor: "/portal/assessor", operator: "/portal/operator" };
const home = (role) => `${HOMES[role] || "/portal"}?lang=${lang}`;

function guessRole(id) {
  if (/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(id)) return "enterprise";
  if (id.startsWith("assessor")) return "assessor";
  if (id.startsWith("operator")) return "operator";
  return "institution";
}

// One read-only call that proves the key (a wrong key or id is 401) and, where a cheap one
// exists, the role (a wrong role is 403).
const CHECKS = { enterprise: "/v1/me/repairs?limit=1", operator: "/v1/principals?role=operator" };
async function check(identity) {
  try {
    await api("GET", CHECKS[identity.role] || "/v1/authorizations", undefined, { as: identity });
  } catch (error) {
    throw new PortalError("key.rejected", { reason: describe(error).detail || describe(error).title });
  }
}

const saved = await start({ needsKey: false });
if (saved) {
  document.getElementById("current-text").textContent = t("login.current", { id: saved.principal, role: t(`role.${saved.role}`) });
  document.getElementById("current-go").href = home(saved.role);
  document.getElementById("current").hidden = false;
}

const form = document.getElementById("login-form");
const principal = document.getElementById("principal");
const role = document.getElementById("role");
const file = document.getElementById("key-file");
const pasted = document.getElementById("key-pem");
const status = document.getElementById("login-status");

principal.addEventListener("change", () => {
  role.value = guessRole(principal.value.trim());
});
file.addEventListener("change", () => {
  // the demo writes <principal>.pem: offer the name as the principal id
  const name = file.files[0] && file.files[0].name.replace(/\.pem$/i, "");
  if (name && !principal.value) {
    principal.value = name;
    role.value = guessRole(name);
  }
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  busy(form.querySelector("button[type=submit]"), status, async () => {
    const id = principal.value.trim();
    if (!id) {
      principal.focus();
      throw new PortalError("login.principal");
    }
    const pem = file.files[0] ? await file.files[0].text() : pasted.value;
    const key = await importPrivateKey(pem);
    pasted.value = "";
    file.value = "";
    const identity = { principal: id, role: role.value, ...key };
    status.textContent = t("login.checking");
    await check(identity);
    await saveIdentity(identity);
    location.assign(home(identity.role));
    return t("login.ok");
  });
});
// The button stays disabled until now: a form submitted without this script would be an
// ordinary GET of this page (the key fields carry no name, so it could never carry the key).
form.querySelector("button[type=submit]").disabled = false;
