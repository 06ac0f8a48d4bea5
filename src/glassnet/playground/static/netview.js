// The network as SVG: a column per layer, a small map inside each neuron, edges coloured by
// weight (orange positive, blue negative) and as wide as |w|. In step mode, each neuron shows
// its value (forward) and dE/dz (backward). Clicking an edge or a neuron asks for its equation.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function inputImage(which, size) {
  const cv = document.createElement("canvas");
  cv.width = size; cv.height = size;
  const ctx = cv.getContext("2d");
  const img = ctx.createImageData(size, size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    const t = which === 0 ? (2 * c + 1) / size - 1 : 1 - (2 * r + 1) / size;
    const col = t < 0 ? CLASS_COLORS[0] : CLASS_COLORS[1], a = Math.abs(t), i = 4 * (r * size + c);
    img.data[i] = 255 - a * (255 - col[0]); img.data[i + 1] = 255 - a * (255 - col[1]);
    img.data[i + 2] = 255 - a * (255 - col[2]); img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return cv.toDataURL();
}

function drawNetwork(svg, state, sample, picked, handlers) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const net = state.net;
  const box = svg.parentElement.getBoundingClientRect();
  const W = Math.max(360, box.width), H = Math.max(300, box.height - 6);
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  if (!net.drawable) {
    const t = el("text", { x: 20, y: 40, class: "col" }, svg);
    t.textContent = `${net.widths.join(" \u2192 ")}: ${net.n_params} parameters, too large to draw neuron by neuron.`;
    return;
  }
  const widths = net.widths, L = widths.length, maxw = Math.max(...widths);
  const size = Math.max(10, Math.min(34, Math.floor((H - 30) / maxw) - 6));
  const gap = size + Math.max(4, Math.min(14, Math.floor((H - 30) / maxw) - size));
  const left = 58;  // room for the inputs' names
  const colX = (k) => left + k * (W - left - 70 - size) / (L - 1);
  const nodeY = (k, j) => 24 + (H - 30) / 2 - (widths[k] * gap) / 2 + j * gap;
  const center = (k, j) => [colX(k) + size / 2, nodeY(k, j) + size / 2];
  const wmax = Math.max(1e-9, ...net.weights.flat(2).map(Math.abs));
  const edges = el("g", {}, svg), nodes = el("g", {}, svg);
  for (let k = 0; k + 1 < L; k++) {
    const Wk = net.weights[k];
    for (let i = 0; i < widths[k]; i++) for (let j = 0; j < widths[k + 1]; j++) {
      const w = Wk[i][j], [xa, ya] = center(k, i), [xb, yb] = center(k + 1, j);
      const mx = (xa + xb) / 2;
      const p = el("path", {
        d: `M${xa + size / 2},${ya} C${mx},${ya} ${mx},${yb} ${xb - size / 2},${yb}`,
        class: "edge", fill: "none", stroke: w >= 0 ? "#e8790c" : "#2f6fde",
        "stroke-opacity": 0.25 + 0.65 * Math.abs(w) / wmax,
        "stroke-width": 0.6 + 4.5 * Math.abs(w) / wmax,
        "data-layer": k + 1, "data-param": `W[${i},${j}]`,
      }, edges);
      const t = el("title", {}, p);
      t.textContent = `w${k + 1}[${i + 1},${j + 1}] = ${fmt(w)} (click: chain rule)`;
      p.addEventListener("click", () => handlers.param(k + 1, `W[${i},${j}]`));
    }
  }
  const maps = {};
  (state.neurons || []).forEach((m) => { maps[m.layer] = m.maps; });
  for (let k = 0; k < L; k++) {
    const label = el("text", { x: colX(k) + size / 2, y: 12, class: "col", "text-anchor": "middle" }, svg);
    label.textContent = k === 0 ? "input" : k === L - 1 ? `out (${net.activations[k - 1]})` : `${net.activations[k - 1]}`;
    for (let j = 0; j < widths[k]; j++) {
      const x = colX(k), y = nodeY(k, j);
      let href = null;
      if (k === 0) href = maps[0] && maps[0][j] ? neuronImage(maps[0][j], 16) : inputImage(j, 16);
      else if (maps[k] && maps[k][j]) href = neuronImage(maps[k][j], 16);
      else if (k === L - 1 && state.out) href = decisionImage(state.out).toDataURL();
      if (href) el("image", { x, y, width: size, height: size, href, preserveAspectRatio: "none" }, nodes);
      const isPicked = picked && picked.layer === k && picked.node === j;
      el("rect", { x, y, width: size, height: size, rx: 3, class: "node-frame" + (isPicked ? " picked" : "") }, nodes);
      if (k === 0) {
        const name = el("text", { x: x - 4, y: y + size / 2 + 3, "text-anchor": "end" }, nodes);
        const key = (net.inputs || [])[j] || `x${j + 1}`;
        name.textContent = (typeof FEATURES !== "undefined" && FEATURES[key]) || key;
      }
      if (k > 0) {
        const hit = el("rect", { x, y, width: size, height: size, class: "node-hit" }, nodes);
        const t = el("title", {}, hit);
        t.textContent = `b${k}[${j + 1}] = ${fmt(net.biases[k - 1][j])} (click: chain rule)`;
        hit.addEventListener("click", () => handlers.param(k, `b[${j}]`));
      }
      if (sample) nodeLabels(nodes, sample, k, j, x, y, size);
    }
  }
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
