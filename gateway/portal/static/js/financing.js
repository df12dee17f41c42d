// Words for the financing screens: amounts, terms, rates, and the enums' labels in the user's
// language (an id the table does not know is shown as it is, never dropped).
import { badge, lang, listSep, named, t } from "./portal.js";

const whole = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: 0 });
// 300万, 1亿: how amounts are said in Chinese, used only where nothing is rounded away
const compact = new Intl.NumberFormat("zh-CN", { notation: "compact", maximumFractionDigits: 4 });

function number(amount) {
  const n = Number(amount);
  if (lang === "zh" && Number.isInteger(n) && n >= 10000 && n % 10000 === 0) return compact.format(n);
  return whole.format(n);
}

export const money = (amount) => t("fin.cny", { amount: number(amount) });
export const moneyRange = (min, max) => (min === max ? money(min) : t("fin.cny_range", { min: number(min), max: number(max) }));
export const months = (count) => t("fin.months", { count });
export const monthsRange = (min, max) => (min === max ? months(min) : t("fin.months_range", { min, max }));
export const rateRange = (min, max) => t("fin.rate_range", { min, max });

export const kindName = (kind) => named("kind", kind);
export const collateralName = (c) => named("collateral", c);
export const collateralText = (list) => list.map(collateralName).join(listSep);
export const declineName = (code) => named("decline", code);

const PUSH_TONE = { pushed: "warn", credit_declined: "bad", authorization_rejected: "bad", credit_approved: "ok", disbursed: "ok" };
export const pushBadge = (state) => badge(named("push", state), PUSH_TONE[state] || "");

const DEMAND_TONE = { open: "ok", withdrawn: "", expired: "" };
export const demandBadge = (state) => badge(named("demand", state), DEMAND_TONE[state] || "");

export const productBadge = (state) => badge(named("product", state), state === "active" ? "ok" : "");

const REQUEST_TONE = { pending: "warn", approved: "ok", rejected: "bad", expired: "" };
export const requestBadge = (state) => badge(named("request", state), REQUEST_TONE[state] || "");
