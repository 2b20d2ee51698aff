/* topiclens explorer: the Trends tab, each topic's documents per period (lines) or per class (stacked bars).
   Built with SVG elements and textContent only: labels, keywords and group names are untrusted text. */
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const CHART = { width: 640, height: 300, left: 44, right: 12, top: 12, bottom: 40 };
const DEFAULT_LINES = 5;
const CLASS_ROOM = 84; // width (in the chart's units) left of the bars for a class name
const CLASS_CHARS = 15; // a class name's characters before it is measured (and while the chart is hidden)

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function cutRight(text, chars) {
  /* The first `chars` characters (code points: a surrogate pair is never split) with an ellipsis, or the whole. */
  const points = Array.from(text);
  return points.length > chars ? points.slice(0, chars).join("").trimEnd() + "…" : text;
}

function fitRight(element, room) {
  /* Cut an SVG text on the right, with an ellipsis, until it is at most `room` units wide (its first child is
     the text, a title element may follow). In a hidden chart nothing can be measured: the first characters stay. */
  const whole = element.dataset.whole, shown = element.firstChild;
  if (!shown || shown.nodeType !== Node.TEXT_NODE) return; // an empty name
  shown.data = whole;
  const width = element.getComputedTextLength();
  if (!width || width <= room) {
    if (!width) shown.data = cutRight(whole, CLASS_CHARS);
    return;
  }
  let low = 0, high = Array.from(whole).length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    shown.data = cutRight(whole, middle);
    if (element.getComputedTextLength() <= room) low = middle; else high = middle - 1;
  }
  shown.data = cutRight(whole, low);
}

class TrendsView {
  constructor(views, topic) {
    /* views: the report's trend views; topic(id) -> {label, color} of a topic (outliers included). */
    this.views = views || [];
    this.topic = topic;
    this.shown = new Set();
    this.current = null;
  }
  start() {
    if (!this.views.length) return;
    document.getElementById("trends-tab").hidden = false;
    const select = document.getElementById("trend-by");
    select.replaceChildren(...this.views.map((view, i) => {
      const option = document.createElement("option");
      option.value = String(i); option.textContent = view.name;
      return option;
    }));
    select.addEventListener("change", () => this.choose(Number(select.value)));
    document.getElementById("trend-share").addEventListener("change", () => this.render());
    document.getElementById("trend-legend").addEventListener("click", (e) => {
      const button = e.target.closest("button[data-topic]");
      if (button) this.toggle(Number(button.dataset.topic));
    });
    this.choose(0);
  }
  choose(index) {
    this.current = this.views[index];
    const ranked = this.current.series.filter((s) => s.topic >= 0)
      .sort((a, b) => b.counts.reduce((x, y) => x + y, 0) - a.counts.reduce((x, y) => x + y, 0));
    this.shown = new Set(ranked.slice(0, DEFAULT_LINES).map((s) => s.topic));
    this.render();
  }
  toggle(topic) {
    if (this.shown.has(topic)) this.shown.delete(topic); else this.shown.add(topic);
    this.render();
  }
  show(topic) {
    /* A topic opened elsewhere joins the chart. */
    if (!this.current || this.shown.has(topic)) return;
    this.shown.add(topic);
    this.render();
  }
  value(series, g) {
    const total = this.current.totals[g];
    return document.getElementById("trend-share").checked ? (total ? series.counts[g] / total : 0) : series.counts[g];
  }
  render() {
    const view = this.current, chart = document.getElementById("trend-chart");
    const drawn = view.series.filter((s) => this.shown.has(s.topic));
    const left = view.missing + view.unparsed;
    document.getElementById("trend-note").textContent =
      `${view.totals.reduce((x, y) => x + y, 0).toLocaleString()} documents in ${view.groups.length} ` +
      `${view.kind === "time" ? "periods" : "classes"}` +
      (left ? `; ${view.missing} without a value and ${view.unparsed} unparsed are in none` : "");
    chart.replaceChildren(...(view.kind === "time" ? this.lines(view, drawn) : this.bars(view, drawn)));
    chart.dataset.lines = String(drawn.length);
    chart.dataset.topics = drawn.map((s) => s.topic).join(",");
    this.fit();
    this.legend(view);
  }
  fit() {
    /* The class names cut to the room left of the bars, now that they can be measured (on the right: a name
       drawn to the left of the chart would lose its start). */
    for (const name of document.querySelectorAll("#trend-chart text.trend-class")) fitRight(name, CLASS_ROOM);
  }
  lines(view, drawn) {
    const { width, height, left, right, top, bottom } = CHART, n = view.groups.length;
    document.getElementById("trend-chart").setAttribute("viewBox", `0 0 ${width} ${height}`);
    const share = document.getElementById("trend-share").checked;
    let high = 0;
    for (const s of drawn) for (let g = 0; g < n; g++) high = Math.max(high, this.value(s, g));
    high = high || 1;
    const x = (g) => left + (n === 1 ? (width - left - right) / 2 : g * (width - left - right) / (n - 1));
    const y = (v) => top + (1 - v / high) * (height - top - bottom);
    const parts = [svgElement("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), stroke: "#999" }),
      svgElement("text", { x: left - 4, y: top + 8, "text-anchor": "end", "font-size": 10 },
        share ? `${Math.round(100 * high)}%` : high.toLocaleString()),
      svgElement("text", { x: left - 4, y: y(0), "text-anchor": "end", "font-size": 10 }, "0")];
    for (const g of [...new Set([0, Math.floor((n - 1) / 2), n - 1])]) {
      parts.push(svgElement("text", { x: x(g), y: height - bottom + 16, "text-anchor": "middle", "font-size": 10 },
        view.groups[g]));
    }
    for (const s of drawn) {
      const { color, label } = this.topic(s.topic);
      const points = view.groups.map((_, g) => `${x(g).toFixed(1)},${y(this.value(s, g)).toFixed(1)}`).join(" ");
      const line = svgElement("polyline", { points, fill: "none", stroke: color, "stroke-width": 2,
        class: "trend-line", "data-topic": s.topic });
      line.append(svgElement("title", {}, `${s.topic}: ${label}`));
      parts.push(line);
      view.groups.forEach((group, g) => {
        if (!s.counts[g]) return;
        const dot = svgElement("circle", { cx: x(g), cy: y(this.value(s, g)), r: 2.5, fill: color });
        dot.append(svgElement("title", {}, `${group} · ${s.topic}: ${label}\n${s.counts[g]} documents · ${s.keywords[g]}`));
        parts.push(dot);
      });
    }
    return parts;
  }
  bars(view, drawn) {
    const { width, left, right, top } = CHART, n = view.groups.length, rowHeight = Math.max(12, Math.min(24, 250 / n));
    const chart = document.getElementById("trend-chart");
    chart.setAttribute("viewBox", `0 0 ${width} ${top + n * rowHeight + 20}`);
    const parts = [], span = width - left - right - 90;
    view.groups.forEach((group, g) => {
      const yTop = top + g * rowHeight;
      const name = svgElement("text", { x: 86, y: yTop + rowHeight * 0.7, "text-anchor": "end", "font-size": 10,
        class: "trend-class", "data-whole": group }, cutRight(group, CLASS_CHARS));
      name.append(svgElement("title", {}, group));
      parts.push(name);
      let start = 0;
      const total = view.totals[g] || 1;
      for (const s of drawn) {
        const part = s.counts[g] / total, { color, label } = this.topic(s.topic);
        if (!part) continue;
        const rect = svgElement("rect", { x: 90 + start * span, y: yTop + 2, width: part * span, height: rowHeight - 4,
          fill: color, class: "trend-bar", "data-topic": s.topic });
        rect.append(svgElement("title", {}, `${group} · ${s.topic}: ${label}\n${s.counts[g]} documents ` +
          `(${(100 * part).toFixed(1)}%) · ${s.keywords[g]}`));
        parts.push(rect);
        start += part;
      }
      parts.push(svgElement("rect", { x: 90 + start * span, y: yTop + 2, width: Math.max(0, (1 - start) * span),
        height: rowHeight - 4, fill: "#e4e4e4" }));
    });
    return parts;
  }
  legend(view) {
    const totals = view.series.map((s) => [s, s.counts.reduce((x, y) => x + y, 0)]).filter(([, t]) => t > 0)
      .sort((a, b) => b[1] - a[1]);
    document.getElementById("trend-legend").replaceChildren(...totals.map(([s, total]) => {
      const { color, label } = this.topic(s.topic), button = document.createElement("button");
      button.type = "button"; button.dataset.topic = String(s.topic);
      button.className = "trend-key" + (this.shown.has(s.topic) ? " on" : "");
      const swatch = document.createElement("span");
      swatch.className = "swatch"; swatch.style.background = color;
      button.append(swatch, `${s.topic}  ${label} (${total.toLocaleString()})`);
      return button;
    }));
  }
}
