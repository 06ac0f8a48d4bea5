// The playground page: controls, the websocket to the glassnet server, the URL state.
// The server does all the maths; this file only sends settings and draws what comes back.
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
};
window.playground = app;  // for tests and the curious

// ---- URL state: settings (not data) in the hash ------------------------------------------
const URL_FIELDS = {
  dataset: "dataset", noise: "noise", points: "n-points", test: "test-ratio", dseed: "data-seed",
  loss: "loss", opt: "optimizer", lr: "lr", batch: "batch-size", l1: "l1", l2: "l2", seed: "net-seed",
};

function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  for (const [key, id] of Object.entries(URL_FIELDS)) if (q.has(key)) $(id).value = q.get(key);
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
  writeHash();
  send({ type: "set_data", dataset: $("dataset").value, noise: num("noise"), n_points: num("n-points"),
    test_ratio: num("test-ratio"), seed: num("data-seed") });
}

function sendNetwork() {
  writeHash();
  clearSample();
  $("step-opt").textContent = $("optimizer").value;  // step mode itself is always plain SGD
  send({ type: "set_network", hidden: app.hidden, activations: app.acts, features: app.features,
    loss: $("loss").value, optimizer: $("optimizer").value, lr: num("lr"),
    batch_size: num("batch-size"), l1: num("l1"), l2: num("l2"), seed: num("net-seed") });
}

function showError(text) {
  const box = $("error");
  box.textContent = text; box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

function onMessage(msg) {
  if (msg.type === "error") { showError(msg.message); return; }
  if (msg.type === "data") { app.data = msg; clearSample(); renderClasses(); renderCounts(); redraw(); return; }
  if (msg.type === "state") {
    app.state = msg;
    if (msg.loaded) adoptSpec(msg.spec);  // a loaded model brings its layers and inputs
    renderState(); return;
  }
  if (msg.type === "sample") {
    app.sample = msg; app.picked = msg.index;
    $("sample-info").textContent = msg.phase === "forward"
      ? `sample #${msg.index}: x = (${msg.x.map(fmt).join(", ")}), output ${msg.output.map(fmt).join(", ")}, target ${msg.target.map(fmt).join(", ")}`
      : `backward done: each neuron shows \u2202 = dE/dz. Click a weight or a neuron for its chain rule.`;
    redraw(); return;
  }
  if (msg.type === "equation") { $("equation").textContent = msg.text; return; }
  if (msg.type === "file") { download(msg); }
}

function download(msg) {
  const bytes = Uint8Array.from(atob(msg.data), (c) => c.charCodeAt(0));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: msg.mime }));
  a.download = msg.name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 40000); // once the download surely has it
}

// ---- rendering ----------------------------------------------------------------------------
function renderState() {
  const s = app.state;
  $("epoch").textContent = s.epoch;
  $("train-loss").textContent = fmt(s.train_loss);
  $("test-loss").textContent = fmt(s.test_loss);
  $("test-acc").textContent = s.test_accuracy === null ? "-" : (100 * s.test_accuracy).toFixed(1) + "%";
  $("play").innerHTML = s.playing ? "&#x23F8; Pause" : "&#x25B6; Play";
  $("n-params").textContent = `${s.net.widths.join("-")}, ${s.net.n_params} parameters`;
  drawLoss($("loss-canvas"), s.history);
  redraw();
}

function redraw() {
  drawData($("data-canvas"), app.data, app.state, app.picked,
    { showTest: $("show-test").checked, discrete: $("discretize").checked });
  if (app.state) drawNetwork($("net-svg"), app.state, app.sample, app.equationFor, { param: askEquation });
}

function renderCounts() {
  const d = app.data, test = d.points.filter((p) => p[3]).length;
  $("counts").textContent = `${d.points.length} points: ${d.points.length - test} train (filled), ${test} test (rings)`;
  $("sample-index").max = d.points.length - 1;
}

function renderClasses() {
  const box = $("classes");
  box.innerHTML = "";
  $("loss").disabled = app.data.regression;  // a regression trains with the squared error
  $("loss").title = app.data.regression ? "a regression set trains with mean squared error" : "";
  if (app.data.regression) {
    box.innerHTML = '<span class="hint">a regression set: each point\'s colour is its value, ' +
      "from blue (-1) to orange (1); points are added to the classification sets.</span>";
    return;
  }
  const n = Math.min(8, app.data.n_classes + 1);
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
  $("loss").value = spec.loss;
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
  if (!app.sample) { showError("step mode: pick a sample and run Forward and Backward first, then click a weight."); return; }
  const j = Number(param.match(/(\d+)\]$/)[1]);
  app.equationFor = { layer, node: j };
  send({ type: "explain_param", layer, param });
  redraw();
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
  $("download-data").addEventListener("click", () => send({ type: "download_data" }));
  $("download-model").addEventListener("click", () => send({ type: "download_model" }));
  $("csv-file").addEventListener("change", (e) => uploadFile(e.target, "upload_csv"));
  $("model-file").addEventListener("change", (e) => uploadFile(e.target, "load_model"));
  ["show-test", "discretize"].forEach((id) => $(id).addEventListener("change", redraw));
  window.addEventListener("resize", redraw);
  connect();
}

function clearSample() { app.sample = null; app.equationFor = null; $("equation").textContent = ""; }

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  app.ws = ws;
  ws.onopen = () => { sendData(); sendNetwork(); };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = (ev) => showError(ev.reason ? `the glassnet server closed this tab: ${ev.reason}.`
    : "disconnected from the glassnet server; reload the page to reconnect.");
}

setup();
