// The portal's core: the principal's key in WebCrypto (non-extractable, kept in IndexedDB),
// a bearer token signed per request, calls to the JSON API, words, errors, and DOM helpers.
// No private key is ever sent anywhere: it is imported, stored as a CryptoKey the page cannot
// read back, and used only through crypto.subtle.sign.

const body = document.body;
export const lang = body.dataset.lang || "zh";
const audience = body.dataset.audience || "credgate";
// The server's clock as the page was rendered: tokens are dated by it, so a computer whose
// clock is off by minutes can still sign tokens the gateway accepts.
const skewMs = Number(body.dataset.serverTime) * 1000 - Date.now();
const TOKEN_SECONDS = 120;
const LANG_KEY = "credgate.lang";

let words = {};

export function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// ---------------------------------------------------------------- bytes

const encoder = new TextEncoder();
export const utf8 = (text) => encoder.encode(text);

export function b64encode(bytes) {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function b64decode(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const b64url = (bytes) => b64encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const b64urlDecode = (text) => b64decode(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));

export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- keys

export class PortalError extends Error {
  constructor(key, vars = {}) {
    super(key);
    this.key = key;
    this.vars = vars;
  }
}

const ED25519 = { name: "Ed25519" };
const P256 = { name: "ECDSA", namedCurve: "P-256" };
// DER SubjectPublicKeyInfo of an Ed25519 key, before its 32 bytes (RFC 8410)
const ED25519_SPKI_PREFIX = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

// The PKCS#8 AlgorithmIdentifier of a P-256 key: id-ecPublicKey, prime256v1.
const P256_ALGORITHM = new Uint8Array([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
]);

function der(tag, body) {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(new Uint8Array([tag, ...length]), body);
}

// OpenSSL's traditional "EC PRIVATE KEY" (SEC1) wrapped as PKCS#8, the one form WebCrypto
// imports. It is declared P-256; a key on another curve is then refused by the import.
function pkcs8FromSec1(sec1) {
  return der(0x30, concat(new Uint8Array([0x02, 0x01, 0x00]), P256_ALGORITHM, der(0x04, sec1)));
}

function pemBody(text, label) {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!match) throw new PortalError("key.not_pem");
  try {
    return b64decode(match[1].replace(/\s+/g, ""));
  } catch {
    throw new PortalError("key.not_pem");
  }
}

function pkcs8FromPem(pem) {
  const text = pem.trim();
  if (!text) throw new PortalError("key.missing");
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(text)) throw new PortalError("key.public");
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) throw new PortalError("key.encrypted");
  if (/-----BEGIN EC PRIVATE KEY-----/.test(text)) {
    const sec1 = pemBody(text, "EC PRIVATE KEY");
    const wrapped = pkcs8FromSec1(sec1);
    sec1.fill(0);
    return wrapped;
  }
  return pemBody(text, "PRIVATE KEY");
}

// The key id the gateway computes: SHA-256 over the DER SubjectPublicKeyInfo, 16 bytes in hex.
async function keyId(spki) {
  return hex(await sha256(new Uint8Array(spki))).slice(0, 32);
}

/** Import a PKCS#8 PEM private key (Ed25519, else P-256) as a non-extractable CryptoKey. */
export async function importPrivateKey(pem) {
  if (!globalThis.crypto || !crypto.subtle) throw new PortalError("key.no_webcrypto");
  const der = pkcs8FromPem(pem);
  try {
    for (const [alg, params] of [["EdDSA", ED25519], ["ES256", P256]]) {
      let readable;
      try {
        // extractable once, in memory, only to learn the public half (the key id)
        readable = await crypto.subtle.importKey("pkcs8", der, params, true, ["sign"]);
      } catch {
        continue;
      }
      const jwk = await crypto.subtle.exportKey("jwk", readable);
      let spki;
      if (alg === "EdDSA") {
        spki = concat(ED25519_SPKI_PREFIX, b64urlDecode(jwk.x));
      } else {
        const pub = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, P256, true, ["verify"]);
        spki = await crypto.subtle.exportKey("spki", pub);
      }
      const privateKey = await crypto.subtle.importKey("pkcs8", der, params, false, ["sign"]);
      return { privateKey, alg, kid: await keyId(spki) };
    }
  } finally {
    der.fill(0);
  }
  throw new PortalError("key.unsupported");
}

const DB_NAME = "credgate-portal";
const STORE = "identity";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The identity kept in this browser: {principal, role, alg, kid, privateKey} or undefined. */
export const loadIdentity = () => withStore("readonly", (s) => s.get("current"));
export const saveIdentity = (identity) => withStore("readwrite", (s) => s.put(identity, "current"));
export const forgetIdentity = () => withStore("readwrite", (s) => s.delete("current"));

// ---------------------------------------------------------------- signing

export const now = () => Math.floor((Date.now() + skewMs) / 1000);

export async function signJws(identity, header, claims) {
  const signingInput = `${b64url(utf8(JSON.stringify(header)))}.${b64url(utf8(JSON.stringify(claims)))}`;
  const params = identity.alg === "EdDSA" ? ED25519 : { name: "ECDSA", hash: "SHA-256" };
  // WebCrypto's ECDSA signature is r||s, as JWS ES256 wants it
  const signature = await crypto.subtle.sign(params, identity.privateKey, utf8(signingInput));
  return `${signingInput}.${b64url(signature)}`;
}

export function requestToken(identity) {
  const issued = now();
  const claims = { iss: identity.principal, aud: audience, iat: issued, exp: issued + TOKEN_SECONDS, jti: crypto.randomUUID().replace(/-/g, "") };
  return signJws(identity, { alg: identity.alg, typ: "JWT", kid: identity.kid }, claims);
}

/** The compact JWS an enterprise signs to grant an authorization (gateway/client.py). */
/** Sign a prepared claim set exactly as given (an authorization request's /claims answer). */
export function signClaims(identity, { header = {}, claims }) {
  return signJws(identity, { typ: "credgate-authorization+jwt", ...header, alg: identity.alg, kid: identity.kid }, claims);
}

export function signGrant(identity, { institution, purpose, datasets = [], classes = [], modes = ["report"], notBefore, expiresAt, useLimit = null, id = null }) {
  const claims = {
    iss: identity.principal,
    aud: audience,
    iat: notBefore,
    nbf: notBefore,
    exp: expiresAt,
    jti: id || `authz-${crypto.randomUUID().replace(/-/g, "")}`,
    institution,
    purpose,
    datasets,
    classes,
    modes,
  };
  if (useLimit) claims.use_limit = useLimit;
  return signJws(identity, { alg: identity.alg, typ: "credgate-authorization+jwt", kid: identity.kid }, claims);
}

// ---------------------------------------------------------------- the API

export class ApiError extends Error {
  constructor(status, payload) {
    super(`HTTP ${status}`);
    this.status = status;
    this.payload = payload;
  }
}

let identityPromise = null;
export function identity() {
  identityPromise ??= loadIdentity();
  return identityPromise;
}

/** Call the JSON API as the stored identity; every call carries a freshly signed token and no
 * cookie. Resolves to the parsed body (or the Response when raw), throws ApiError. */
export async function api(method, path, body, { raw = false, headers = {}, as = null } = {}) {
  const who = as || (await identity());
  if (!who) throw new PortalError("app.no_key");
  const sent = { ...headers, Authorization: `Bearer ${await requestToken(who)}` };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new PortalError("error.network");
  }
  if (!response.ok) {
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    throw new ApiError(response.status, payload);
  }
  if (raw) return response;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/** GET every page of a list endpoint: limit=500, then each RFC 8288 Link rel="next". */
export async function apiAll(path) {
  const items = [];
  let next = `${path}${path.includes("?") ? "&" : "?"}limit=500`;
  for (let pages = 0; next && pages < 100; pages++) {
    const response = await api("GET", next, undefined, { raw: true });
    items.push(...(await response.json()));
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get("Link") || "");
    next = link ? link[1] : null;
  }
  return items;
}

/** GET that answers null when the endpoint does not exist (a feature not deployed). */
export async function optional(path) {
  try {
    return await api("GET", path);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }
}

/** An error, in the user's language: what went wrong and the gateway's reason. Never JSON. */
export function describe(error) {
  if (error instanceof PortalError) return { title: t(error.key, error.vars), detail: "" };
  if (error instanceof ApiError) {
    const key = `error.${error.status}`;
    const title = key in words ? t(key) : t("error.other", { status: error.status });
    // RFC 9457 problem+json: detail (text), error (machine code), errors ([{field, problem}]),
    // and flattened members such as reason
    const p = error.payload || {};
    let reason = typeof p.detail === "string" ? p.detail : "";
    for (const code of [p.reason, p.error]) {
      if (typeof code === "string" && `reason.${code}` in words) {
        reason = t(`reason.${code}`);
        break;
      }
    }
    if (Array.isArray(p.errors) && p.errors.length) {
      reason = p.errors.map((d) => [d.field, d.problem].filter(Boolean).join(": ")).join("; ") || reason;
    }
    return { title, detail: reason ? t("error.detail", { detail: reason }) : "" };
  }
  return { title: t("error.title"), detail: String(error && error.message ? error.message : error) };
}

export function showError(target, error) {
  const { title, detail } = describe(error);
  const box = h("div", { class: "error", role: "alert" }, h("strong", {}, title), detail ? h("p", {}, detail) : null);
  target.replaceChildren(box);
  target.hidden = false;
  target.removeAttribute("aria-busy");
}

export function flash(text, kind = "ok") {
  const box = document.getElementById("flash");
  box.className = `flash ${kind}`;
  box.textContent = text;
  box.hidden = false;
}

// ---------------------------------------------------------------- DOM

/** Build an element; children are nodes or text (text is never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A table with a caption-less header row; rows are arrays of cells (nodes or text, or an
 * array of them, kept together in one block so a phone's card layout keeps them in a cell). */
export function table(headers, rows, { label = null } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, t("app.empty"));
  const cell = (c) => (Array.isArray(c) ? h("div", {}, c) : c);
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": label },
    h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) => h("td", { "data-label": headers[i] }, cell(c))))))),
  );
}

export function fill(target, ...nodes) {
  target.replaceChildren(...nodes);
  target.removeAttribute("aria-busy");
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

/** The message ``prefix.id`` in the page's language, or ``id`` itself when there is none. */
export const named = (prefix, id) => (`${prefix}.${id}` in words ? t(`${prefix}.${id}`) : id);
export const purposeName = (p) => named("purpose", p);
export const stateName = (s) => named("state", s);
export const listSep = lang === "zh" ? "、" : ", ";

/** Disable a form's button while ``work`` runs; show its outcome in ``status``. */
export async function busy(button, status, work) {
  button.disabled = true;
  if (status) status.textContent = t("app.working");
  try {
    const message = await work();
    if (status) {
      status.className = "ok";
      if (message !== null) status.textContent = message || t("app.done");
    }
  } catch (error) {
    if (status) {
      const { title, detail } = describe(error);
      status.className = "error";
      status.textContent = detail ? `${title} ${detail}` : title;
    } else {
      flash(describe(error).title, "error");
    }
  } finally {
    button.disabled = false;
  }
}

let catalogPromise = null;
/** GET /v1/catalog (public), as a map dataset id -> spec with fields by id. */
export function catalog() {
  catalogPromise ??= fetch("/v1/catalog", { credentials: "omit" })
    .then((r) => r.json())
    .then((c) => new Map(c.datasets.map((d) => [d.id, { ...d, byId: new Map(d.fields.map((f) => [f.id, f])) }])));
  return catalogPromise;
}

export function datasetName(spec, id) {
  return spec ? (lang === "zh" ? spec.name_zh : `${spec.name_zh} (${id})`) : id;
}

/** What a grant or an authorization request covers: its datasets by name, then its classes. */
export function scopeText(item, specs) {
  return [...item.datasets.map((d) => datasetName(specs.get(d), d)), ...item.classes.map((c) => t(`class.${c}`))].join(listSep);
}

export function fieldLabel(spec, field) {
  const f = spec && spec.byId.get(field);
  if (!f) return field;
  return lang === "zh" ? f.label_zh : `${f.label_zh} (${field})`;
}

// ---------------------------------------------------------------- page start

function preferLanguage() {
  const url = new URL(location.href);
  const asked = url.searchParams.get("lang");
  if (asked) {
    localStorage.setItem(LANG_KEY, asked);
    return false;
  }
  const stored = localStorage.getItem(LANG_KEY);
  if (stored && stored !== lang && ["zh", "en"].includes(stored)) {
    url.searchParams.set("lang", stored);
    location.replace(url.toString());
    return true;
  }
  return false;
}

/** Start a page: words, language preference, the identity bar. Resolves to the identity when
 * it has the page's role (else shows how to get one and resolves to null). */
export async function start({ needsKey = true } = {}) {
  if (preferLanguage()) return new Promise(() => {});
  words = await (await fetch(`/portal/messages/${lang}.json`, { credentials: "omit" })).json();
  const who = await identity().catch(() => undefined);
  const label = document.getElementById("identity");
  const forget = document.getElementById("forget");
  if (who) {
    label.textContent = t("app.signed_in_as", { id: who.principal });
    forget.hidden = false;
    forget.addEventListener("click", async () => {
      await forgetIdentity();
      location.assign(`${body.dataset.login}?lang=${lang}`);
    });
  }
  if (!needsKey) return who || null;
  const role = body.dataset.role;
  if (!who || (role && who.role !== role)) {
    const notice = document.getElementById("needs-key");
    if (who) document.getElementById("needs-key-text").textContent = t("app.wrong_role", { role: t(`role.${who.role}`) });
    notice.hidden = false;
    document.getElementById("content").hidden = true;
    return null;
  }
  return who;
}

/** Save something as a file the user downloads (an object URL; nothing leaves the browser). */
export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
