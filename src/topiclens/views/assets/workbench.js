/* topiclens workbench: edits with previews, LLM jobs, undo/redo, history and exports on top of the explorer.
   Every text from documents, labels and the LLM is put in the page with textContent only. */
"use strict";

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function pointInPolygon(x, y, polygon) {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i], [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const POLL_MS = 400;

class Workbench {
  constructor(explorer, state) {
    this.ex = explorer;
    this.token = state.token;
    this.selection = new Set();
    this.pending = null;  // the edit whose preview is shown, with the model generation it was made for
    this.busy = 0;
    this.polling = false;
    this.orderVersion = state.order_version;
    this.exports = state.exports;
    this.edits = state.edits;  // the table of edits (topiclens/editing/table.py): names, arguments, help
    this.buildPanels();
    this.bindTable();
    this.bindLasso();
    this.renderState(state);
    if (state.job && state.job.state === "running") this.pollJob();
  }
  // ------------------------------------------------------------------ server
  async api(path, body) {
    const headers = { "X-Topiclens-Token": this.token };
    const init = body === undefined ? { headers } :
      { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) };
    this.setBusy(+1);
    try {
      const response = await fetch(path, init);
      const type = response.headers.get("content-type") || "";
      const value = type.includes("json") ? await response.json() : { error: await response.text() };
      if (!response.ok) throw new Error((value && value.error) || `HTTP ${response.status}`);
      return value;
    } finally { this.setBusy(-1); }
  }
  setBusy(delta) {
    this.busy += delta;
    document.body.dataset.busy = this.busy > 0 ? "1" : "0";
  }
  say(text, kind) {
    const status = document.getElementById("wb-status");
    status.textContent = text;
    status.className = kind || "";
  }
  async attempt(what, action) {
    try { return await action(); }
    catch (error) { this.say(`${what} failed: ${error.message}`, "error"); return null; }
  }
  async refresh() {
    const data = await this.api(`/api/topics`);
    if (data.workbench.order_version !== this.orderVersion) { location.reload(); return; }  // other points
    if (this.pending && this.pending.generation !== data.workbench.generation) {
      this.pending = null; document.getElementById("wb-preview").hidden = true;
    }
    if (data.reloaded) this.say("The model directory was changed by another program: showing it as it is now.", "note");
    for (const t of [...this.selection]) if (!data.topics.some((topic) => topic.id === t)) this.selection.delete(t);
    this.ex.update(data);
    this.renderState(data.workbench);
    this.renderSelection();
    document.body.dataset.generation = String(data.workbench.generation);
  }
  // ------------------------------------------------------------------ panels
  buildPanels() {
    const header = document.getElementById("top");
    header.append(el("div", { id: "wb-bar" },
      el("button", { id: "wb-undo", type: "button", title: "Undo the last edit (Ctrl+Z)", text: "Undo" }),
      el("button", { id: "wb-redo", type: "button", title: "Redo (Ctrl+Shift+Z)", text: "Redo" }),
      el("span", { id: "wb-status", role: "status", "aria-live": "polite", text: "Every edit is saved at once." })));
    const tabs = document.getElementById("tabs");
    tabs.append(el("button", { type: "button", role: "tab", dataset: { tab: "edit" }, text: "Edit" }),
                el("button", { type: "button", role: "tab", dataset: { tab: "history" }, text: "History" }));
    const side = document.getElementById("side");
    const edit = el("section", { id: "tab-edit", dataset: { view: "edit" }, hidden: "" },
      el("h3", { text: "Selected topics" }),
      el("p", { class: "meta", text: "Tick topics in the table, or drag a lasso on the map (Lasso button, or Shift+drag)." }),
      el("div", { id: "wb-selected", class: "chips" }),
      el("div", { class: "wb-row" },
        el("button", { id: "wb-clear", type: "button", text: "Clear selection" }),
        el("button", { id: "wb-rename", type: "button", text: "Rename…" })),
      ...this.edits.filter((e) => e.on_selection).map((e) => this.editRow(e)),
      el("h3", { text: "Whole model" }),
      ...this.edits.filter((e) => !e.on_selection).map((e) => this.editRow(e)),
      el("div", { id: "wb-preview", hidden: "" }),
      el("h3", { text: "LLM" }),
      el("p", { id: "wb-llm-note", class: "meta" }),
      el("div", { class: "wb-row" },
        el("button", { id: "wb-relabel", type: "button", text: "Relabel" }),
        el("button", { id: "wb-describe", type: "button", text: "Describe" }),
        el("button", { id: "wb-stop", type: "button", text: "Stop", disabled: "" }),
        el("label", {}, el("input", { id: "wb-autoname", type: "checkbox", checked: "" }), " name changed topics after an edit")),
      el("progress", { id: "wb-job-bar", max: 1, value: 0, hidden: "" }),
      el("p", { id: "wb-job", "aria-live": "polite" }),
      el("h3", { text: "Export" }),
      el("div", { id: "wb-exports", class: "wb-row" },
        ...this.exports.map((name) => el("a", { id: `wb-export-${name.replace(".", "-")}`, class: "button",
          href: `/export/${name}?token=${encodeURIComponent(this.token)}`, download: name, text: name }))));
    const reading = el("section", { id: "tab-document", dataset: { view: "document" }, hidden: "" },
      el("h3", { id: "wb-doc-title", text: "Document" }),
      el("p", { class: "meta", text: "Double-click a listed document to read it whole: each passage is tinted with the colour of the topic it is about (hover for the topic and its share)." }),
      el("ul", { id: "wb-doc-legend", class: "chips" }),
      el("div", { id: "wb-doc-text", class: "wb-doc-text" }));
    const history = el("section", { id: "tab-history", dataset: { view: "history" }, hidden: "" },
      el("p", { class: "meta", text: "Newest first. Undone edits stay below the line until the next edit." }),
      el("ol", { id: "wb-history", class: "wb-history" }));
    side.append(edit, history, reading);
    for (const list of ["topic-panel", "search-results"])
      document.getElementById(list).addEventListener("dblclick", (e) => {
        const li = e.target.closest("li[data-doc]");
        if (li) this.showDocument(Number(li.dataset.doc));
      });
    for (const b of tabs.querySelectorAll("button[data-tab=edit], button[data-tab=history]"))
      b.addEventListener("click", () => this.ex.showTab(b.dataset.tab));
    const map = document.getElementById("map-controls");
    map.prepend(el("button", { id: "wb-lasso", type: "button", "aria-pressed": "false",
      title: "Draw around topics to select them (or hold Shift and drag)", text: "Lasso" }));
    document.getElementById("map").append(el("canvas", { id: "wb-lasso-layer" }));
    this.bindButtons();
  }
  async showDocument(point) {
    /* One document whole, its passages tinted by topic; every text goes in as textContent. */
    const doc = await this.attempt("Opening the document", () =>
      this.api("/api/document", { point, order_version: this.orderVersion }));
    if (!doc) return;
    const text = document.getElementById("wb-doc-text"), legend = document.getElementById("wb-doc-legend");
    text.replaceChildren(); legend.replaceChildren();
    const seen = new Map();
    for (const passage of doc.passages) {
      const span = el("span", { class: "passage", dataset: { topic: String(passage.topic) }, text: passage.text,
        title: passage.topic < 0 ? "near no topic" : `${passage.topic}: ${passage.label} (${Math.round(passage.share * 100)} %)` });
      if (passage.topic >= 0 && this.ex.byId.has(passage.topic)) {  // a topic the page does not know yet: untinted
        span.style.backgroundColor = this.ex.color(passage.topic) + "40";
        if (!seen.has(passage.topic)) seen.set(passage.topic, passage.label);
      }
      text.append(span);
    }
    for (const [topic, label] of seen) {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = this.ex.color(topic);
      legend.append(el("li", { class: "chip" }, swatch, el("span", { text: `${topic}: ${label}` })));
    }
    document.getElementById("wb-doc-title").textContent = `Document ${doc.id}`;
    this.ex.showTab("document");
  }
  bindButtons() {
    const on = (id, handler) => document.getElementById(id).addEventListener("click", handler);
    on("wb-undo", () => this.step("undo"));
    on("wb-redo", () => this.step("redo"));
    on("wb-clear", () => { this.selection.clear(); this.renderSelection(); });
    for (const edit of this.edits) on(`wb-${edit.name}`, () => this.askFor(edit));
    on("wb-rename", () => { const t = this.single(); if (t !== null) this.startRename(t); });
    on("wb-relabel", () => this.startJob("label"));
    on("wb-describe", () => this.startJob("describe"));
    on("wb-stop", () => this.attempt("Stop", () => this.api("/api/llm/stop", {})));
    document.addEventListener("keydown", (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z" || e.repeat || e.target.closest("input, select")) return;
      e.preventDefault();
      this.step(e.shiftKey ? "redo" : "undo");
    });
  }
  // One row per edit of the table: its button, then an input for each argument that is not a topic (topics come
  // from the selection). Ids: wb-NAME for the button, wb-NAME-ARGUMENT for an input.
  editRow(edit) {
    const field = (a) => {
      const id = `wb-${edit.name}-${a.name.replace(/_/g, "-")}`, words = a.name.replace(/_/g, " ");
      if (a.kind === "flag") return el("label", { title: a.help }, el("input", { id, type: "checkbox" }), ` ${a.help}`);
      if (a.kind === "choice") {
        return el("label", { title: a.help }, `${words} `, el("select", { id },
          ...a.choices.map((c) => el("option", { value: c, text: c, ...(c === a.default ? { selected: "" } : {}) }))));
      }
      const share = a.kind === "share";
      const needed = a.required || (edit.one_required && edit.exclusive.includes(a.name));
      const attributes = { id, type: "number", title: a.help, placeholder: needed ? "N" : "auto",
        step: a.kind === "count" ? 1 : "any" };
      if (share) Object.assign(attributes, { min: 0, max: 100, step: 1 });
      else if (a.least !== null) attributes.min = a.least;
      if (a.most !== null && !share) attributes.max = a.most;
      if (a.suggested !== null) attributes.value = share ? Math.round(a.suggested * 100) : a.suggested;
      return el("label", { title: a.help }, `${words} `, el("input", attributes), share ? " %" : "");
    };
    return el("div", { class: "wb-row", dataset: { edit: edit.name } },
      el("button", { id: `wb-${edit.name}`, type: "button", title: edit.summary, text: `${edit.title}…` }),
      ...edit.arguments.filter((a) => !["topic", "topics", "groups"].includes(a.kind)).map(field));
  }
  askFor(edit) {
    const request = { operation: edit.name };
    for (const a of edit.arguments) {
      if (a.kind === "topic") { request[a.name] = this.single(); if (request[a.name] === null) return; continue; }
      if (a.kind === "topics") { request[a.name] = [...this.selection]; continue; }
      if (a.kind === "groups") { request[a.name] = [[...this.selection]]; continue; }
      const input = document.getElementById(`wb-${edit.name}-${a.name.replace(/_/g, "-")}`);
      if (a.kind === "flag") request[a.name] = input.checked;
      else if (a.kind === "choice") request[a.name] = input.value;
      else if (input.value === "") request[a.name] = null;
      else request[a.name] = a.kind === "share" ? Number(input.value) / 100 : Number(input.value);
    }
    this.preview(request);
  }
  single() {
    if (this.selection.size !== 1) { this.say("Select exactly one topic for this.", "error"); return null; }
    return [...this.selection][0];
  }
  // ------------------------------------------------------------------ selection
  bindTable() {
    const head = document.querySelector("#topic-table thead tr");
    head.prepend(el("th", { title: "Select for an edit", text: "Edit" }));
    const render = this.ex.renderTable.bind(this.ex);
    this.ex.renderTable = () => {
      render();
      for (const tr of document.querySelectorAll("#topic-table tbody tr")) {
        const t = Number(tr.dataset.topic), box = el("input", { type: "checkbox", class: "wb-pick",
          "aria-label": `select topic ${t}`, dataset: { topic: String(t) } });
        box.checked = this.selection.has(t);
        if (t < 0) box.disabled = true;
        tr.prepend(el("td", {}, box));
        tr.classList.toggle("picked", this.selection.has(t));
        if (t >= 0) tr.querySelector("td.label").append(el("button", { type: "button", class: "wb-edit-label",
          title: "Rename this topic", "aria-label": `rename topic ${t}`, dataset: { topic: String(t) }, text: "✎" }));
      }
    };
    const body = document.querySelector("#topic-table tbody");
    body.addEventListener("click", (e) => {
      const rename = e.target.closest(".wb-edit-label");
      if (rename) { e.stopPropagation(); this.startRename(Number(rename.dataset.topic)); return; }
      if (!e.target.classList.contains("wb-pick")) return;
      e.stopPropagation();
      const t = Number(e.target.dataset.topic);
      if (e.target.checked) this.selection.add(t); else this.selection.delete(t);
      this.renderSelection();
    }, { capture: true });
    this.ex.renderTable();
  }
  renderSelection() {
    const box = document.getElementById("wb-selected");
    const ids = [...this.selection].sort((a, b) => a - b);
    box.replaceChildren(...ids.map((t) => el("span", { class: "chip", dataset: { topic: String(t) },
      text: `${t}  ${this.ex.label(t)}` })));
    if (!ids.length) box.append(el("span", { class: "empty", text: "none" }));
    box.dataset.count = String(ids.length);
    for (const input of document.querySelectorAll("#topic-table .wb-pick")) {
      input.checked = this.selection.has(Number(input.dataset.topic));
      input.closest("tr").classList.toggle("picked", input.checked);
    }
    const points = [];
    if (ids.length) for (const t of ids) points.push(...(this.ex.members.get(t) || []));
    if (this.ex.searchHits === null) this.ex.map.setHighlight(ids.length ? points : null);
  }
  bindLasso() {
    const root = document.getElementById("map"), layer = document.getElementById("wb-lasso-layer");
    const button = document.getElementById("wb-lasso");
    let lassoOn = false, path = null;
    button.addEventListener("click", () => { lassoOn = !lassoOn; button.setAttribute("aria-pressed", String(lassoOn)); });
    const local = (e) => { const r = root.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    const draw = () => {
      const map = this.ex.map, dpr = map.dpr || 1, ctx = layer.getContext("2d");
      layer.width = Math.round(map.cssW * dpr); layer.height = Math.round(map.cssH * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      if (!path || path.length < 2) return;
      ctx.beginPath(); ctx.moveTo(...path[0]);
      for (const p of path.slice(1)) ctx.lineTo(...p);
      ctx.closePath(); ctx.fillStyle = "rgba(37,99,235,0.08)"; ctx.fill();
      ctx.strokeStyle = "#2563eb"; ctx.lineWidth = 1.5; ctx.setLineDash([5, 4]); ctx.stroke();
    };
    root.addEventListener("pointerdown", (e) => {
      if (!(lassoOn || e.shiftKey)) return;
      e.stopImmediatePropagation(); e.preventDefault();
      root.setPointerCapture(e.pointerId);
      path = [local(e)];
    }, { capture: true });
    root.addEventListener("pointermove", (e) => {
      if (!path) return;
      e.stopImmediatePropagation();
      path.push(local(e)); draw();
    }, { capture: true });
    root.addEventListener("pointercancel", () => { path = null; draw(); }, { capture: true });
    root.addEventListener("pointerup", (e) => {
      if (!path) return;
      e.stopImmediatePropagation();
      const polygon = path.map(([x, y]) => this.ex.map.toData(x, y));
      path = null; draw();
      if (polygon.length >= 3) this.selectInside(polygon);
    }, { capture: true });
  }
  selectInside(polygon) {
    /* Topics with at least half of their (shown) points inside the lasso; else the one with the most inside. */
    const map = this.ex.map, inside = new Map(), total = new Map();
    for (let i = 0; i < map.n; i++) {
      const t = map.topics[i];
      if (t < 0 || map.hidden.has(t)) continue;
      total.set(t, (total.get(t) || 0) + 1);
      if (pointInPolygon(map.xy[2 * i], map.xy[2 * i + 1], polygon)) inside.set(t, (inside.get(t) || 0) + 1);
    }
    let chosen = [...inside].filter(([t, k]) => k >= total.get(t) / 2).map(([t]) => t);
    if (!chosen.length && inside.size) chosen = [[...inside].sort((a, b) => b[1] - a[1])[0][0]];
    for (const t of chosen) this.selection.add(t);
    this.renderSelection();
    this.ex.showTab("edit");
    this.say(chosen.length ? `Lasso: ${chosen.length} topic(s) selected.` : "Lasso: no topic inside.", "note");
  }
  // ------------------------------------------------------------------ edits
  async preview(edit) {
    this.ex.showTab("edit");
    const box = document.getElementById("wb-preview");
    this.say(`Working out what ${edit.operation} would change…`);
    const change = await this.attempt("Preview", () => this.api("/api/preview", edit));
    if (!change) return;
    this.pending = { edit, generation: change.generation };
    const row = (t, extra) => el("tr", { dataset: { topic: String(t.id) } }, el("td", { class: "num", text: String(t.id) }),
      el("td", { text: t.label }), el("td", { class: "num", text: t.size.toLocaleString() }),
      el("td", { class: "words", text: t.keywords.join(", ") }), el("td", { text: extra }));
    const rows = [
      ...change.changed.map((t) => row(t, t.from.map(([source, k]) => `${k.toLocaleString()} from ${source < 0 ? "outliers" : source}`).join(", "))),
      ...change.removed.map((t) => row(t, "removed")),
    ];
    box.replaceChildren(
      el("p", { id: "wb-preview-summary", text: change.summary }),
      el("table", { id: "wb-preview-table" }, el("thead", {}, el("tr", {}, ...["#", "label", "size", "keywords", "change"]
        .map((h) => el("th", { text: h })))), el("tbody", {}, ...rows)),
      el("div", { class: "wb-row" }, el("button", { id: "wb-apply", type: "button", class: "primary", text: "Apply" }),
        el("button", { id: "wb-cancel", type: "button", text: "Cancel" })));
    box.hidden = false;
    box.querySelector("#wb-apply").addEventListener("click", () => this.apply());
    box.querySelector("#wb-cancel").addEventListener("click", () => { this.pending = null; box.hidden = true; this.say("Cancelled."); });
    this.say("Preview ready: Apply saves it (and it can be undone).");
  }
  async apply() {
    const pending = this.pending, box = document.getElementById("wb-preview");
    if (!pending) return;
    const edit = pending.edit;
    this.pending = null; box.hidden = true;
    this.say(`Applying ${edit.operation}…`);
    const change = await this.attempt("Apply", () => this.api("/api/apply", { ...edit, generation: pending.generation }));
    if (!change) return;
    const table = this.edits.find((e) => e.name === edit.operation);
    if (table && table.arguments.some((a) => a.kind === "topics" || a.kind === "groups")) this.selection.clear();
    await this.refresh();
    this.say(`Saved: ${change.summary}.`, "ok");
    const changed = change.changed.map((t) => t.id);
    if (document.getElementById("wb-autoname").checked && this.llm && changed.length) this.startJob("label", changed);
  }
  startRename(t) {
    const tr = document.querySelector(`#topic-table tbody tr[data-topic="${t}"]`);
    this.ex.showTab("topics");
    if (!tr) return;
    const td = tr.querySelector("td.label"), input = el("input", { class: "wb-rename-input", "aria-label": `new label of topic ${t}` });
    input.value = this.ex.label(t);
    td.replaceChildren(input);
    input.focus(); input.select();
    let done = false;
    const finish = async (save) => {
      if (done) return;
      done = true;
      if (save && input.value.trim() && input.value !== this.ex.label(t)) {
        const result = await this.attempt("Rename", () => this.api("/api/rename", { topic: t, label: input.value }));
        if (result) this.say(`Topic ${t} renamed.`, "ok");
      }
      await this.refresh();
    };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") finish(true);
      if (e.key === "Escape") finish(false);
    });
    input.addEventListener("click", (e) => e.stopPropagation());
    input.addEventListener("blur", () => finish(false));
  }
  async step(which) {
    this.say(which === "undo" ? "Undoing…" : "Redoing…");
    const result = await this.attempt(which === "undo" ? "Undo" : "Redo", () => this.api(`/api/${which}`, {}));
    if (!result) return;
    await this.refresh();
    const record = result[which] || {};
    this.say(`${which === "undo" ? "Undone" : "Redone"}: ${record.operation || "an edit"}.`, "ok");
  }
  // ------------------------------------------------------------------ LLM
  async startJob(kind, topics) {
    const chosen = topics || (this.selection.size ? [...this.selection] : null);
    const job = await this.attempt(kind === "label" ? "Relabel" : "Describe",
                                   () => this.api("/api/llm", { kind, topics: chosen }));
    if (job) { this.showJob(job); this.pollJob(); }
  }
  async pollJob() {
    /* One loop at a time; a failed poll is tried again (five in a row end it). */
    if (this.polling) return;
    this.polling = true;
    let seen = -1, failures = 0;
    try {
      for (;;) {
        const job = await this.attempt("Progress", () => this.api("/api/job"));
        failures = job ? 0 : failures + 1;
        if (failures >= 5) return;
        if (job) {
          this.showJob(job);
          if (job.done !== seen || job.state !== "running") { seen = job.done; await this.refresh(); }
          if (job.state !== "running") return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally { this.polling = false; }
  }
  showJob(job) {
    const bar = document.getElementById("wb-job-bar"), line = document.getElementById("wb-job");
    bar.hidden = false; bar.max = Math.max(job.total, 1); bar.value = job.done;
    const verb = job.kind === "label" ? "Relabel" : "Describe";
    line.textContent = `${verb}: ${job.done} of ${job.total} topics · ${job.llm_calls} LLM call(s) · ` +
      `${job.cached} from the cache` + (job.current !== null && job.state === "running" ? ` · asking about topic ${job.current}` : "") +
      (job.state === "running" ? "" : ` · ${job.state}${job.error ? ": " + job.error : ""} (${job.seconds} s)`);
    line.dataset.state = job.state; line.dataset.done = String(job.done);
    document.getElementById("wb-stop").disabled = job.state !== "running";
  }
  // ------------------------------------------------------------------ history
  renderState(state) {
    this.llm = state.llm;
    document.getElementById("wb-llm-note").textContent = state.llm ?
      `With ${state.llm}: relabel or describe the selected topics (none selected: every topic without a name given ` +
      "at fit). Saved topic by topic." :
      "No LLM (started with --no-llm): start topiclens serve with --llm to relabel here.";
    for (const id of ["wb-relabel", "wb-describe"]) document.getElementById(id).disabled = !state.llm;
    if (!state.llm) document.getElementById("wb-autoname").checked = false;
    const list = document.getElementById("wb-history"), history = state.history || [], undone = state.undone || [];
    const item = (record, number, kind) => el("li", { class: kind, dataset: { operation: record.operation || "" } },
      el("b", { text: `${number}. ${record.operation || "edit"}` }),
      el("span", { class: "args", text: ` ${JSON.stringify(record.arguments || {})}` }),
      el("span", { class: "meta", text: ` · ${(record.topic_ids_before || []).length} → ${(record.topic_ids_after || []).length} topics` +
        ` · changed ${(record.changed || []).join(", ") || "none"}` +
        (record.llm_calls ? ` · ${record.llm_calls} LLM call(s), ${record.cached || 0} cached` : "") +
        (record.time ? ` · ${record.time.replace("T", " ")}` : "") + (kind === "undone" ? " · undone" : "") }));
    list.replaceChildren(
      ...undone.map((record, k) => item(record, history.length + 1 + k, "undone")).reverse(),
      ...history.map((record, k) => item(record, k + 1, "done")).reverse());
    if (!history.length && !undone.length) list.append(el("li", { class: "empty", text: "No edit since the fit." }));
    list.dataset.done = String(history.length); list.dataset.undone = String(undone.length);
    document.getElementById("wb-undo").disabled = !state.can_undo;
    document.getElementById("wb-redo").disabled = !undone.length;
  }
}

window.topiclens.workbench = new Workbench(explorer, explorer.data.workbench);
document.body.dataset.busy = "0";
document.body.dataset.ready = "1";
