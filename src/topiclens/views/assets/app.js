/* topiclens explorer: decodes the inline data, wires the map, the topic table, the topic panel and search. */
"use strict";

function decodeBase64(text, Type) {
  const raw = atob(text), bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return new Type(bytes.buffer);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function markTerms(text, terms) {
  /* HTML-escaped text with every search term wrapped in <mark>. */
  if (!terms.length) return escapeHtml(text);
  const pattern = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");
  let out = "", last = 0;
  for (const m of text.matchAll(pattern)) {
    out += escapeHtml(text.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

const PAGE = 50;

class Explorer {
  constructor(data) {
    this.data = data;
    const docs = data.docs;
    const q = decodeBase64(docs.xy, Uint16Array), xy = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) xy[i] = q[i] / 65535;
    this.texts = docs.text; this.ids = docs.id;
    this.setTopics(data);
    this.map = new TopicMap(document.getElementById("map"), xy, this.topicOf, this.colors, this.labels, this.centres);
    this.map.sizes = this.sizes;
    this.map.describe = (i) => this.describe(i);
    this.map.onPick = (i) => { this.selectTopic(this.topicOf[i]); this.map.setFocus(i); };
    this.trends = new TrendsView(data.trends, (t) => ({ label: this.label(t), color: this.color(t) }));
    // the workbench lists the labels that fit their topics least first, for review
    this.sort = data.workbench && data.topics.some((t) => t.confidence != null) ? { key: "fit", dir: 1 } : { key: "size", dir: -1 };
    this.selected = null; this.lower = null; this.searchHits = null;
  }
  setTopics(data) {
    /* The topics and each point's topic (what an edit changes; the points and texts stay). */
    this.data = { ...this.data, ...data, docs: { ...this.data.docs, topic: data.docs.topic } };
    this.topicOf = decodeBase64(data.docs.topic, Int16Array);
    this.n = this.topicOf.length;
    this.topics = data.topics;
    this.byId = new Map(this.topics.map((t) => [t.id, t]));
    this.members = new Map();
    for (let i = 0; i < this.n; i++) {
      const t = this.topicOf[i];
      if (!this.members.has(t)) this.members.set(t, []);
      this.members.get(t).push(i);
    }
    this.colors = []; this.labels = []; this.centres = []; this.sizes = [];
    for (const t of this.topics) if (t.id >= 0) {
      this.colors[t.id] = t.color; this.labels[t.id] = t.label; this.centres[t.id] = t.centre; this.sizes[t.id] = t.size;
    }
  }
  update(data) {
    /* Show the topics of an edited model: the map recoloured, the table, tree, trends and open topic redrawn. */
    this.setTopics(data);
    const map = this.map;
    map.topics = this.topicOf; map.labels = this.labels; map.centres = this.centres; map.sizes = this.sizes;
    map.rgb = this.colors.map(hexToRgb);
    if (this.selected !== null && !this.byId.has(this.selected)) this.selected = null;
    map.selected = this.selected;
    map.groups = null;
    map.recolor();
    this.renderSummary();
    this.renderTable();
    this.renderTree();
    this.trends.views = data.trends || [];
    if (this.trends.current && this.trends.views.length) this.trends.choose(Math.max(0, this.trends.views.findIndex((v) => v.name === this.trends.current.name)));
    if (this.selected !== null) this.renderTopic(this.selected); else this.clearSelection();
  }
  label(t) { return t < 0 ? "outliers" : this.byId.get(t).label; }
  color(t) { return t < 0 ? "#c8c8c8" : this.byId.get(t).color; }
  describe(i) {
    const t = this.topicOf[i];
    return `<b><span class="swatch" style="background:${this.color(t)}"></span>${escapeHtml(this.label(t))}</b>` +
      `${escapeHtml(this.texts[i].slice(0, 220))}${this.texts[i].length > 220 ? "…" : ""}`;
  }
  start() {
    this.renderSummary();
    this.renderTable();
    this.renderTree();
    this.trends.start();
    this.bindControls();
  }
  renderSummary() {
    const m = this.data.meta;
    document.getElementById("summary").textContent =
      `${m.n_points.toLocaleString()} documents on the map · ${m.n_topics} topics · ` +
      `${(100 * m.outlier_share).toFixed(1)}% outliers` + (m.llm ? ` · labels by ${m.llm}` : "");
  }
  // ------------------------------------------------------------------ tree
  renderTree() {
    /* The topic tree as nested <details> (collapsible), built with textContent only: names are untrusted. */
    const levels = this.data.tree;
    if (!levels || !levels.length) { document.getElementById("tree-panel").hidden = true; return; }
    const nodes = new Map(levels.flat().map((n) => [n.id, n]));
    const build = (child) => {
      if (typeof child === "number") {
        const topic = this.byId.get(child), button = document.createElement("button");
        button.type = "button"; button.className = "tree-topic"; button.dataset.topic = String(child);
        button.textContent = `${child}  ${topic ? topic.label : ""} (${topic ? topic.size : 0})`;
        return button;
      }
      const node = nodes.get(child), details = document.createElement("details"), summary = document.createElement("summary");
      details.className = "tree-node"; details.dataset.node = node.id; details.open = true;
      summary.textContent = `${node.name} (${node.size.toLocaleString()} documents, ${node.topics.length} topics)`;
      details.append(summary, ...node.children.map(build));
      return details;
    };
    document.getElementById("topic-tree").replaceChildren(...levels[0].map((n) => build(n.id)));
    document.getElementById("tree-panel").hidden = false;
    this.map.groups = levels[0].map((n) => ({ name: n.name, centre: n.centre }));
    this.map.render();
  }
  // ------------------------------------------------------------------ table
  rowValue(t, key) {
    if (key === "id" || key === "size") return t[key];
    if (key === "fit") return t.confidence == null ? Infinity * this.sort.dir : t.confidence;
    if (key === "label" || key === "llm") return (t[key] || "").toLowerCase();
    return (t[key] || []).map((w) => w[0]).join(", ").toLowerCase();
  }
  renderTable() {
    const body = document.querySelector("#topic-table tbody"), { key, dir } = this.sort;
    const rows = [...this.topics].sort((a, b) => {
      const x = this.rowValue(a, key), y = this.rowValue(b, key);
      return (x < y ? -1 : x > y ? 1 : a.id - b.id) * dir;
    });
    body.innerHTML = rows.map((t) => {
      const words = (k) => escapeHtml((t[k] || []).slice(0, 5).map((w) => w[0]).join(", "));
      return `<tr data-topic="${t.id}" data-size="${t.size}"${t.id === this.selected ? ' class="selected"' : ""}>` +
        `<td><input type="checkbox" class="topic-visible" data-topic="${t.id}"${this.map.hidden.has(t.id) ? "" : " checked"}` +
        ` aria-label="show topic ${t.id}"></td><td class="num">${t.id}</td>` +
        `<td class="label"><span class="swatch" style="background:${t.color}"></span>${escapeHtml(t.label)}` +
        (t.waiting ? ' <small class="waiting" title="a keyword label waiting for an LLM name">keywords · relabel</small>' : "") +
        (t.mixed ? ' <small class="mixed" title="its documents gather loosely: most such topics are grab-bags; split it">mixed</small>' : "") + `</td>` +
        `<td class="num">${t.size}</td><td class="num fit">${t.confidence == null ? "—" : Number(t.confidence).toFixed(2)}</td><td class="words">${words("keywords")}</td><td class="words">${words("keybert")}</td>` +
        `<td class="words">${words("mmr")}</td><td class="llm">${escapeHtml(t.llm || "—")}</td></tr>`;
    }).join("");
    for (const th of document.querySelectorAll("#topic-table th[data-sort]")) {
      if (th.dataset.sort === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    this.filterTable();
  }
  filterTable() {
    const q = document.getElementById("topic-filter").value.trim().toLowerCase();
    let shown = 0;
    for (const tr of document.querySelectorAll("#topic-table tbody tr")) {
      const t = this.byId.get(Number(tr.dataset.topic));
      const hay = [t.label, t.llm || "", ...["keywords", "keybert", "mmr"].map((k) => (t[k] || []).map((w) => w[0]).join(" "))]
        .join(" ").toLowerCase();
      tr.hidden = q !== "" && !hay.includes(q);
      if (!tr.hidden) shown++;
    }
    document.getElementById("topic-table").dataset.shown = String(shown);
  }
  // ------------------------------------------------------------------ topic panel
  selectTopic(t) {
    this.selected = t;
    this.map.setFocus(-1);
    if (this.searchHits === null) this.map.setSelected(t); else { this.map.selected = t; this.map.render(); }
    for (const tr of document.querySelectorAll("#topic-table tbody tr")) tr.classList.toggle("selected", Number(tr.dataset.topic) === t);
    this.renderTopic(t);
    this.trends.show(t);
    this.showTab("topic");
  }
  clearSelection() {
    this.selected = null;
    this.map.setFocus(-1);
    this.map.setSelected(null);
    for (const tr of document.querySelectorAll("#topic-table tbody tr.selected")) tr.classList.remove("selected");
    const panel = document.getElementById("topic-panel");
    panel.dataset.topic = "";
    panel.innerHTML = '<p class="empty">Click a topic in the table or a point on the map.</p>';
  }
  docItem(i, showTopic) {
    const text = this.texts[i], terms = this.terms || [];
    return `<li data-doc="${i}" data-topic="${this.topicOf[i]}"><div class="doc-head"><span class="id">${escapeHtml(this.ids[i])}</span>` +
      (showTopic ? `<span class="topic"><span class="swatch" style="background:${this.color(this.topicOf[i])}"></span>` +
        `${escapeHtml(this.label(this.topicOf[i]))}</span>` : "") + `</div><div class="doc-text">${markTerms(text, terms)}</div></li>`;
  }
  renderTopic(t) {
    const topic = this.byId.get(t), panel = document.getElementById("topic-panel"), members = this.members.get(t) || [];
    panel.dataset.topic = String(t);
    const chips = (list) => (list || []).map((w) => `<span class="chip">${escapeHtml(w[0])}<small>${Number(w[1]).toFixed(3)}</small></span>`).join("");
    const reps = (topic.reps || []).map((i) => this.docItem(i, false)).join("");
    panel.innerHTML =
      `<h2 id="topic-title"><span class="swatch" style="background:${topic.color}"></span>${escapeHtml(topic.label)}</h2>` +
      `<p class="meta">topic ${t} · ${topic.size.toLocaleString()} documents` +
      (topic.llm && topic.llm !== topic.label ? ` · LLM label: ${escapeHtml(topic.llm)}` : "") +
      (topic.confidence != null ? ` · label fit ${Number(topic.confidence).toFixed(2)}` : "") +
      (topic.waiting ? " · keyword label waiting for an LLM name" : "") +
      (topic.mixed ? ` · <span class="mixed">mixed topic (tightness ${Number(topic.tightness).toFixed(2)}): its documents gather loosely, most such topics are grab-bags</span>` : "") +
      ` · <button type="button" id="topic-zoom">Zoom to topic</button> <button type="button" id="back-to-topics">All topics</button></p>` +
      (topic.description ? `<p class="description" id="topic-description">${escapeHtml(topic.description)}</p>` : "") +
      (t >= 0 ? `<h3>Keywords (c-TF-IDF)</h3><div class="chips" id="topic-keywords">${chips(topic.keywords)}</div>` +
        `<h3>KeyBERT</h3><div class="chips" id="topic-keybert">${chips(topic.keybert)}</div>` +
        `<h3>MMR</h3><div class="chips" id="topic-mmr">${chips(topic.mmr)}</div>` +
        `<h3>Representative documents</h3><ol class="docs" id="topic-reps">${reps}</ol>` : "") +
      `<h3>Documents (<span id="topic-doc-count">0</span> of ${members.length.toLocaleString()} shown)</h3>` +
      `<ul class="docs" id="topic-docs"></ul><button type="button" id="topic-more" hidden>Show ${PAGE} more</button>`;
    this.sample = sampleOf(members, new Set(topic.reps || []));
    this.shownDocs = 0;
    this.moreDocs();
    panel.querySelector("#topic-zoom").addEventListener("click", () => this.map.fit(members));
    panel.querySelector("#back-to-topics").addEventListener("click", () => { this.clearSelection(); this.showTab("topics"); });
    panel.querySelector("#topic-more").addEventListener("click", () => this.moreDocs());
    panel.parentElement.scrollTop = 0;
  }
  moreDocs() {
    const list = document.getElementById("topic-docs"), next = this.sample.slice(this.shownDocs, this.shownDocs + PAGE);
    list.insertAdjacentHTML("beforeend", next.map((i) => this.docItem(i, false)).join(""));
    this.shownDocs += next.length;
    document.getElementById("topic-doc-count").textContent = String(this.shownDocs);
    document.getElementById("topic-more").hidden = this.shownDocs >= this.sample.length;
  }
  // ------------------------------------------------------------------ search
  search(query) {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    const note = document.getElementById("search-note"), list = document.getElementById("search-results");
    const count = document.getElementById("search-count");
    this.terms = terms;
    if (!terms.length) {
      this.searchHits = null; this.map.setHighlight(null);
      if (this.selected !== null) this.map.setSelected(this.selected);
      count.textContent = ""; note.textContent = ""; list.innerHTML = ""; list.dataset.hits = "0";
      document.getElementById("search-topics").replaceChildren();
      return [];
    }
    if (!this.lower) this.lower = this.texts.map((s) => s.toLowerCase());
    const hits = [];
    for (let i = 0; i < this.n; i++) {
      const s = this.lower[i];
      if (terms.every((term) => s.includes(term))) hits.push(i);
    }
    const topicHits = this.topics.filter((t) => t.id >= 0 && terms.every((term) =>
      [t.label, t.llm || "", ...["keywords", "keybert", "mmr"].flatMap((k) => (t[k] || []).map((w) => w[0]))]
        .join(" ").toLowerCase().includes(term)));
    const found = document.getElementById("search-topics");
    found.replaceChildren(...topicHits.slice(0, 20).map((t) => {
      const button = document.createElement("button");
      button.type = "button"; button.className = "found-topic"; button.dataset.topic = String(t.id);
      button.textContent = `${t.id}  ${t.label} (${t.size})`;
      return button;
    }));
    found.dataset.hits = String(topicHits.length);
    this.searchHits = hits;
    this.map.selected = null;
    this.map.setHighlight(hits);
    count.textContent = `${topicHits.length} topic${topicHits.length === 1 ? "" : "s"}, ` +
      `${hits.length.toLocaleString()} document${hits.length === 1 ? "" : "s"} match`;
    note.textContent = hits.length ? `${hits.length.toLocaleString()} documents contain ${terms.map((t) => `“${t}”`).join(" and ")}` +
      (hits.length > 200 ? "; the first 200 are listed." : ".") + " Matches are highlighted on the map." :
      "No document matches (search covers the first characters of each document shown here).";
    list.dataset.hits = String(hits.length);
    list.innerHTML = hits.slice(0, 200).map((i) => this.docItem(i, true)).join("");
    this.showTab("search");
    return hits;
  }
  // ------------------------------------------------------------------ wiring
  showTab(name) {
    for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
    for (const s of document.querySelectorAll("#side > section")) s.hidden = s.dataset.view !== name;
    if (name === "trends") this.trends.fit(); // the class names can be measured now that the chart shows
  }
  bindControls() {
    document.querySelector("#topic-table thead").addEventListener("click", (e) => {
      const th = e.target.closest("th[data-sort]");
      if (!th) return;
      const key = th.dataset.sort;
      this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : (key === "size" ? -1 : 1) };
      this.renderTable();
    });
    document.querySelector("#topic-table tbody").addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-topic]");
      if (!tr) return;
      const t = Number(tr.dataset.topic);
      if (e.target.classList.contains("topic-visible")) { this.map.setHidden(t, !e.target.checked); return; }
      this.selectTopic(t);
    });
    document.getElementById("topic-filter").addEventListener("input", () => this.filterTable());
    const setAll = (hide) => {
      for (const t of this.topics) { if (hide) this.map.hidden.add(t.id); else this.map.hidden.delete(t.id); }
      this.map.recolor(); this.renderTable();
    };
    document.getElementById("show-all").addEventListener("click", () => setAll(false));
    document.getElementById("hide-all").addEventListener("click", () => setAll(true));
    let timer = null;
    const input = document.getElementById("search");
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => this.search(input.value), 150); });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { clearTimeout(timer); this.search(input.value); } });
    const openDoc = (e) => {  // a listed document: ring it on the map
      const li = e.target.closest("li[data-doc]");
      if (li) this.map.setFocus(Number(li.dataset.doc));
    };
    document.getElementById("search-results").addEventListener("click", openDoc);
    document.getElementById("topic-tree").addEventListener("click", (e) => {
      const button = e.target.closest(".tree-topic");
      if (button) this.selectTopic(Number(button.dataset.topic));
    });
    document.getElementById("search-topics").addEventListener("click", (e) => {
      const button = e.target.closest(".found-topic");
      if (button) this.selectTopic(Number(button.dataset.topic));
    });
    document.getElementById("topic-panel").addEventListener("click", openDoc);
    for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => this.showTab(b.dataset.tab));
    document.getElementById("reset-view").addEventListener("click", () => this.map.fit());
    document.getElementById("clear-selection").addEventListener("click", () => {
      input.value = ""; this.search(""); this.clearSelection(); this.showTab("topics");
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { input.value = ""; this.search(""); this.clearSelection(); }
    });
  }
}

function sampleOf(members, skip) {
  /* The topic's documents in an evenly spread order (first page covers the whole topic), representatives excluded. */
  const rest = members.filter((i) => !skip.has(i)), n = rest.length;
  if (n <= PAGE) return rest;
  const order = [], step = n / PAGE, taken = new Uint8Array(n);
  for (let k = 0; k < PAGE; k++) { const j = Math.floor(k * step); taken[j] = 1; order.push(rest[j]); }
  for (let j = 0; j < n; j++) if (!taken[j]) order.push(rest[j]);
  return order;
}

const explorer = new Explorer(JSON.parse(document.getElementById("topiclens-data").textContent));
explorer.start();
window.topiclens = {
  explorer,
  get drawn() { return explorer.map.drawn; },
  get highlighted() { return explorer.map.drawnTop; },
  get renderer() { return explorer.map.kind; },
  get firstRenderMs() { return explorer.map.firstRender || null; },
  get labelLevel() { return explorer.map.root.dataset.labelLevel; },
  get drawnLabels() { return explorer.map.drawnLabels || []; },
  zoom: (z) => { explorer.map.view.zoom = z; explorer.map.render(); },
  selectTopic: (t) => explorer.selectTopic(t),
  trends: explorer.trends,
  search: (q) => explorer.search(q),
};
