/* topiclens document map: WebGL points (Canvas 2D if WebGL is missing), pan, zoom, hover, topic labels. */
"use strict";

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const VERTEX_SHADER = `
attribute vec2 a_pos; attribute vec4 a_col;
uniform vec2 u_scale; uniform vec2 u_offset; uniform float u_size;
varying vec4 v_col;
void main() { gl_Position = vec4(a_pos * u_scale + u_offset, 0.0, 1.0); gl_PointSize = u_size; v_col = a_col; }`;
const FRAGMENT_SHADER = `
precision mediump float; varying vec4 v_col;
void main() { vec2 c = gl_PointCoord - 0.5; if (dot(c, c) > 0.25) discard; gl_FragColor = v_col; }`;

class GLPoints {
  constructor(canvas) {
    const gl = canvas.getContext("webgl", { antialias: true, preserveDrawingBuffer: true, premultipliedAlpha: false });
    if (!gl) throw new Error("no WebGL");
    this.gl = gl;
    const program = gl.createProgram();
    for (const [type, source] of [[gl.VERTEX_SHADER, VERTEX_SHADER], [gl.FRAGMENT_SHADER, FRAGMENT_SHADER]]) {
      const shader = gl.createShader(type);
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
      gl.attachShader(program, shader);
    }
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
    gl.useProgram(program);
    this.loc = {
      pos: gl.getAttribLocation(program, "a_pos"), col: gl.getAttribLocation(program, "a_col"),
      scale: gl.getUniformLocation(program, "u_scale"), offset: gl.getUniformLocation(program, "u_offset"),
      size: gl.getUniformLocation(program, "u_size"),
    };
    this.layers = {};
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
  }
  setLayer(name, positions, colors) {
    const gl = this.gl;
    const layer = this.layers[name] || (this.layers[name] = { pos: gl.createBuffer(), col: gl.createBuffer(), n: 0 });
    gl.bindBuffer(gl.ARRAY_BUFFER, layer.pos);
    gl.bufferData(gl.ARRAY_BUFFER, positions, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, layer.col);
    gl.bufferData(gl.ARRAY_BUFFER, colors, gl.DYNAMIC_DRAW);
    layer.n = positions.length / 2;
  }
  clear(width, height) {
    const gl = this.gl;
    gl.viewport(0, 0, width, height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
  }
  draw(name, scale, offset, size) {
    const gl = this.gl, layer = this.layers[name];
    if (!layer || !layer.n) return;
    gl.uniform2f(this.loc.scale, scale[0], scale[1]);
    gl.uniform2f(this.loc.offset, offset[0], offset[1]);
    gl.uniform1f(this.loc.size, size);
    gl.bindBuffer(gl.ARRAY_BUFFER, layer.pos);
    gl.enableVertexAttribArray(this.loc.pos);
    gl.vertexAttribPointer(this.loc.pos, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, layer.col);
    gl.enableVertexAttribArray(this.loc.col);
    gl.vertexAttribPointer(this.loc.col, 4, gl.UNSIGNED_BYTE, true, 0, 0);
    gl.drawArrays(gl.POINTS, 0, layer.n);
  }
}

class CanvasPoints {
  constructor(canvas) { this.ctx = canvas.getContext("2d"); this.layers = {}; }
  setLayer(name, positions, colors) { this.layers[name] = { positions, colors, n: positions.length / 2 }; }
  clear(width, height) { this.ctx.clearRect(0, 0, width, height); this.w = width; this.h = height; }
  draw(name, scale, offset, size) {
    const layer = this.layers[name], ctx = this.ctx;
    if (!layer) return;
    const p = layer.positions, c = layer.colors, r = size / 2;
    for (let i = 0; i < layer.n; i++) {
      if (!c[4 * i + 3]) continue;
      const x = ((p[2 * i] * scale[0] + offset[0]) + 1) / 2 * this.w;
      const y = (1 - (p[2 * i + 1] * scale[1] + offset[1])) / 2 * this.h;
      ctx.fillStyle = `rgba(${c[4 * i]},${c[4 * i + 1]},${c[4 * i + 2]},${c[4 * i + 3] / 255})`;
      ctx.fillRect(x - r, y - r, size, size);
    }
  }
}

class TopicMap {
  /* xy: Float32Array (2n, in [0,1]); topics: Int16Array; colors: hex per topic id; labels: label per topic id. */
  constructor(root, xy, topics, colors, labels, centres) {
    this.root = root; this.xy = xy; this.topics = topics; this.n = topics.length;
    this.labels = labels; this.centres = centres;
    this.rgb = colors.map(hexToRgb);
    this.pointsCanvas = root.querySelector("#map-points");
    this.overlay = root.querySelector("#map-overlay");
    this.tooltip = root.querySelector("#tooltip");
    try { this.renderer = new GLPoints(this.pointsCanvas); this.kind = "webgl"; }
    catch (e) { this.renderer = new CanvasPoints(this.pointsCanvas); this.kind = "canvas2d"; }
    this.hidden = new Set(); this.selected = null; this.highlight = null; this.focus = -1;
    this.view = { cx: 0.5, cy: 0.5, zoom: 1 };
    this.drawn = 0; this.onPick = null; this.describe = null;
    this.buildGrid();
    this.recolor();
    this.bindEvents();
    new ResizeObserver(() => this.resize()).observe(root);
    this.resize();
  }
  buildGrid() {
    const G = this.G = 128, cells = new Int32Array(G * G + 1), n = this.n, xy = this.xy;
    const cellOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const cx = Math.min(G - 1, Math.max(0, Math.floor(xy[2 * i] * G)));
      const cy = Math.min(G - 1, Math.max(0, Math.floor(xy[2 * i + 1] * G)));
      cellOf[i] = cy * G + cx; cells[cellOf[i] + 1]++;
    }
    for (let k = 0; k < G * G; k++) cells[k + 1] += cells[k];
    const fill = cells.slice(0, G * G), items = new Int32Array(n);
    for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
    this.cellStart = cells; this.cellItems = items;
  }
  isVisible(i) { return !this.hidden.has(this.topics[i]); }
  recolor() {
    /* Base layer: every point; dimmed when a topic is selected or a search is active. */
    const n = this.n, colors = new Uint8Array(4 * n), dim = this.selected !== null || this.highlight !== null;
    let drawn = 0;
    for (let i = 0; i < n; i++) {
      const t = this.topics[i], o = 4 * i;
      if (this.hidden.has(t)) continue;
      drawn++;
      if (dim) { colors[o] = colors[o + 1] = colors[o + 2] = 200; colors[o + 3] = 110; continue; }
      const c = t < 0 ? [200, 200, 200] : this.rgb[t];
      colors[o] = c[0]; colors[o + 1] = c[1]; colors[o + 2] = c[2]; colors[o + 3] = t < 0 ? 140 : 200;
    }
    this.renderer.setLayer("base", this.xy, colors);
    const top = [];
    if (this.highlight !== null) { for (const i of this.highlight) if (this.isVisible(i)) top.push(i); }
    else if (this.selected !== null) { for (let i = 0; i < n; i++) if (this.topics[i] === this.selected) top.push(i); }
    const pos = new Float32Array(2 * top.length), col = new Uint8Array(4 * top.length);
    top.forEach((i, k) => {
      const t = this.topics[i], c = t < 0 ? [120, 120, 120] : this.rgb[t];
      pos[2 * k] = this.xy[2 * i]; pos[2 * k + 1] = this.xy[2 * i + 1];
      col[4 * k] = c[0]; col[4 * k + 1] = c[1]; col[4 * k + 2] = c[2]; col[4 * k + 3] = 235;
    });
    this.renderer.setLayer("top", pos, col);
    this.drawn = drawn; this.drawnTop = top.length;
    this.root.dataset.points = String(drawn);
    this.root.dataset.highlighted = String(top.length);
    this.render();
  }
  resize() {
    /* Resizing a canvas clears it, so a resized map is redrawn now: a frame deferred to requestAnimationFrame may
       come late (headless and background tabs throttle it), leaving the map blank until then. */
    const r = this.root.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    this.cssW = Math.max(1, r.width); this.cssH = Math.max(1, r.height); this.dpr = dpr;
    this.measured = r.width > 0 && r.height > 0;
    const w = Math.round(this.cssW * dpr), h = Math.round(this.cssH * dpr);
    let cleared = false;
    for (const c of [this.pointsCanvas, this.overlay]) {
      if (c.width !== w || c.height !== h) { c.width = w; c.height = h; cleared = true; }
    }
    if (cleared || !this.firstRender) this.renderNow();
  }
  ppu() { return Math.min(this.cssW, this.cssH) * 0.92 * this.view.zoom; }  // CSS pixels per data unit
  toScreen(x, y) { const k = this.ppu(); return [(x - this.view.cx) * k + this.cssW / 2, this.cssH / 2 - (y - this.view.cy) * k]; }
  toData(sx, sy) { const k = this.ppu(); return [(sx - this.cssW / 2) / k + this.view.cx, (this.cssH / 2 - sy) / k + this.view.cy]; }
  pointSize() { return Math.max(2, Math.min(9, (14 - Math.log10(Math.max(this.n, 10)) * 2.4) * Math.sqrt(this.view.zoom))); }
  render() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.renderNow(); });
  }
  renderNow() {
    const k = this.ppu(), W = this.cssW, H = this.cssH, dpr = this.dpr;
    const scale = [2 * k / W, 2 * k / H], offset = [-this.view.cx * 2 * k / W, -this.view.cy * 2 * k / H];
    const size = this.pointSize() * dpr;
    this.renderer.clear(this.pointsCanvas.width, this.pointsCanvas.height);
    this.renderer.draw("base", scale, offset, size);
    this.renderer.draw("top", scale, offset, size * (this.highlight !== null ? 1.8 : 1.35));
    this.drawLabels();
    this.renders = (this.renders || 0) + 1;
    if (!this.firstRender && this.measured) {  // not on the 1x1 canvas of a map that is not laid out yet
      this.firstRender = performance.now();
      this.root.dataset.renderer = this.kind;
      queueMicrotask(() => this.root.dispatchEvent(new CustomEvent("firstrender")));  // after the caller's listeners
    }
  }
  drawLabels() {
    const ctx = this.overlay.getContext("2d"), dpr = this.dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.cssW, this.cssH);
    if (this.focus >= 0) {
      const [x, y] = this.toScreen(this.xy[2 * this.focus], this.xy[2 * this.focus + 1]);
      ctx.strokeStyle = "#111"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, 9, 0, 2 * Math.PI); ctx.stroke();
    }
    // Zoomed out, a tree's coarse nodes are named; zoomed in (or with a topic selected), the topics.
    const coarse = this.groups && this.view.zoom < GROUP_ZOOM && this.selected === null;
    ctx.font = coarse ? "700 14px system-ui, sans-serif" : "600 12px system-ui, sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    const placed = [], order = coarse ? this.groups.map((_, g) => g) : this.labelOrder();
    this.drawnLabels = [];
    for (const t of order) {
      const c = coarse ? this.groups[t].centre : this.centres[t];
      if (!c || (!coarse && this.hidden.has(t))) continue;
      const [x, y] = this.toScreen(c[0], c[1]);
      if (x < -50 || y < -20 || x > this.cssW + 50 || y > this.cssH + 20) continue;
      const lines = splitLabel(coarse ? this.groups[t].name : this.labels[t]);
      const w = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 8, h = lines.length * 14 + 4;
      const cx = Math.min(Math.max(x, w / 2 + 2), this.cssW - w / 2 - 2);  // keep the label inside the map
      const box = [cx - w / 2, y - h / 2, cx + w / 2, y + h / 2];
      if (t !== this.selected && placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
      placed.push(box);
      const dim = this.selected !== null && t !== this.selected;
      ctx.lineWidth = 3.5; ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.fillStyle = dim ? "rgba(60,60,60,0.55)" : "#14181d";
      lines.forEach((line, j) => {
        const ly = y - (lines.length - 1) * 7 + j * 14;
        ctx.strokeText(line, cx, ly); ctx.fillText(line, cx, ly);
      });
      this.drawnLabels.push(coarse ? this.groups[t].name : this.labels[t]);
    }
    this.root.dataset.labels = String(placed.length);
    this.root.dataset.labelLevel = coarse ? "tree" : "topics";
  }
  labelOrder() {
    const ids = this.labels.map((_, t) => t).filter((t) => this.centres[t]);
    ids.sort((a, b) => (b === this.selected) - (a === this.selected) || (this.sizes ? this.sizes[b] - this.sizes[a] : a - b));
    return ids;
  }
  pick(sx, sy) {
    /* The nearest visible point within a few pixels of (sx, sy), or -1. */
    const [x, y] = this.toData(sx, sy), k = this.ppu(), radius = (this.pointSize() / 2 + 4) / k, G = this.G;
    const x0 = Math.max(0, Math.floor((x - radius) * G)), x1 = Math.min(G - 1, Math.floor((x + radius) * G));
    const y0 = Math.max(0, Math.floor((y - radius) * G)), y1 = Math.min(G - 1, Math.floor((y + radius) * G));
    let best = -1, bestD = radius * radius;
    const preferTop = this.highlight !== null ? new Set(this.highlight) : null;
    for (let cy = y0; cy <= y1; cy++) for (let cx = x0; cx <= x1; cx++) {
      const cell = cy * G + cx;
      for (let j = this.cellStart[cell]; j < this.cellStart[cell + 1]; j++) {
        const i = this.cellItems[j];
        if (!this.isVisible(i)) continue;
        if (preferTop && !preferTop.has(i)) continue;
        if (!preferTop && this.selected !== null && this.topics[i] !== this.selected) continue;
        const dx = this.xy[2 * i] - x, dy = this.xy[2 * i + 1] - y, d = dx * dx + dy * dy;
        if (d <= bestD) { bestD = d; best = i; }
      }
    }
    return best;
  }
  bindEvents() {
    const root = this.root;
    let drag = null;
    root.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, cx: this.view.cx, cy: this.view.cy, moved: false };
      root.setPointerCapture(e.pointerId);
    });
    root.addEventListener("pointermove", (e) => {
      const r = root.getBoundingClientRect(), sx = e.clientX - r.left, sy = e.clientY - r.top;
      if (drag && e.buttons) {
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; root.classList.add("dragging"); }
        if (drag.moved) {
          const k = this.ppu();
          this.view.cx = drag.cx - dx / k; this.view.cy = drag.cy + dy / k;
          this.tooltip.hidden = true; this.render();
        }
        return;
      }
      this.hover(sx, sy);
    });
    root.addEventListener("pointerup", (e) => {
      root.classList.remove("dragging");
      if (drag && !drag.moved) {
        const r = root.getBoundingClientRect(), i = this.pick(e.clientX - r.left, e.clientY - r.top);
        if (i >= 0 && this.onPick) this.onPick(i);
      }
      drag = null;
    });
    root.addEventListener("pointerleave", () => { this.tooltip.hidden = true; });
    root.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = root.getBoundingClientRect(), sx = e.clientX - r.left, sy = e.clientY - r.top;
      const [x, y] = this.toData(sx, sy);
      this.view.zoom = Math.min(200, Math.max(0.5, this.view.zoom * Math.exp(-e.deltaY * 0.0015)));
      const [x2, y2] = this.toData(sx, sy);
      this.view.cx += x - x2; this.view.cy += y - y2;
      this.render();
    }, { passive: false });
  }
  hover(sx, sy) {
    const i = this.pick(sx, sy);
    if (i < 0 || !this.describe) { this.tooltip.hidden = true; return; }
    this.tooltip.innerHTML = this.describe(i);
    this.tooltip.hidden = false;
    const tw = this.tooltip.offsetWidth, th = this.tooltip.offsetHeight;
    this.tooltip.style.left = `${Math.min(sx + 14, this.cssW - tw - 4)}px`;
    this.tooltip.style.top = `${sy + 14 + th > this.cssH ? Math.max(4, sy - th - 10) : sy + 14}px`;
  }
  fit(indices) {
    /* Zoom so the given points (all when omitted) fill the view. */
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const each = indices || this.topics.keys();
    for (const i of each) {
      const x = this.xy[2 * i], y = this.xy[2 * i + 1];
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    if (!isFinite(x0)) return;
    const span = Math.max(x1 - x0, y1 - y0, 0.02);
    this.view = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, zoom: Math.min(200, 1 / (span * 1.08)) };
    this.render();
  }
  setSelected(t) { this.selected = t; this.recolor(); }
  setHighlight(indices) { this.highlight = indices; this.recolor(); }
  setHidden(t, hide) { if (hide) this.hidden.add(t); else this.hidden.delete(t); this.recolor(); }
  setFocus(i) { this.focus = i; this.render(); }
}

const GROUP_ZOOM = 2;  // below this zoom the map names the tree's coarse nodes instead of the topics

function splitLabel(label) {
  /* At most two lines of about 24 characters; longer labels end with an ellipsis. */
  const words = label.split(/\s+/), lines = [""];
  for (const w of words) {
    const cur = lines[lines.length - 1];
    if (cur && (cur + " " + w).length > 24) { if (lines.length === 2) { lines[1] += "…"; return lines; } lines.push(w); }
    else lines[lines.length - 1] = cur ? cur + " " + w : w;
  }
  return lines.map((l) => (l.length > 30 ? l.slice(0, 29) + "…" : l));
}
