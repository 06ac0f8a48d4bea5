// Drawing helpers: the decision map with its points, the loss chart, neuron maps.
// Every number drawn here was computed by glassnet on the server.
// Colours follow TensorFlow Playground, as the gallery's pictures do (glassnet.plot._base):
// blue #0877bd is positive and class 1, orange #f59322 negative and class 0.
"use strict";

const POSITIVE = [8, 119, 189];  // #0877bd
const NEGATIVE = [245, 147, 34];  // #f59322
const CLASS_COLORS = [NEGATIVE, POSITIVE, [39, 174, 96], [142, 68, 173], [192, 57, 43],
  [22, 160, 133], [211, 84, 0], [44, 62, 80]];  // then the gallery's next six

function decodeBytes(b64, signed) {
  const s = atob(b64);
  const out = signed ? new Int8Array(s.length) : new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function rgb(c, a) { return a === undefined ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${a})`; }
function hex(c) { return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join(""); }

// A value t in [-1, 1]: white at 0, blue towards 1, orange towards -1.
function signColor(t) {
  const col = t < 0 ? NEGATIVE : POSITIVE, a = Math.min(1, Math.abs(t));
  return [255 - a * (255 - col[0]), 255 - a * (255 - col[1]), 255 - a * (255 - col[2])];
}

function blankCanvas(n) {
  const cv = document.createElement("canvas");
  cv.width = n; cv.height = n;
  return cv;
}

// Decision map: each cell mixes the class colours by their probability, lightened; with
// ``discrete`` each cell takes the colour of its most probable class alone. One pixel a cell:
// the caller scales it up with bilinear smoothing.
function decisionImage(out, discrete) {
  if (out.regression) return valueImage(out, discrete, 0);
  const key = discrete ? "_discrete" : "_smooth";
  if (out[key]) return out[key];
  const n = out.size, k = out.classes;
  const probs = decodeBytes(out.probs, false);
  const cv = blankCanvas(n), ctx = cv.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    let r = 0, g = 0, b = 0, top = 0, best = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[c * n * n + i] / 255;
      const col = CLASS_COLORS[c % CLASS_COLORS.length];
      r += p * col[0]; g += p * col[1]; b += p * col[2];
      if (p > top) { top = p; best = c; }
    }
    if (discrete) [r, g, b] = CLASS_COLORS[best % CLASS_COLORS.length];
    const keep = discrete ? 0.55 : 0.25 + 0.55 * Math.max(0, (top - 1 / k) / (1 - 1 / k));  // confidence
    img.data[4 * i] = 255 - keep * (255 - r);
    img.data[4 * i + 1] = 255 - keep * (255 - g);
    img.data[4 * i + 2] = 255 - keep * (255 - b);
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  out[key] = cv;
  return cv;
}

// One class's probability over the map (output node ``plane`` of a several-output network).
function planeImage(out, plane) {
  const key = "_plane" + plane;
  if (out[key]) return out[key];
  const n = out.size, cv = blankCanvas(n), ctx = cv.getContext("2d");
  const img = ctx.createImageData(n, n);
  if (out.regression) return valueImage(out, false, plane);
  const probs = decodeBytes(out.probs, false), col = CLASS_COLORS[plane % CLASS_COLORS.length];
  for (let i = 0; i < n * n; i++) {
    const a = 0.85 * probs[plane * n * n + i] / 255;
    img.data[4 * i] = 255 - a * (255 - col[0]); img.data[4 * i + 1] = 255 - a * (255 - col[1]);
    img.data[4 * i + 2] = 255 - a * (255 - col[2]); img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  out[key] = cv;
  return cv;
}

// The output of a regression over the map (int8, value * 127), lightened; ``discrete``
// rounds each value to a multiple of 1/4, so the map shows bands of equal value.
function valueImage(out, discrete, plane) {
  const key = `_value${plane}${discrete ? "d" : ""}`;
  if (out[key]) return out[key];
  const n = out.size, v = decodeBytes(out.values, true), off = plane * n * n;
  const cv = blankCanvas(n), ctx = cv.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    let t = v[off + i] / 127;
    if (discrete) t = Math.round(t * 4) / 4;
    const c = signColor(0.8 * t);
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  out[key] = cv;
  return cv;
}

// A map of int8 values (value / largest * 127), ``size`` x ``size``, as a canvas.
function mapCanvas(b64, size) {
  const v = decodeBytes(b64, true), cv = blankCanvas(size), ctx = cv.getContext("2d");
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const c = signColor(v[i] / 127);
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return cv;
}

// The canvas's backing store at the screen's pixel density; drawing uses CSS pixels.
function fitCanvas(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
  }
  canvas.style.width = width + "px"; canvas.style.height = height + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

// options: { showTest: draw the test points (rings), discrete: hard class regions,
//            focus: a hovered neuron's map to draw instead of the output, and its name }
function drawData(canvas, data, state, picked, options = {}) {
  const W = 420, H = 420, ctx = fitCanvas(canvas, W, H);
  ctx.clearRect(0, 0, W, H);
  const image = options.focus ? mapCanvas(options.focus.map, options.focus.size)
    : state && state.out ? decisionImage(state.out, options.discrete) : null;
  if (image) {
    ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = "high";  // bilinear
    ctx.drawImage(image, 0, 0, W, H);
  }
  if (!data) return;
  const L = data.domain;
  const px = (x) => (x + L) / (2 * L) * W, py = (y) => (L - y) / (2 * L) * H;
  ctx.strokeStyle = "rgba(0,0,0,0.15)"; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(px(0), 0); ctx.lineTo(px(0), H); ctx.moveTo(0, py(0)); ctx.lineTo(W, py(0)); ctx.stroke();
  ctx.fillStyle = "rgba(0,0,0,0.45)"; ctx.font = "10px system-ui";
  ctx.fillText(`x1 \u2208 [${-L}, ${L}]`, 6, H - 6); ctx.fillText("x2", px(0) + 4, 12);
  if (options.focus) {  // whose map this is, on a light band so the points do not hide it
    const text = `${options.focusName} (hover)`;
    ctx.font = "12px system-ui";
    ctx.fillStyle = "rgba(255,255,255,0.8)"; ctx.fillRect(0, H - 40, ctx.measureText(text).width + 12, 20);
    ctx.fillStyle = "rgba(29,36,48,0.9)"; ctx.fillText(text, 6, H - 25);
  }
  data.points.forEach((p, i) => {
    if (p[3] && options.showTest === false) return;
    const col = data.regression ? signColor(p[2]) : CLASS_COLORS[p[2] % CLASS_COLORS.length];
    ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 3.6, 0, 2 * Math.PI);
    if (p[3]) { ctx.fillStyle = "#fff"; ctx.fill(); ctx.strokeStyle = rgb(col); ctx.lineWidth = 1.6; ctx.stroke(); }
    else { ctx.fillStyle = rgb(col); ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 0.8; ctx.stroke(); }
  });
  if (picked !== null && picked < data.points.length) {
    const p = data.points[picked];
    ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 8, 0, 2 * Math.PI);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.stroke();
  }
}

const TRAIN_LINE = "#8a919c", TEST_LINE = "#1d2430";  // TensorFlow Playground: grey and black

function drawLoss(canvas, history) {
  const W = 420, H = 130, ctx = fitCanvas(canvas, W, H), pad = { l: 40, r: 10, t: 16, b: 18 };
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
  ctx.font = "10px system-ui"; ctx.fillStyle = "#6b7382";
  if (!history || history.length === 0) { ctx.fillText("loss chart: train to see it", pad.l, H / 2); return; }
  const xs = history.map((h) => h[0]);
  const vals = history.flatMap((h) => [h[1], h[2]]).filter((v) => v !== null && isFinite(v));
  const x0 = Math.min(...xs), x1 = Math.max(x0 + 1, ...xs), y1 = Math.max(1e-6, ...vals) * 1.05;
  const X = (x) => pad.l + (x - x0) / (x1 - x0) * (W - pad.l - pad.r);
  const Y = (y) => H - pad.b - y / y1 * (H - pad.t - pad.b);
  ctx.strokeStyle = "#e1e4ea"; ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = y1 * i / 4;
    ctx.beginPath(); ctx.moveTo(pad.l, Y(y)); ctx.lineTo(W - pad.r, Y(y)); ctx.stroke();
    ctx.fillText(y.toFixed(3), 2, Y(y) + 3);
  }
  ctx.fillText(`epoch ${x0.toFixed(0)}`, pad.l, H - 4);
  ctx.fillText(`${x1.toFixed(1)}`, W - pad.r - 30, H - 4);
  const line = (k, color) => {
    ctx.strokeStyle = color; ctx.lineWidth = 1.8; ctx.beginPath();
    let started = false;
    history.forEach((h) => {
      if (h[k] === null || !isFinite(h[k])) return;
      if (!started) { ctx.moveTo(X(h[0]), Y(h[k])); started = true; } else ctx.lineTo(X(h[0]), Y(h[k]));
    });
    ctx.stroke();
  };
  line(1, TRAIN_LINE); line(2, TEST_LINE);
  ctx.fillStyle = TRAIN_LINE; ctx.fillText("\u2014 train", W - 110, 11);
  ctx.fillStyle = TEST_LINE; ctx.fillText("\u2014 test", W - 55, 11);
}

function fmt(v, digits = 4) {
  if (v === null || v === undefined || !isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -(digits - 1) || a >= 1e6)) return v.toExponential(digits - 1);
  return v.toFixed(digits);
}
