// A bar chart in SVG, drawn from numbers the page already holds (no chart library, no inline
// style): financing statistics by month, or any flat set of counts.
import { h, table } from "./portal.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Pairs [label, number] from a statistics document: its by_month series if any, else its
 * top-level numbers. */
export function series(data) {
  const months = Array.isArray(data.by_month) ? data.by_month : null;
  if (months && months.length) {
    const key = Object.keys(months[0]).find((k) => k !== "month" && typeof months[0][k] === "number");
    return { name: key || "", points: months.map((m) => [String(m.month), Number(m[key]) || 0]) };
  }
  return { name: "", points: Object.entries(data).filter(([, v]) => typeof v === "number").map(([k, v]) => [k, v]) };
}

export function barChart(data) {
  const { name, points } = series(data);
  const width = 640;
  const height = 240;
  const pad = 32;
  const max = Math.max(1, ...points.map(([, v]) => v));
  const step = (width - 2 * pad) / Math.max(1, points.length);
  const bars = points.map(([label, v], i) => {
    const barHeight = ((height - 2 * pad) * v) / max;
    const x = pad + i * step + step * 0.15;
    const y = height - pad - barHeight;
    return svg("g", {}, svg("rect", { x, y, width: step * 0.7, height: barHeight, class: "bar" }, svg("title", {}, `${label}: ${v}`)),
      svg("text", { x: x + step * 0.35, y: height - pad + 14, "text-anchor": "middle", class: "axis" }, label),
      svg("text", { x: x + step * 0.35, y: y - 4, "text-anchor": "middle", class: "value" }, String(v)));
  });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": name, class: "chart" },
    svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: "axis-line" }), ...bars);
  return h("figure", {}, chart, h("figcaption", {}, table(["", name], points.map(([l, v]) => [l, String(v)]))));
}
