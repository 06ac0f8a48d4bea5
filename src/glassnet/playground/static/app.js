// The playground page: controls, the websocket to the glassnet server, the URL state.
// The server does all the maths; this file only sends settings and draws what comes back.
// While playing, each frame is answered {"type": "drawn"} once drawn: the server sends the
// next only then (backpressure), so the page never falls behind and Pause acts at once.
"use strict";

const $ = (id) => document.getElementById(id);
const ACTS = ["tanh", "relu", "sigmoid", "leaky_relu", "elu", "silu", "gelu", "softplus", "identity"];
// the inputs the network may see (the server's names) and how the page writes them
const FEATURES = {
  "x1": "x\u2081", "x2": "x\u2082", "x1^2": "x\u2081\u00b2", "x2^2": "x\u2082\u00b2",
  "x1*x2": "x\u2081x\u2082", "sin(pi*x1)": "sin(\u03c0x\u2081)", "sin(pi*x2)": "sin(\u03c0x\u2082)",
};
const MAX_SEND = 5 * 1024 * 1024;  // the server's limit (validate.MAX_UPLOAD); its messages stop at 8 MB
const app = {
  ws: null, data: null, state: null, sample: null, picked: null, equationFor: null,
  hidden: [8, 8], acts: ["tanh", "tanh"], features: ["x1", "x2"], addClass: 0,
  hover: null, focus: null, focusSent: null, focusBusy: false, drawLog: [], equation: null,
};
window.playground = app;  // for tests and the curious

// ---- URL state: settings (not data) in the hash ------------------------------------------
const URL_FIELDS = {
  dataset: "dataset", noise: "noise", points: "n-points", test: "test-ratio", dseed: "data-seed",
  loss: "loss", opt: "optimizer", lr: "lr", batch: "batch-size", l1: "l1", l2: "l2", seed: "net-seed",
  speed: "speed",
};

function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  for (const [key, id] of Object.entries(URL_FIELDS)) if (q.has(key)) $(id).value = q.get(key);
  if (!$("dataset").value || $("dataset").value === "other") $("dataset").value = "spirals";
  if (!$("speed").value) $("speed").value = "10";
  if (q.has("hidden")) {
    const h = q.get("hidden");
    app.hidden = h === "" ? [] : h.split(",").map((v) => Number(v));
    const a = (q.get("act") || "").split(",").filter((v) => v);
    app.acts = app.hidden.map((_, k) => a[k] || "tanh");
  }
  if (q.has("feat")) {
    const f = q.get("feat").split(",").filter((v) => v in FEATURES);
    if (f.length) app.features = f;
  }
}

function writeHash() {
  const q = new URLSearchParams();
  for (const [key, id] of Object.entries(URL_FIELDS)) q.set(key, $(id).value);
  q.set("hidden", app.hidden.join(","));
  q.set("act", app.acts.join(","));
  q.set("feat", app.features.join(","));
  history.replaceState(null, "", "#" + q.toString());
}

// ---- messages -------------------------------------------------------------------------------
function send(msg) {
  if (app.ws && app.ws.readyState === WebSocket.OPEN) app.ws.send(JSON.stringify(msg));
}

function num(id) { const v = $(id).value; return v.trim() === "" ? NaN : Number(v); }

function sendData() {
  if ($("dataset").value === "other") {  // the points came from a file or a preset
    showNotice("these points were uploaded or come with a preset: choose a data set to generate points.");
    return;
  }
  writeHash();
  send({ type: "set_data", dataset: $("dataset").value, noise: num("noise"), n_points: num("n-points"),
    test_ratio: num("test-ratio"), seed: num("data-seed") });
}

function sendNetwork() {
  writeHash();
  clearSample();
  $("step-opt").textContent = $("optimizer").value;  // step mode itself is always plain SGD
  // a regression trains with the squared error whatever the select says; keep the setting
  const loss = app.data && app.data.regression && app.state ? app.state.spec.loss : $("loss").value;
  send({ type: "set_network", hidden: app.hidden, activations: app.acts, features: app.features,
    loss, optimizer: $("optimizer").value, lr: num("lr"),
    batch_size: num("batch-size"), l1: num("l1"), l2: num("l2"), seed: num("net-seed") });
}

function sendSpeed() { writeHash(); send({ type: "set_speed", speed: num("speed") }); }

function showError(text) {
  const box = $("error");
  box.textContent = text; box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

function showNotice(text) {
  const box = $("notice");
  box.textContent = text; box.hidden = false;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

// Tell the server a frame is on the screen: after the browser has painted it (the next
// animation frame), or after 250 ms in a hidden tab, which paints nothing.
function answerFrame(frame) {
  let done = false;
  const ack = () => { if (!done) { done = true; send({ type: "drawn", frame }); } };
  requestAnimationFrame(() => setTimeout(ack, 0));
  setTimeout(ack, 250);
}

function onMessage(msg) {
  if (msg.type === "error") { showError(msg.message); return; }
  if (msg.type === "data") {
    app.data = msg; app.preset = msg.preset || null; clearSample();
    renderClasses(); renderCounts(); redraw(); return;
  }
  if (msg.type === "state") {
    const start = performance.now();
    app.state = msg;
    if (msg.loaded) adoptSpec(msg.spec);  // a loaded model or preset brings its settings
    syncLoss();
    if (msg.notice) showNotice(msg.notice);
    renderState();
    const t = performance.now();  // drawn: when, how long it took, what it answered
    app.drawLog.push({ cause: msg.cause || null, playing: msg.playing, frame: msg.frame || null,
      epoch: msg.epoch_float, t, ms: t - start });
    if (app.drawLog.length > 200) app.drawLog.splice(0, 100);
    if (msg.frame) answerFrame(msg.frame);
    if (msg.cause === "load_preset") { $("sample-index").value = 0; }
    return;
  }
  if (msg.type === "sample") {
    app.sample = msg; app.picked = msg.index;
    renderSampleInfo(); redraw(); return;
  }
  if (msg.type === "equation") { app.equation = msg; renderEquation(msg); return; }
  if (msg.type === "focus") {
    app.focusBusy = false;
    app.focus = msg.focus;
    if (app.focusSent !== focusKey(app.hover)) sendFocus();  // the mouse moved on meanwhile
    redrawData(); return;
  }
  if (msg.type === "file") { download(msg); }
}

function download(msg) {
  const bytes = Uint8Array.from(atob(msg.data), (c) => c.charCodeAt(0));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: msg.mime }));
  a.download = msg.name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 40000); // once the download surely has it
}

// ---- hovering a neuron: its map, enlarged, on the big canvas --------------------------------
function focusKey(h) { return h ? `${h.layer},${h.node}` : "none"; }

function sendFocus() {
  if (app.focusBusy) return;  // one request at a time; the reply sends the latest
  const key = focusKey(app.hover);
  if (key === app.focusSent) return;
  app.focusSent = key; app.focusBusy = true;
  send(app.hover ? { type: "focus", layer: app.hover.layer, node: app.hover.node } : { type: "focus", layer: -1 });
}

function hoverNeuron(layer, node) {
  clearTimeout(hoverNeuron.timer);
  if (layer === null) {  // a short grace, so moving between neurons does not flicker
    hoverNeuron.timer = setTimeout(() => { app.hover = null; sendFocus(); redrawData(); }, 120);
    return;
  }
  app.hover = { layer, node };
  hoverNeuron.timer = setTimeout(sendFocus, 40);
}

// The hovered neuron's map: from the last frame (it follows the training), else the reply.
function shownFocus() {
  const h = app.hover, same = (f) => f && h && f.layer === h.layer && f.node === h.node;
  return [app.state && app.state.focus, app.focus].find(same) || null;
}

function focusName(f) {
  const widths = app.state.net.widths;
  if (f.layer === 0) return `input ${(app.state.net.inputs || [])[f.node] || "x" + (f.node + 1)}`;
  return `neuron ${nodeName(f.layer, f.node, widths)}`;
}

// ---- the tooltip and the weight editor ------------------------------------------------------
function tip(ev, text) {
  const box = $("net-tip");
  if (!ev) { box.hidden = true; return; }
  const r = $("net-view").getBoundingClientRect();
  box.textContent = text; box.hidden = false;
  box.style.left = `${ev.clientX - r.left + $("net-view").scrollLeft + 12}px`;
  box.style.top = `${ev.clientY - r.top + $("net-view").scrollTop + 12}px`;
}

function currentValue(layer, param) {
  const read = weightReader(app.state.net), m = /^W\[(\d+),(\d+)\]$/.exec(param);
  return m ? read.W(layer - 1, Number(m[1]), Number(m[2])) : read.b(layer - 1, Number(/\d+/.exec(param)[0]));
}

function paramName(layer, param) {
  const m = /^W\[(\d+),(\d+)\]$/.exec(param);
  return m ? `w${layer}[${Number(m[1]) + 1},${Number(m[2]) + 1}]` : `b${layer}[${Number(/\d+/.exec(param)[0]) + 1}]`;
}

// Clicking a weight (an edge or a heat-map cell) or a bias (a neuron): an editor for its value
// and, in step mode, its chain rule.
function clickParam(layer, param, ev) {
  const box = $("weight-editor"), r = $("net-view").getBoundingClientRect();
  tip(null);
  const exact = Boolean(app.state.net.weights);
  box.dataset.layer = layer; box.dataset.param = param;
  $("weight-name").textContent = paramName(layer, param) + (exact ? " =" : " \u2248");
  $("weight-value").value = Number(currentValue(layer, param).toFixed(4));
  $("weight-hint").textContent = app.sample ? "its chain rule is below, in step mode"
    : "step mode (Forward, Backward) writes out its chain rule";
  box.hidden = false;
  const x = ev && ev.clientX ? ev.clientX - r.left : 20, y = ev && ev.clientY ? ev.clientY - r.top : 20;
  box.style.left = `${Math.max(0, Math.min(x + 8, r.width - 240)) + $("net-view").scrollLeft}px`;
  box.style.top = `${Math.max(0, Math.min(y + 8, r.height - 70)) + $("net-view").scrollTop}px`;
  if (app.sample) askEquation(layer, param);
}

function setWeight() {
  const box = $("weight-editor"), value = num("weight-value");
  send({ type: "set_weight", layer: Number(box.dataset.layer), param: box.dataset.param, value });
  box.hidden = true;
  clearSample();
}

// ---- rendering ----------------------------------------------------------------------------
function renderState() {
  const s = app.state;
  $("epoch").textContent = s.epoch;
  $("train-loss").textContent = fmt(s.train_loss);
  $("test-loss").textContent = fmt(s.test_loss);
  $("test-acc").textContent = s.test_accuracy === null ? "-" : (100 * s.test_accuracy).toFixed(1) + "%";
  $("play").innerHTML = s.playing ? "&#x23F8; Pause" : "&#x25B6; Play";
  $("n-params").textContent = `${shortWidths(s.net.widths)}, ${s.net.n_params} parameters, loss ${s.loss_name}`;
  drawLoss($("loss-canvas"), s.history);
  redraw();
}

// "2-8-8-8-8-1" as "2-8×4-1": runs of three or more equal widths written once
function shortWidths(widths) {
  if (widths.length <= 8) return widths.join("-");
  const parts = [];
  for (let k = 0; k < widths.length;) {
    let n = 1;
    while (k + n < widths.length && widths[k + n] === widths[k]) n++;
    if (n >= 3) parts.push(`${widths[k]}×${n}`); else for (let m = 0; m < n; m++) parts.push(String(widths[k]));
    k += n;
  }
  return parts.join("-");
}

function redrawData() {
  const focus = shownFocus();
  drawData($("data-canvas"), app.data, app.state, app.picked,
    { showTest: $("show-test").checked, discrete: $("discretize").checked,
      focus, focusName: focus ? focusName(focus) : "" });
}

function redraw() {
  redrawData();
  if (app.state) {
    drawNetwork($("net-view"), app.state, app.sample, app.equationFor,
      { param: clickParam, hover: hoverNeuron, tip });
  }
}

function renderCounts() {
  const d = app.data, test = d.points.filter((p) => p[3]).length;
  const n = d.points.length;
  $("counts").textContent = `${n} point${n === 1 ? "" : "s"}: ${n - test} train (filled), ${test} test (rings)`;
  $("data-description").textContent = d.description;
  $("sample-index").max = d.points.length - 1;
  const generated = [...$("dataset").options].some((o) => o.value === d.source && !o.disabled);
  $("source-other").textContent = d.source === "csv" ? "uploaded CSV" : d.source.replace("preset:", "preset: ");
  $("dataset").value = generated ? d.source : "other";
  $("preset-note").textContent = app.preset ? app.preset.note : "";
  $("preset-note").hidden = !app.preset;
}

// The loss select shows the loss the server trains with (a regression's squared error, a
// several-class data set's cross-entropy), and the page's settings follow the server's.
function syncLoss() {
  const regression = Boolean(app.data && app.data.regression);
  $("loss").value = regression ? "mse" : app.state.spec.loss;
  $("loss").disabled = regression;
  $("loss").title = regression ? "a regression set trains with mean squared error" : "";
}

function renderClasses() {
  const box = $("classes");
  box.innerHTML = "";
  if (app.data.regression) {
    box.innerHTML = '<span class="hint">a regression set: each point\'s colour is its value, ' +
      "from orange (-1) to blue (1); points are added to the classification sets.</span>";
    return;
  }
  const n = Math.min(8, app.data.n_classes + 1);
  if (app.addClass >= n) app.addClass = 0;
  for (let c = 0; c < n; c++) {
    const b = document.createElement("button");
    b.innerHTML = `<span class="swatch" style="background:${rgb(CLASS_COLORS[c])}"></span>${c}`;
    b.title = c < app.data.n_classes ? `add points of class ${c}` : `a new class ${c}`;
    b.className = c === app.addClass ? "selected" : "";
    b.addEventListener("click", () => { app.addClass = c; renderClasses(); });
    box.appendChild(b);
  }
}

function renderLayers() {
  const box = $("layer-editor");
  box.innerHTML = "";
  app.hidden.forEach((w, k) => {
    const div = document.createElement("div");
    div.className = "layer";
    div.innerHTML = `<div class="row"><button data-d="-1">&minus;</button><input id="neurons-${k}" value="${w}">` +
      `<button data-d="1">+</button></div><select id="act-${k}">` +
      ACTS.map((a) => `<option${a === app.acts[k] ? " selected" : ""}>${a}</option>`).join("") + "</select>";
    div.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => {
      app.hidden[k] = Math.max(1, app.hidden[k] + Number(b.dataset.d)); renderLayers(); sendNetwork();
    }));
    div.querySelector("input").addEventListener("change", (e) => {
      app.hidden[k] = Number(e.target.value); sendNetwork();
    });
    div.querySelector("select").addEventListener("change", (e) => { app.acts[k] = e.target.value; sendNetwork(); });
    box.appendChild(div);
  });
  $("n-layers").textContent = `${app.hidden.length} hidden layer${app.hidden.length === 1 ? "" : "s"}`;
}

function adoptSpec(spec) {
  app.hidden = spec.hidden.slice(); app.acts = spec.activations.slice();
  app.features = spec.features.slice();
  $("loss").value = spec.loss; $("optimizer").value = spec.optimizer; $("lr").value = spec.lr;
  $("batch-size").value = spec.batch_size; $("l1").value = spec.l1; $("l2").value = spec.l2;
  $("net-seed").value = spec.seed; $("step-opt").textContent = spec.optimizer;
  renderLayers(); renderFeatures(); writeHash();
}

function renderFeatures() {
  const box = $("feature-picker");
  box.innerHTML = "";
  Object.entries(FEATURES).forEach(([name, pretty]) => {
    const label = document.createElement("label");
    label.className = "check";
    label.innerHTML = `<input type="checkbox" data-feature="${name}"${app.features.includes(name) ? " checked" : ""}> ${pretty}`;
    label.querySelector("input").addEventListener("change", (e) => {
      const chosen = Object.keys(FEATURES).filter((f) =>
        f === name ? e.target.checked : app.features.includes(f));
      if (!chosen.length) { e.target.checked = true; showError("the network needs at least one input."); return; }
      app.features = chosen; sendNetwork();
    });
    box.appendChild(label);
  });
}

function askEquation(layer, param) {
  const j = Number(param.match(/(\d+)\]$/)[1]);
  app.equationFor = { layer, node: j, param };
  send({ type: "explain_param", layer, param, digits: Number($("digits").value) });
  redraw();
}

// One equation a block, one term a line: "lhs = term", then "+ term", "= number" ... under
// the first term; the unwrapped line (explain's own text) rides along in data-text.
function renderEquation(msg) {
  const box = $("equation");
  box.innerHTML = "";
  let section = null;
  for (const b of msg.blocks) {
    if (b.section !== section) {
      section = b.section;
      const h = document.createElement("div");
      h.className = "eq-section"; h.textContent = section;
      box.appendChild(h);
    }
    const div = document.createElement("div");
    div.className = "eq" + (b.param && b.param === msg.param && b.dense === msg.layer ? " eq-target" : "");
    div.dataset.text = b.text;
    const indent = Math.min(b.lhs.length + 1, 16);
    b.lines.forEach((line, n) => {
      const row = document.createElement("div");
      row.className = "eq-line";
      if (n === 0) {
        const lhs = document.createElement("span");
        lhs.className = "lhs"; lhs.textContent = b.lhs;
        row.appendChild(lhs);
        row.appendChild(document.createTextNode(" " + line));
      } else {
        row.style.paddingLeft = `${indent}ch`;
        row.textContent = line;
      }
      div.appendChild(row);
    });
    box.appendChild(div);
  }
  if (msg.note) {
    const p = document.createElement("div");
    p.className = "eq-note"; p.textContent = msg.note;
    box.appendChild(p);
  }
}

function renderSampleInfo() {
  const msg = app.sample, d = Number($("digits").value), all = (v) => v.map((x) => fmt(x, d)).join(", ");
  if (!msg) return;
  $("sample-info").textContent = msg.phase === "forward"
    ? `sample #${msg.index}: x = (${all(msg.x)}), output ${all(msg.output)}, target ${all(msg.target)}`
    : `backward done: E = ${fmt(msg.loss, d)}; each neuron shows \u2202 = dE/dz. Click a weight or a neuron for its chain rule.`;
}

// ---- the data map: add, remove, pick -------------------------------------------------------
function toData(ev) {
  const c = $("data-canvas"), r = c.getBoundingClientRect(), L = app.data.domain;
  return [((ev.clientX - r.left) / r.width) * 2 * L - L, L - ((ev.clientY - r.top) / r.height) * 2 * L];
}

function removeAt(ev) {
  const [x, y] = toData(ev);
  send({ type: "remove_points", x, y, radius: app.data.domain * 0.05 });
}

function setupCanvas() {
  const c = $("data-canvas");
  c.addEventListener("contextmenu", (ev) => { ev.preventDefault(); if (app.data) removeAt(ev); });
  c.addEventListener("click", (ev) => {
    if (!app.data) return;
    const [x, y] = toData(ev);
    if (ev.shiftKey) { removeAt(ev); return; }
    if ($("pick-sample").checked) {
      let best = 0, bd = Infinity;
      app.data.points.forEach((p, i) => { const d = (p[0] - x) ** 2 + (p[1] - y) ** 2; if (d < bd) { bd = d; best = i; } });
      $("sample-index").value = best;
      send({ type: "sample_forward", index: best });
      return;
    }
    send({ type: "add_point", x, y, label: app.addClass });
  });
  let last = 0;
  c.addEventListener("mousemove", (ev) => {
    if (ev.buttons === 1 && ev.shiftKey && app.data && Date.now() - last > 80) { last = Date.now(); removeAt(ev); }
  });
}

async function uploadFile(input, type) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  if (file.size > MAX_SEND) { showError(`the upload is larger than the limit of 5 MB (${(file.size / 2 ** 20).toFixed(1)} MB).`); return; }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 32768) bin += String.fromCharCode(...bytes.subarray(i, i + 32768));
  send({ type, data: btoa(bin) });
}

// ---- wiring ---------------------------------------------------------------------------------
function setup() {
  readHash();
  $("noise-out").textContent = $("noise").value;
  $("test-out").textContent = Math.round(100 * $("test-ratio").value) + "%";
  renderLayers();
  renderFeatures();
  setupCanvas();
  ["dataset", "n-points", "data-seed"].forEach((id) => $(id).addEventListener("change", sendData));
  $("noise").addEventListener("input", () => { $("noise-out").textContent = $("noise").value; });
  $("noise").addEventListener("change", sendData);
  $("test-ratio").addEventListener("input", () => { $("test-out").textContent = Math.round(100 * $("test-ratio").value) + "%"; });
  $("test-ratio").addEventListener("change", sendData);
  ["loss", "optimizer", "lr", "batch-size", "l1", "l2", "net-seed"].forEach((id) => $(id).addEventListener("change", sendNetwork));
  $("speed").addEventListener("change", sendSpeed);
  $("add-layer").addEventListener("click", () => {
    app.hidden.push(app.hidden.length ? app.hidden[app.hidden.length - 1] : 4);
    app.acts.push(app.acts.length ? app.acts[app.acts.length - 1] : "tanh");
    renderLayers(); sendNetwork();
  });
  $("remove-layer").addEventListener("click", () => { app.hidden.pop(); app.acts.pop(); renderLayers(); sendNetwork(); });
  $("play").addEventListener("click", () => send({ type: app.state && app.state.playing ? "pause" : "play" }));
  $("step-epoch").addEventListener("click", () => send({ type: "step", unit: "epoch" }));
  $("step-batch").addEventListener("click", () => send({ type: "step", unit: "batch" }));
  $("reset").addEventListener("click", () => { clearSample(); send({ type: "reset" }); });
  $("sample-forward").addEventListener("click", () => send({ type: "sample_forward", index: num("sample-index") }));
  $("sample-backward").addEventListener("click", () => send({ type: "sample_backward" }));
  $("sample-update").addEventListener("click", () => { send({ type: "sample_update" }); clearSample(); });
  $("digits").addEventListener("change", () => {
    renderSampleInfo();
    if (app.equationFor && app.sample) askEquation(app.equationFor.layer, app.equationFor.param);
  });
  document.querySelectorAll("[data-preset]").forEach((b) => b.addEventListener("click", () => {
    clearSample(); send({ type: "load_preset", name: b.dataset.preset });
  }));
  $("weight-set").addEventListener("click", setWeight);
  $("weight-value").addEventListener("keydown", (e) => { if (e.key === "Enter") setWeight(); });
  $("weight-close").addEventListener("click", () => { $("weight-editor").hidden = true; });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("weight-editor").hidden = true; });
  $("download-data").addEventListener("click", () => send({ type: "download_data" }));
  $("download-model").addEventListener("click", () => send({ type: "download_model" }));
  $("csv-file").addEventListener("change", (e) => uploadFile(e.target, "upload_csv"));
  $("model-file").addEventListener("change", (e) => uploadFile(e.target, "load_model"));
  ["show-test", "discretize"].forEach((id) => $(id).addEventListener("change", redraw));
  window.addEventListener("resize", redraw);
  connect();
}

function clearSample() {
  app.sample = null; app.equationFor = null; app.equation = null; $("equation").innerHTML = "";
}

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  app.ws = ws;
  ws.onopen = () => { sendSpeed(); sendData(); sendNetwork(); };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = (ev) => showError(ev.reason ? `the glassnet server closed this tab: ${ev.reason}.`
    : "disconnected from the glassnet server; reload the page to reconnect.");
}

setup();
