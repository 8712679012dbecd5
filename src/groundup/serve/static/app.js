// groundup serve: draw a digit (mouse, touch or pen), send it as a PNG to /api/predict while
// drawing, show the digit, the ten probabilities and the 28x28 image the model saw.
"use strict";

const PEN = 0.08;          // pen width, as a share of the canvas side
const SEND_SIDE = 128;     // the picture sent is drawn at this size (the server works at 128)
const THROTTLE_MS = 120;   // at most one prediction this often while a stroke is drawn

const $ = (id) => document.getElementById(id);
const canvas = $("canvas"), pad = $("pad"), hint = $("hint");
const result = document.querySelector("section.result");
const state = {
  strokes: [],     // each a list of [x, y] in [0, 1], so any canvas size redraws them
  current: null,   // the stroke being drawn
  upload: null,    // a picture file chosen or dropped (instead of strokes)
  preview: null,   // its ImageBitmap, when the browser could decode it
  model: null,     // the chosen model's name
  epoch: 0,        // bumped by clear, undo, upload, model change: older answers are dropped
  timer: null, busy: false, again: false,
};

// ---------------------------------------------------------------- drawing

function paint(ctx, side) {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, side, side);
  if (state.preview) {
    const b = state.preview, k = Math.min(side / b.width, side / b.height);
    const w = b.width * k, h = b.height * k;
    ctx.drawImage(b, (side - w) / 2, (side - h) / 2, w, h);
    return;
  }
  ctx.strokeStyle = ctx.fillStyle = "#000";
  ctx.lineWidth = PEN * side;
  ctx.lineCap = ctx.lineJoin = "round";
  for (const s of state.strokes) {
    ctx.beginPath();
    if (s.length === 1) {  // a dot
      ctx.arc(s[0][0] * side, s[0][1] * side, PEN * side / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(s[0][0] * side, s[0][1] * side);
    for (const [x, y] of s.slice(1)) ctx.lineTo(x * side, y * side);
    ctx.stroke();
  }
}

function redraw() {
  paint(canvas.getContext("2d"), canvas.width);
  const empty = !state.strokes.length && !state.upload;
  hint.hidden = !empty;
  $("clear").disabled = empty;
  $("undo").disabled = !state.strokes.length;
}

function fitCanvas() {
  const side = Math.max(1, Math.round(canvas.getBoundingClientRect().width *
                                      (window.devicePixelRatio || 1)));
  if (canvas.width !== side) { canvas.width = canvas.height = side; redraw(); }
}

function point(e) {
  const r = canvas.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((e.clientX - r.left) / r.width), clamp((e.clientY - r.top) / r.height)];
}

canvas.addEventListener("pointerdown", (e) => {
  if (e.pointerType === "mouse" && e.button !== 0) return;
  e.preventDefault();
  if (state.upload) forgetUpload();
  canvas.setPointerCapture(e.pointerId);
  state.current = [point(e)];
  state.strokes.push(state.current);
  redraw();
  predictSoon(THROTTLE_MS);
});
canvas.addEventListener("pointermove", (e) => {
  if (!state.current) return;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  for (const c of events.length ? events : [e]) state.current.push(point(c));
  redraw();
  predictSoon(THROTTLE_MS);
});
function endStroke() {
  if (!state.current) return;
  state.current = null;
  predictSoon(0, true);
}
canvas.addEventListener("pointerup", endStroke);
canvas.addEventListener("pointercancel", endStroke);

// ---------------------------------------------------------------- the buttons and keys

function clearAll() {
  state.strokes = [];
  forgetUpload();
  state.epoch++;
  redraw();
  showNothing();
}
function undo() {
  if (!state.strokes.length) return;
  state.strokes.pop();
  state.epoch++;
  redraw();
  if (state.strokes.length) predictSoon(0, true); else showNothing();
}
$("clear").addEventListener("click", clearAll);
$("undo").addEventListener("click", undo);
document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); }
  if (e.key === "Escape" || (e.target === canvas && e.key === "Delete")) clearAll();
});

// ---------------------------------------------------------------- a picture file

function forgetUpload() { state.upload = null; state.preview = null; }

async function useFile(file) {
  if (!file) return;
  busy(true);  // now, not after the picture is decoded: a reader waiting on it must wait
  state.strokes = [];
  state.upload = file;
  state.epoch++;
  try { state.preview = await createImageBitmap(file); } catch { state.preview = null; }
  redraw();
  predictSoon(0, true);
}
$("file").addEventListener("change", (e) => { useFile(e.target.files[0]); e.target.value = ""; });
for (const kind of ["dragover", "drop"]) {  // a file dropped beside the pad must not navigate
  document.addEventListener(kind, (e) => e.preventDefault());
}
pad.addEventListener("dragover", () => pad.classList.add("dragging"));
pad.addEventListener("dragleave", () => pad.classList.remove("dragging"));
pad.addEventListener("drop", (e) => {
  pad.classList.remove("dragging");
  useFile(e.dataTransfer && e.dataTransfer.files[0]);
});

// ---------------------------------------------------------------- asking the server

function predictSoon(delay, now = false) {
  if (now) { clearTimeout(state.timer); state.timer = null; }
  busy(true);
  if (state.timer !== null) return;  // one is already due: throttled, not postponed
  state.timer = setTimeout(() => { state.timer = null; predict(); }, delay);
}

// the result is marked busy while a prediction is due or on its way (tests wait on it)
function busy(on) { result.setAttribute("aria-busy", on ? "true" : "false"); }

function picture() {
  if (state.upload) return Promise.resolve(state.upload);
  if (!state.strokes.length) return Promise.resolve(null);
  const c = document.createElement("canvas");
  c.width = c.height = SEND_SIDE;
  paint(c.getContext("2d"), SEND_SIDE);
  return new Promise((done) => c.toBlob(done, "image/png"));
}

async function predict() {
  if (state.busy) { state.again = true; return; }  // one request at a time, then the latest
  state.busy = true;
  const epoch = state.epoch;
  try {
    const body = await picture();
    if (!body) return;
    const query = state.model ? "?model=" + encodeURIComponent(state.model) : "";
    const r = await fetch("/api/predict" + query, {
      method: "POST", body, headers: { "Content-Type": body.type || "application/octet-stream" },
    });
    const answer = await r.json().catch(() => ({ error: `the server answered ${r.status}` }));
    if (epoch === state.epoch) {
      if (r.ok) show(answer); else showError(answer.error || `the server answered ${r.status}`);
    }
  } catch (err) {
    if (epoch === state.epoch) showError("cannot reach the server: " + err.message);
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; predict(); }
    else if (state.timer === null) busy(false);
  }
}

// ---------------------------------------------------------------- showing the answer

const bars = [];
for (let d = 0; d < 10; d++) {
  const li = document.createElement("li");
  li.innerHTML = `<span class="label">${d}</span><span class="track"><span class="fill">` +
                 `</span></span><span class="pct">–</span>`;
  li.dataset.digit = d;
  $("bars").append(li);
  bars.push(li);
}

function show(a) {
  $("error").hidden = true;
  $("digit").textContent = a.digit;
  $("digit").dataset.digit = a.digit;
  $("confidence").textContent = `${(100 * a.probabilities[a.digit]).toFixed(1)}% sure`;
  a.probabilities.forEach((p, d) => {
    const li = bars[d];
    li.dataset.p = p;
    li.classList.toggle("best", d === a.digit);
    li.querySelector(".fill").style.width = `${100 * p}%`;
    li.querySelector(".pct").textContent = `${(100 * p).toFixed(1)}%`;
    li.setAttribute("aria-label", `${d}: ${(100 * p).toFixed(1)} percent`);
  });
  drawView(a.view);
  const t = a.timing;
  $("timing").textContent = `${a.model}: ${t.total_ms.toFixed(1)} ms on the server ` +
    `(preprocessing ${t.preprocess_ms.toFixed(1)}, model ${t.predict_ms.toFixed(1)})`;
}

function drawView(rows) {
  const ctx = $("view").getContext("2d"), img = ctx.createImageData(28, 28);
  rows.flat().forEach((v, i) => { img.data.set([v, v, v, 255], 4 * i); });
  ctx.putImageData(img, 0, 0);
}

function showNothing() {
  $("error").hidden = true;
  $("digit").textContent = "–";
  delete $("digit").dataset.digit;
  $("confidence").textContent = $("timing").textContent = "";
  for (const li of bars) {
    delete li.dataset.p;
    li.classList.remove("best");
    li.querySelector(".fill").style.width = "0";
    li.querySelector(".pct").textContent = "–";
    li.removeAttribute("aria-label");
  }
  const v = $("view").getContext("2d");
  v.fillStyle = "#000";
  v.fillRect(0, 0, 28, 28);
}

function showError(message) {
  showNothing();
  $("error").textContent = message;
  $("error").hidden = false;
}

// ---------------------------------------------------------------- the models

async function loadModels() {
  try {
    const r = await fetch("/api/models");
    const { default: first, models } = await r.json();
    const select = $("model");
    for (const m of models) select.append(new Option(m.name, m.name, false, m.name === first));
    const describe = () => {
      const m = models.find((x) => x.name === select.value);
      state.model = m.name;
      const acc = m.test_accuracy === null ? "test accuracy not saved"
        : `${(100 * m.test_accuracy).toFixed(2)}% on MNIST test`;
      $("model-info").textContent = `${m.arch}, ${acc}, ${m.params.toLocaleString("en")} weights`;
    };
    select.addEventListener("change", () => { describe(); state.epoch++; predictSoon(0, true); });
    describe();
    if (models.length < 2) {  // nothing to choose: say which model reads, without a picker
      select.hidden = true;
      document.querySelector('label[for="model"]').hidden = true;
    }
  } catch (err) {
    showError("cannot list the models: " + err.message);
  }
}

new ResizeObserver(fitCanvas).observe(pad);
fitCanvas();
showNothing();
redraw();
loadModels();
