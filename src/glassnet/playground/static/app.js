// glassnet playground: draws what the server's glassnet session sends.
// No framework, no CDN: this file, index.html and style.css are the whole page.
"use strict";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const FEATURE_LABELS = {"x1": "x\u2081", "x2": "x\u2082", "x1^2": "x\u2081\u00b2",
  "x2^2": "x\u2082\u00b2", "x1*x2": "x\u2081x\u2082", "sin(x1)": "sin x\u2081",
  "sin(x2)": "sin x\u2082"};
const NODE = 38;
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------- colours
// -1 orange, 0 light grey, +1 blue (as TensorFlow Playground reads them)
const LUT = new Uint8ClampedArray(256 * 4);
(function buildLut() {
  const neg = [245, 147, 34], mid = [232, 234, 235], pos = [8, 119, 189];
  for (let q = 0; q < 256; q++) {
    const t = q / 127.5 - 1, a = Math.abs(t), end = t < 0 ? neg : pos;
    for (let c = 0; c < 3; c++) LUT[q * 4 + c] = mid[c] + (end[c] - mid[c]) * a;
    LUT[q * 4 + 3] = 255;
  }
})();
const LUT32 = new Uint32Array(LUT.buffer);  // one pixel per entry
const colour = (v) => {  // v in [-1, 1]
  const q = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  return `rgb(${LUT[q * 4]},${LUT[q * 4 + 1]},${LUT[q * 4 + 2]})`;
};

function decode(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let gridCanvas = null;
function paintMap(ctx, b64, n, w, h) {
  if (!gridCanvas || gridCanvas.width !== n) {
    gridCanvas = document.createElement("canvas");
    gridCanvas.width = gridCanvas.height = n;
  }
  const g = gridCanvas.getContext("2d"), img = g.createImageData(n, n);
  const bytes = decode(b64), px = new Uint32Array(img.data.buffer);
  for (let i = 0; i < bytes.length; i++) px[i] = LUT32[bytes[i]];
  g.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(gridCanvas, 0, 0, w, h);
}

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

// ------------------------------------------------------------- playground
const state = {id: null, snap: null, netKey: "", frames: 0, hidden: [4, 2], features: ["x1", "x2"]};
window.__glassnet = state;  // for tests: state.frames counts screen updates

function say(text) { $("message").textContent = text || ""; }

async function send(action, body) {
  try { await api(`/api/session/${state.id}/${action}`, body || {}); say(""); }
  catch (e) { say(e.message); }
}
const setting = (changes) => send("settings", changes);

function buildControls() {
  const box = $("features");
  for (const f of FEATURES) {
    const label = document.createElement("label");
    label.className = "check";
    label.innerHTML = `<input type="checkbox" value="${f}"> ${FEATURE_LABELS[f]}`;
    box.appendChild(label);
  }
  box.addEventListener("change", () => {
    const chosen = [...box.querySelectorAll("input:checked")].map((i) => i.value);
    setting({features: chosen});
  });
  for (const id of ["dataset", "activation", "optimizer"]) {
    $(id).addEventListener("change", () => setting({[id]: $(id).value}));
  }
  for (const id of ["learning_rate", "l2"]) {
    $(id).addEventListener("change", () => setting({[id]: Number($(id).value)}));
  }
  const ranges = {noise: 0.01, train_ratio: 0.01, batch_size: 1};
  for (const [id, scale] of Object.entries(ranges)) {
    $(id).addEventListener("input", () => { $(id + "-out").textContent = $(id).value; });
    $(id).addEventListener("change", () => {
      const v = Number($(id).value) * scale;
      setting({[id]: scale === 1 ? v : Math.round(v * 100) / 100});
    });
  }
  $("play").onclick = () => send("play");
  $("pause").onclick = () => send("pause");
  $("step").onclick = () => send("step");
  $("reset").onclick = () => send("reset");
  $("layer-add").onclick = () => {
    if (state.hidden.length < 6) setting({hidden: [...state.hidden, 2]});
  };
  $("layer-remove").onclick = () => {
    if (state.hidden.length > 0) setting({hidden: state.hidden.slice(0, -1)});
  };
  $("show-test").onchange = () => state.snap && drawBoundary(state.snap);
}

function syncControls(s) {
  for (const id of ["dataset", "activation", "optimizer"]) $(id).value = s[id];
  $("learning_rate").value = String(s.learning_rate);
  $("l2").value = String(s.l2);
  $("noise").value = Math.round(s.noise * 100); $("noise-out").textContent = $("noise").value;
  $("train_ratio").value = Math.round(s.train_ratio * 100);
  $("train_ratio-out").textContent = $("train_ratio").value;
  $("batch_size").value = s.batch_size; $("batch_size-out").textContent = s.batch_size;
  for (const box of $("features").querySelectorAll("input")) box.checked = s.features.includes(box.value);
  state.hidden = s.hidden; state.features = s.features;
  $("layer-count").textContent = `${s.hidden.length}`;
  const sizes = $("layer-sizes");
  sizes.innerHTML = "";
  s.hidden.forEach((n, i) => {
    const div = document.createElement("div");
    div.className = "layer-size";
    div.innerHTML = `layer ${i + 1}: <button>&minus;</button> <b>${n}</b> <button>+</button> neurons`;
    const [minus, plus] = div.querySelectorAll("button");
    const change = (d) => {
      const h = [...state.hidden];
      h[i] = Math.max(1, Math.min(8, h[i] + d));
      setting({hidden: h});
    };
    minus.onclick = () => change(-1); plus.onclick = () => change(1);
    sizes.appendChild(div);
  });
}

// The network: an SVG of weights behind one small canvas per neuron.
function buildNet(s) {
  const sizes = [s.features.length, ...s.hidden, 1];
  const net = $("net"), width = 560, height = 400;
  net.innerHTML = "";
  net.style.width = width + "px"; net.style.height = height + "px";
  const cols = sizes.length, xs = [], ys = [];
  sizes.forEach((n, c) => {
    xs.push(30 + (c * (width - 60 - NODE)) / Math.max(1, cols - 1));
    const gap = Math.min(48, (height - NODE) / Math.max(1, n));
    ys.push(Array.from({length: n}, (_, i) => (height - n * gap) / 2 + i * gap + (gap - NODE) / 2));
  });
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  const lines = [];
  for (let l = 0; l < cols - 1; l++) {
    lines.push([]);
    for (let i = 0; i < sizes[l]; i++) {
      lines[l].push([]);
      for (let j = 0; j < sizes[l + 1]; j++) {
        const p = document.createElementNS(svgNS, "path");
        const x0 = xs[l] + NODE, y0 = ys[l][i] + NODE / 2, x1 = xs[l + 1], y1 = ys[l + 1][j] + NODE / 2;
        const mx = (x0 + x1) / 2;
        p.setAttribute("d", `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
        p.setAttribute("class", "weight");
        p.setAttribute("data-testid", "weight");
        p.addEventListener("mousemove", (ev) => showTip(ev, l, i, j));
        p.addEventListener("mouseleave", () => { $("tip").hidden = true; });
        svg.appendChild(p);
        lines[l][i].push(p);
      }
    }
  }
  net.appendChild(svg);
  const nodes = [];
  sizes.forEach((n, c) => {
    nodes.push([]);
    for (let i = 0; i < n; i++) {
      const cv = document.createElement("canvas");
      cv.width = cv.height = NODE;
      cv.className = "node";
      cv.setAttribute("data-testid", "neuron");
      cv.style.left = xs[c] + "px"; cv.style.top = ys[c][i] + "px";
      cv.title = c === 0 ? FEATURE_LABELS[s.features[i]] : c === cols - 1 ? "output" : `layer ${c}, neuron ${i + 1}`;
      net.appendChild(cv);
      nodes[c].push(cv);
      if (c === 0) {
        const label = document.createElement("span");
        label.className = "feature-label";
        label.textContent = FEATURE_LABELS[s.features[i]];
        label.style.top = ys[c][i] + NODE / 2 - 8 + "px";
        net.appendChild(label);
      }
    }
  });
  state.lines = lines; state.nodes = nodes;
}

function showTip(ev, l, i, j) {
  const w = state.snap.weights[l], tip = $("tip");
  tip.hidden = false;
  tip.textContent = `weight ${w.W[i][j]}  \u2202L/\u2202w ${w.dW[i][j]}`;
  const box = $("net").getBoundingClientRect();
  tip.style.left = ev.clientX - box.left + 12 + "px";
  tip.style.top = ev.clientY - box.top + 12 + "px";
}

function drawNet(snap) {
  snap.maps.forEach((col, c) => col.forEach((b64, i) => {
    const cv = state.nodes[c][i];
    paintMap(cv.getContext("2d"), b64, snap.grid, NODE, NODE);
  }));
  let biggest = 1e-9;
  for (const w of snap.weights) for (const row of w.W) for (const v of row) biggest = Math.max(biggest, Math.abs(v));
  snap.weights.forEach((w, l) => w.W.forEach((row, i) => row.forEach((v, j) => {
    const p = state.lines[l][i][j];
    p.setAttribute("stroke", v >= 0 ? "#0877bd" : "#f59322");
    p.setAttribute("stroke-width", (0.5 + 6 * Math.min(1, Math.abs(v) / Math.max(1, biggest))).toFixed(2));
  })));
}

function drawBoundary(snap) {
  const cv = $("boundary"), ctx = cv.getContext("2d"), W = cv.width, E = snap.extent;
  const last = snap.maps[snap.maps.length - 1][0];
  paintMap(ctx, last, snap.grid, W, W);
  const dot = (pts, stroke) => {
    for (const [x, y, label] of pts) {
      ctx.beginPath();
      ctx.arc(((x + E) / (2 * E)) * W, ((E - y) / (2 * E)) * W, 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = label > 0.5 ? "#0877bd" : "#f59322";
      ctx.fill(); ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke();
    }
  };
  dot(snap.train, "#fff");
  if ($("show-test").checked) dot(snap.test, "#000");
}

function drawCurves(snap) {
  const cv = $("curves"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height;
  ctx.clearRect(0, 0, W, H);
  const h = snap.history;
  if (h.length < 1) return;
  let top = 0;
  for (const [, a, b] of h) top = Math.max(top, a || 0, b || 0);
  top = top || 1;
  const last = Math.max(1, h[h.length - 1][0]);
  for (const [k, style] of [[1, "#333"], [2, "#999"]]) {
    ctx.beginPath(); ctx.strokeStyle = style; ctx.lineWidth = 1.5;
    h.forEach((row, n) => {
      const x = (row[0] / last) * (W - 4) + 2, y = H - 2 - ((row[k] || 0) / top) * (H - 4);
      n ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  }
}

const fmtLoss = (v) => (v === null ? "diverged" : v.toFixed(3));
let fpsCount = 0, fpsSince = performance.now();
function render(snap) {
  state.snap = snap;
  const key = JSON.stringify([snap.settings.features, snap.settings.hidden]);
  if (key !== state.netKey) { buildNet(snap.settings); state.netKey = key; }
  syncControls(snap.settings);
  drawNet(snap);
  drawBoundary(snap);
  drawCurves(snap);
  $("epoch").textContent = snap.epoch;
  $("train-loss").textContent = fmtLoss(snap.train_loss);
  $("test-loss").textContent = fmtLoss(snap.test_loss);
  if (snap.message) say(snap.message);
  document.body.classList.toggle("playing", snap.playing);
  state.frames++; fpsCount++;
  const now = performance.now();
  if (now - fpsSince > 1000) {
    $("fps").textContent = Math.round((fpsCount * 1000) / (now - fpsSince));
    fpsCount = 0; fpsSince = now;
  }
}

let pending = null;
function connect() {
  const source = new EventSource(`/api/session/${state.id}/events`);
  source.onmessage = (ev) => {  // draw at most once per animation frame
    const first = pending === null;
    pending = ev.data;
    if (first) requestAnimationFrame(() => { const d = pending; pending = null; render(JSON.parse(d)); });
  };
  source.onerror = () => say("connection to the server lost: is glassnet playground still running?");
  source.onopen = () => say("");
}

// ------------------------------------------------------------- the article
const ART = {sample: 0, stage: 0, data: null};
const STAGES = 6;
const fmt = (v) => {
  if (typeof v !== "number") return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
};
const val = (v, name) => `<span class="value" data-testid="article-value" data-name="${name}" title="${v}">${fmt(v)}</span>`;

function articleNet(d, stage) {
  const p = d.before, v = d.values, svg = $("article-net");
  const pos = {x1: [60, 90], x2: [60, 210], h1: [260, 90], h2: [260, 210], o1: [460, 150]};
  const edges = [["x1", "h1", "w1"], ["x2", "h1", "w2"], ["x1", "h2", "w3"], ["x2", "h2", "w4"], ["h1", "o1", "w5"], ["h2", "o1", "w6"]];
  const t = (x, y, text, name, cls) =>
    `<text x="${x}" y="${y}" class="${cls || ""}" ${name ? `data-testid="article-value" data-name="${name}"` : ""}>${text}</text>`;
  let out = "";
  for (const [a, b, w] of edges) {
    const [x0, y0] = pos[a], [x1, y1] = pos[b], mx = x0 + (x1 - x0) * 0.3, my = y0 + (y1 - y0) * 0.3;
    out += `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y1}" class="edge"/>`;
    out += t(mx, my - 6, `${w}=${fmt(p[w])}`, w, "edge-label");
  }
  const shown = {x1: d.x[0], x2: d.x[1], h1: v.h1, h2: v.h2, o1: v.o1};
  for (const [n, [x, y]] of Object.entries(pos)) {
    out += `<circle cx="${x}" cy="${y}" r="30" class="node-circle"/>`;
    out += t(x, y - 4, n, null, "node-name");
    out += t(x, y + 14, fmt(shown[n]), n, "node-value");
  }
  for (const [n, b] of [["h1", "b1"], ["h2", "b2"], ["o1", "b3"]]) {
    out += t(pos[n][0], pos[n][1] + 48, `${b}=${fmt(p[b])}`, b, "edge-label");
  }
  svg.innerHTML = out;
}

function articleSteps(d, stage) {
  const v = d.values, lr = d.learn_rate;
  const blocks = [
    `<h3>1. Forward pass: ${d.name} (${d.raw[0]} lb, ${d.raw[1]} in → x = [${val(d.x[0], "x1")}, ${val(d.x[1], "x2")}]), y<sub>true</sub> = ${val(d.y_true, "y_true")}</h3>
     <p>h1 = f(w1·x1 + w2·x2 + b1) = f(${val(v.sum_h1, "sum_h1")}) = ${val(v.h1, "h1")}</p>
     <p>h2 = f(w3·x1 + w4·x2 + b2) = f(${val(v.sum_h2, "sum_h2")}) = ${val(v.h2, "h2")}</p>
     <p>y<sub>pred</sub> = o1 = f(w5·h1 + w6·h2 + b3) = f(${val(v.sum_o1, "sum_o1")}) = ${val(v.o1, "y_pred")}</p>
     <p>L = (y<sub>true</sub> − y<sub>pred</sub>)² = ${val(v.loss, "loss")}</p>`,
    `<h3>2. ∂L/∂y<sub>pred</sub> = −2(y<sub>true</sub> − y<sub>pred</sub>) = ${val(v.d_L_d_ypred, "d_L_d_ypred")}</h3>`,
    `<h3>3. Through the output neuron, f'(x) = f(x)(1 − f(x))</h3>
     <p>∂y<sub>pred</sub>/∂h1 = w5·f'(sum_o1) = ${val(v.d_ypred_d_h1, "d_ypred_d_h1")}, ∂y<sub>pred</sub>/∂h2 = ${val(v.d_ypred_d_h2, "d_ypred_d_h2")}</p>
     <p>∂y<sub>pred</sub>/∂w5 = h1·f'(sum_o1) = ${val(v.d_ypred_d_w5, "d_ypred_d_w5")}, ∂y<sub>pred</sub>/∂w6 = ${val(v.d_ypred_d_w6, "d_ypred_d_w6")}, ∂y<sub>pred</sub>/∂b3 = ${val(v.d_ypred_d_b3, "d_ypred_d_b3")}</p>`,
    `<h3>4. Into the hidden neurons</h3>
     <p>∂h1/∂w1 = x1·f'(sum_h1) = ${val(v.d_h1_d_w1, "d_h1_d_w1")}, ∂h1/∂w2 = ${val(v.d_h1_d_w2, "d_h1_d_w2")}, ∂h1/∂b1 = ${val(v.d_h1_d_b1, "d_h1_d_b1")}</p>
     <p>∂h2/∂w3 = x1·f'(sum_h2) = ${val(v.d_h2_d_w3, "d_h2_d_w3")}, ∂h2/∂w4 = ${val(v.d_h2_d_w4, "d_h2_d_w4")}, ∂h2/∂b2 = ${val(v.d_h2_d_b2, "d_h2_d_b2")}</p>`,
    `<h3>5. The chain rule</h3>
     <p class="big">∂L/∂w1 = ∂L/∂y<sub>pred</sub> · ∂y<sub>pred</sub>/∂h1 · ∂h1/∂w1 = ${val(v.d_L_d_ypred, "d_L_d_ypred")} · ${val(v.d_ypred_d_h1, "d_ypred_d_h1")} · ${val(v.d_h1_d_w1, "d_h1_d_w1")} = ${val(v.d_L_d_w1, "d_L_d_w1")}</p>
     <p>∂L/∂w2 = ${val(v.d_L_d_w2, "d_L_d_w2")}, ∂L/∂w3 = ${val(v.d_L_d_w3, "d_L_d_w3")}, ∂L/∂w4 = ${val(v.d_L_d_w4, "d_L_d_w4")}, ∂L/∂w5 = ${val(v.d_L_d_w5, "d_L_d_w5")}, ∂L/∂w6 = ${val(v.d_L_d_w6, "d_L_d_w6")}</p>
     <p>∂L/∂b1 = ${val(v.d_L_d_b1, "d_L_d_b1")}, ∂L/∂b2 = ${val(v.d_L_d_b2, "d_L_d_b2")}, ∂L/∂b3 = ${val(v.d_L_d_b3, "d_L_d_b3")}</p>`,
    `<h3>6. One SGD step: p ← p − ${lr}·∂L/∂p</h3><p>` +
      Object.keys(d.after).map((k) => `${k}: ${fmt(d.before[k])} → ${val(d.after[k], "new_" + k)}`).join("<br>") +
      `</p><p>Next: the next person, with these new weights.</p>`,
  ];
  $("article-steps").innerHTML = blocks.map((html, i) =>
    i <= stage ? `<div class="stage${i === stage ? " current" : ""}">${html}</div>` : "").join("");
}

async function articleShow() {
  try {
    if (!ART.data || ART.data.sample !== ART.sample) ART.data = await api(`/api/article?sample=${ART.sample}`);
  } catch (e) { $("article-steps").textContent = e.message; return; }
  articleNet(ART.data, ART.stage);
  articleSteps(ART.data, ART.stage);
  $("article-where").textContent = `sample ${ART.sample + 1} (${ART.data.name}), step ${ART.stage + 1} of ${STAGES}`;
  $("article-prev").disabled = ART.sample === 0 && ART.stage === 0;
}

function articleMove(d) {
  ART.stage += d;
  if (ART.stage >= STAGES) { ART.stage = 0; ART.sample++; }
  if (ART.stage < 0) {
    if (ART.sample === 0) { ART.stage = 0; } else { ART.sample--; ART.stage = STAGES - 1; }
  }
  articleShow();
}

function showMode(article) {
  $("playground").hidden = article; $("article").hidden = !article;
  $("mode-play").classList.toggle("active", !article);
  $("mode-article").classList.toggle("active", article);
  if (article) articleShow();
}

// ------------------------------------------------------------- start
async function start() {
  buildControls();
  $("mode-play").onclick = () => showMode(false);
  $("mode-article").onclick = () => showMode(true);
  $("article-next").onclick = () => articleMove(1);
  $("article-prev").onclick = () => articleMove(-1);
  const created = await api("/api/session", {});
  state.id = created.id;
  connect();
}
start();
