// The network: a column per layer, each neuron's map inside it, and between two columns either
// the edges (blue positive, orange negative, as wide as |w|) or, for wide layers, the weight
// matrix as a heat map (row j: the next layer's neuron j, column i: this layer's neuron i), so
// no network the playground accepts is ever left blank. The maps and heat maps are painted on a
// canvas; an SVG on top holds the edges, the labels and what the mouse can hover or click.
// In step mode each neuron shows its value (forward) and dE/dz (backward), and a clicked
// weight's path (the weight, its two neurons, everything downstream) stands out.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const EDGES_PER_LAYER = 256;  // more edges between two layers: a heat map instead
const EDGES_IN_ALL = 1500;  // more in the whole network: heat maps for all but the smallest

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// The weights as W(k, i, j) and b(k, j) (k: 0-based Dense layer), from lists or int8 + scale.
function weightReader(net) {
  if (net.weights) {
    return { W: (k, i, j) => net.weights[k][i][j], b: (k, j) => net.biases[k][j], exact: true,
      max: (k) => Math.max(1e-9, ...net.weights[k].flat().map(Math.abs)) };
  }
  if (!net._decoded) {
    net._decoded = {
      W: net.weights_q.map((q) => ({ s: q.scale, v: decodeBytes(q.data, true) })),
      b: net.biases_q.map((q) => ({ s: q.scale, v: decodeBytes(q.data, true) })),
    };
  }
  const d = net._decoded, widths = net.widths;
  return {
    W: (k, i, j) => d.W[k].v[i * widths[k + 1] + j] / 127 * d.W[k].s,
    b: (k, j) => d.b[k].v[j] / 127 * d.b[k].s, exact: false, max: (k) => Math.max(1e-9, d.W[k].s),
  };
}

// Where everything goes: node sizes, columns, and edges or heat map between each two.
function layoutNetwork(widths, boxW, boxH) {
  const L = widths.length, left = 62, right = 74, top = 22, availH = boxH - top - 8;
  const pairs = widths.slice(1).map((n, k) => widths[k] * n);
  const total = pairs.filter((e) => e <= EDGES_PER_LAYER).reduce((a, b) => a + b, 0);
  const modes = pairs.map((e) => (e <= EDGES_PER_LAYER && (total <= EDGES_IN_ALL || e <= 16) ? "edges" : "matrix"));
  const pitchX = Math.max(36, (boxW - left - right) / Math.max(1, L - 1));
  const width = Math.max(boxW, left + right + pitchX * (L - 1));
  const maxSize = Math.max(10, Math.min(34, 0.45 * pitchX));
  const cols = widths.map((n, k) => {
    let size = Math.min(maxSize, 0.8 * availH / n), pitch = availH / n;
    if (size >= 8) pitch = Math.min(pitch, size + Math.max(4, 0.35 * size));
    else if (pitch < 3) size = pitch;  // a very wide layer: rows without gaps
    const span = n * pitch, y0 = top + (availH - span) / 2;
    const x = left + k * pitchX - maxSize / 2 + (maxSize - size) / 2;
    return { n, size, pitch, x, y: (j) => y0 + j * pitch + (pitch - size) / 2, y0, span };
  });
  const gaps = modes.map((mode, k) => {
    const a = cols[k], b = cols[k + 1];
    const x0 = a.x + a.size + 6, x1 = b.x - 6;
    if (mode === "edges") return { mode, x0, x1 };
    const w = Math.min(x1 - x0, Math.max(8, a.n * 8), 160);
    return { mode, x0: (x0 + x1 - w) / 2, x1: (x0 + x1 + w) / 2, y0: b.y0, y1: b.y0 + b.span };
  });
  return { L, cols, gaps, width, height: boxH, maxSize };
}

// What a clicked weight touches: its own edge, its two neurons and all that lies downstream.
function pathOf(picked) {
  if (!picked) return null;
  const k = picked.layer;  // 1-based Dense layer: the gap k - 1, between columns k - 1 and k
  const m = /^W\[(\d+),(\d+)\]$/.exec(picked.param || "");
  return {
    gap: k - 1, i: m ? Number(m[1]) : null, j: picked.node,
    edge: (g, i, j) => g > k || (g === k && i === picked.node) || (g === k - 1 && m && i === Number(m[1]) && j === picked.node),
    node: (c, n) => c > k || (c === k && n === picked.node) || (c === k - 1 && m && n === Number(m[1])),
  };
}

// What the SVG was built for; a frame that changes only the weights updates the edges' colours
// and widths in place (rebuilding some thousand elements each frame took tens of ms).
const built = { key: null, edges: [], now: null };

function drawNetwork(box, state, sample, picked, handlers) {
  const svg = box.querySelector("svg"), canvas = box.querySelector("canvas");
  const net = state.net, widths = net.widths;
  const rect = box.getBoundingClientRect();
  const lay = layoutNetwork(widths, Math.max(360, Math.round(rect.width - 2)), Math.max(300, Math.round(rect.height - 8)));
  const read = weightReader(net), path = pathOf(picked);
  built.now = { net, read, sample };  // what the hover and click handlers read
  paintCanvas(canvas, lay, state, read, path);
  const key = JSON.stringify([widths, lay.width, lay.height, net.activations, net.inputs,
    sample && [sample.index, sample.phase], picked]);
  if (key === built.key) {
    for (const e of built.edges) styleEdge(e.el, read.W(e.g, e.i, e.j), e.wmax(), e.thick, e.on);
    return;
  }
  built.key = key; built.edges = [];
  svg.setAttribute("width", lay.width); svg.setAttribute("height", lay.height);
  svg.setAttribute("viewBox", `0 0 ${lay.width} ${lay.height}`);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const edges = el("g", {}, svg), hits = el("g", {}, svg), labels = el("g", {}, svg);
  const approx = () => (built.now.read.exact ? "=" : "\u2248");
  lay.gaps.forEach((gap, g) => {
    const a = lay.cols[g], b = lay.cols[g + 1], wmax = () => built.now.read.max(g);
    const thick = Math.min(4.5, Math.max(1, 0.6 * Math.min(a.pitch, b.pitch)));  // crowded: thinner
    if (gap.mode === "matrix") {
      const hit = el("rect", { x: gap.x0, y: gap.y0, width: gap.x1 - gap.x0, height: gap.y1 - gap.y0,
        class: "matrix-hit", "data-layer": g + 1 }, hits);
      const cell = (ev) => {
        const r = hit.getBoundingClientRect();
        const i = Math.min(a.n - 1, Math.floor((ev.clientX - r.left) / r.width * a.n));
        const j = Math.min(b.n - 1, Math.floor((ev.clientY - r.top) / r.height * b.n));
        return [i, j];
      };
      hit.addEventListener("mousemove", (ev) => {
        const [i, j] = cell(ev);
        handlers.tip(ev, `w${g + 1}[${i + 1},${j + 1}] ${approx()} ${fmt(built.now.read.W(g, i, j))} (click: edit, chain rule)`);
      });
      hit.addEventListener("mouseleave", () => handlers.tip(null));
      hit.addEventListener("click", (ev) => { const [i, j] = cell(ev); handlers.param(g + 1, `W[${i},${j}]`, ev); });
      const cap = el("text", { x: (gap.x0 + gap.x1) / 2, y: gap.y0 - 4, class: "col", "text-anchor": "middle" }, labels);
      cap.textContent = `W${g + 1}`;
      return;
    }
    for (let i = 0; i < a.n; i++) for (let j = 0; j < b.n; j++) {
      const xa = a.x + a.size, ya = a.y(i) + a.size / 2;
      const xb = b.x, yb = b.y(j) + b.size / 2, mx = (xa + xb) / 2;
      const on = !path || path.edge(g, i, j);
      const p = el("path", {
        d: `M${xa},${ya} C${mx},${ya} ${mx},${yb} ${xb},${yb}`,
        class: "edge" + (path && on ? " on-path" : ""), fill: "none",
        "data-layer": g + 1, "data-param": `W[${i},${j}]`,
      }, edges);
      styleEdge(p, read.W(g, i, j), wmax(), thick, on);
      built.edges.push({ el: p, g, i, j, wmax, thick, on });
      p.addEventListener("mouseenter", (ev) => handlers.tip(ev,
        `w${g + 1}[${i + 1},${j + 1}] ${approx()} ${fmt(built.now.read.W(g, i, j))} (click: edit, chain rule)`));
      p.addEventListener("mouseleave", () => handlers.tip(null));
      p.addEventListener("click", (ev) => handlers.param(g + 1, `W[${i},${j}]`, ev));
    }
  });
  lay.cols.forEach((c, k) => {
    const label = el("text", { x: lay.cols[k].x + c.size / 2, y: 12, class: "col", "text-anchor": "middle" }, labels);
    label.textContent = k === 0 ? "input" : k === lay.L - 1 ? `out (${net.activations[k - 1]})` : `${net.activations[k - 1]}`;
    const tiny = c.pitch < 9 || c.n > 24;  // no room for numbers beside each neuron
    for (let j = 0; j < c.n; j++) {
      const x = c.x, y = c.y(j);
      if (k === 0 && !tiny) {
        const name = el("text", { x: x - 4, y: y + c.size / 2 + 3, "text-anchor": "end" }, labels);
        const key = (net.inputs || [])[j] || `x${j + 1}`;
        name.textContent = (typeof FEATURES !== "undefined" && FEATURES[key]) || key;
      }
      const hit = el("rect", { x, y: c.y0 + j * c.pitch, width: c.size, height: Math.max(c.size, c.pitch),
        class: "node-hit", "data-layer": k, "data-node": j }, hits);
      hit.addEventListener("mouseenter", (ev) => {
        handlers.hover(k, j);
        handlers.tip(ev, nodeTip(built.now.net, built.now.read, built.now.sample, k, j));
      });
      hit.addEventListener("mouseleave", () => { handlers.hover(null); handlers.tip(null); });
      if (k > 0) hit.addEventListener("click", (ev) => handlers.param(k, `b[${j}]`, ev));
      if (sample && !tiny) nodeLabels(labels, sample, k, j, x, y, c.size);
    }
  });
}

function styleEdge(p, w, wmax, thick, on) {
  p.setAttribute("stroke", w >= 0 ? hex(POSITIVE) : hex(NEGATIVE));
  p.setAttribute("stroke-opacity", on ? 0.3 + 0.65 * Math.abs(w) / wmax : 0.07);
  p.setAttribute("stroke-width", 0.6 + thick * Math.abs(w) / wmax);
}

function nodeName(k, j, widths) {
  const L = widths.length;
  if (k === 0) return `x${j + 1}`;
  if (k === L - 1) return widths[k] === 1 ? "Y" : `Y[${j + 1}]`;
  return `a${k}[${j + 1}]`;
}

function nodeTip(net, read, sample, k, j) {
  let text = k === 0 ? `input ${(net.inputs || [])[j] || `x${j + 1}`}` : `${nodeName(k, j, net.widths)}: b${k}[${j + 1}] ${read.exact ? "=" : "\u2248"} ${fmt(read.b(k - 1, j))}`;
  if (sample) {
    const value = k === 0 ? sample.x[j] : sample.layers[k - 1].a[j];
    text += `, value ${fmt(value)}`;
    if (k > 0 && sample.phase === "backward") text += `, dE/dz ${fmt(sample.layers[k - 1].dz[j])}`;
  }
  return text + (k > 0 ? " (click: edit the bias)" : "");
}

// Scratch canvases kept between frames: one strip of maps per layer, one per heat map.
const scratch = {};

function scratchCanvas(name, w, h) {
  let cv = scratch[name];
  if (!cv) { cv = document.createElement("canvas"); scratch[name] = cv; }
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  return cv;
}

// A layer's int8 maps (``size`` x ``size`` each) stacked in one canvas, one putImageData.
function mapStrip(name, maps, size) {
  const cv = scratchCanvas(name, size, size * maps.length), ctx = cv.getContext("2d");
  const img = ctx.createImageData(size, size * maps.length), d = img.data;
  maps.forEach((b64, n) => {
    const v = decodeBytes(b64, true), off = 4 * n * size * size;
    for (let i = 0; i < v.length; i++) {
      const c = signColor(v[i] / 127), p = off + 4 * i;
      d[p] = c[0]; d[p + 1] = c[1]; d[p + 2] = c[2]; d[p + 3] = 255;
    }
  });
  ctx.putImageData(img, 0, 0);
  return cv;
}

// Maps, heat maps and frames on the canvas beneath the SVG.
function paintCanvas(canvas, lay, state, read, path) {
  const ctx = fitCanvas(canvas, lay.width, lay.height);
  ctx.clearRect(0, 0, lay.width, lay.height);
  ctx.imageSmoothingEnabled = true;
  const maps = {};
  (state.neurons || []).forEach((m) => { maps[m.layer] = m.maps; });
  lay.gaps.forEach((gap, g) => {
    if (gap.mode !== "matrix") return;
    const a = lay.cols[g], b = lay.cols[g + 1], wmax = read.max(g);
    const cv = scratchCanvas("W" + g, a.n, b.n), c2 = cv.getContext("2d");
    const img = c2.createImageData(a.n, b.n);
    for (let j = 0; j < b.n; j++) for (let i = 0; i < a.n; i++) {
      const col = signColor(read.W(g, i, j) / wmax), p = 4 * (j * a.n + i);
      const dim = path && !path.edge(g, i, j) ? 0.2 : 1;
      img.data[p] = 255 - dim * (255 - col[0]); img.data[p + 1] = 255 - dim * (255 - col[1]);
      img.data[p + 2] = 255 - dim * (255 - col[2]); img.data[p + 3] = 255;
    }
    c2.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;  // crisp cells
    ctx.drawImage(cv, gap.x0, gap.y0, gap.x1 - gap.x0, gap.y1 - gap.y0);
    ctx.imageSmoothingEnabled = true;
    ctx.strokeStyle = "#8d96a5"; ctx.lineWidth = 1;
    ctx.strokeRect(gap.x0 - 0.5, gap.y0 - 0.5, gap.x1 - gap.x0 + 1, gap.y1 - gap.y0 + 1);
    if (path && (g === path.gap || g === path.gap + 1)) {  // the clicked cell, or the row it feeds
      const cw = (gap.x1 - gap.x0) / a.n, ch = (gap.y1 - gap.y0) / b.n;
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
      if (g === path.gap && path.i !== null) ctx.strokeRect(gap.x0 + path.i * cw, gap.y0 + path.j * ch, cw, ch);
      if (g === path.gap + 1) ctx.strokeRect(gap.x0 + path.j * cw, gap.y0, cw, gap.y1 - gap.y0);
    }
  });
  const out = state.out, L = lay.L;
  const planes = out ? (out.regression ? out.outputs : out.classes) : 0;
  lay.cols.forEach((c, k) => {
    const strip = k < L - 1 && maps[k] ? mapStrip("maps" + k, maps[k], 16) : null;
    for (let j = 0; j < c.n; j++) {
      const x = c.x, y = c.y(j);
      ctx.globalAlpha = path && !path.node(k, j) ? 0.25 : 1;
      if (strip) ctx.drawImage(strip, 0, 16 * j, 16, 16, x, y, c.size, c.size);
      else if (k === L - 1 && out) {
        ctx.drawImage(c.n === planes && planes > 1 ? planeImage(out, j) : decisionImage(out), x, y, c.size, c.size);
      }
      if (c.size >= 6) {
        const on = path && path.node(k, j) && (k === path.gap || k === path.gap + 1);
        ctx.strokeStyle = on ? "#000" : "#8d96a5"; ctx.lineWidth = on ? 2.5 : 1;
        ctx.strokeRect(x + 0.5, y + 0.5, c.size - 1, c.size - 1);
      }
      ctx.globalAlpha = 1;
    }
  });
}

function nodeLabels(g, sample, k, j, x, y, size) {
  let value, grad = null;
  if (k === 0) value = sample.x[j];
  else {
    const lay = sample.layers[k - 1];
    value = lay.a[j];
    if (sample.phase === "backward") grad = lay.dz[j];
  }
  const t = el("text", { x: x + size + 2, y: y + (grad === null ? size / 2 + 3 : size / 2 - 1) }, g);
  t.textContent = fmt(value);
  if (grad !== null) {
    const d = el("text", { x: x + size + 2, y: y + size / 2 + 10, class: "grad" }, g);
    d.textContent = "\u2202 " + fmt(grad);
  }
}
