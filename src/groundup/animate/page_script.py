"""The page's own style and JavaScript (inline in the page: it loads nothing from anywhere).

The script reads the scenes from the page's JSON (`#matmul-data`, written by page.py) and
draws a scene's boxes as SVG exactly where frames.py draws them in the GIF. Step, play,
pause and the speed change only which frame is shown; B slides by a CSS transition.
"""

STYLE = """
body { font-family: system-ui, sans-serif; color: #212529; margin: 1.5rem; max-width: 72rem; }
h1 { font-size: 1.3rem; margin: 0 0 .8rem; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.controls button { font-size: 1rem; padding: .25rem .7rem; min-width: 5.5rem; }
#title { font: bold 15px monospace; min-height: 2.6em; margin: .9rem 0 .3rem; }
#stage { display: block; }
#stage text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
#stage .label { fill: #868e96; font-size: 15px; }
#stage .heading { fill: #212529; font-size: 20px; font-weight: bold; }
#stage .cell text { font-size: 17px; }
#slide, #slide > g { transition: transform .45s ease, opacity .3s; }
.gone { opacity: 0; }
#lines { font: 15px "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre;
         line-height: 21px; margin-top: .4rem; }
#lines .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 8px;
                 border: 1px solid #868e96; vertical-align: -1px; }
#lines .plain { display: inline-block; width: 22px; }
form.editor { margin-top: 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; }
form.editor textarea { font-family: monospace; width: 14rem; height: 6rem; }
"""

SCRIPT = r"""
(() => {
  "use strict";
  const DATA = JSON.parse(document.getElementById("matmul-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const stage = $("stage"), title = $("title"), lines = $("lines"), counter = $("counter");
  const play = $("play"), speed = $("speed"), choose = $("view");
  let scene = null, frame = 0, timer = null, boxes = {};

  function el(tag, attrs, parent) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function fill(colour) {
    if (colour === null || colour === undefined) return "white";
    return colour === DATA.neutral ? DATA.neutral_fill : DATA.palette[colour];
  }

  function build(name) {
    scene = DATA.views[name];
    const cw = scene.cell_w, ch = DATA.cell_h, m = DATA.margin;
    stage.replaceChildren();
    stage.setAttribute("width", scene.width * cw + 2 * m);
    stage.setAttribute("height", scene.height * ch + 2);
    const still = el("g", {}, stage), slide = el("g", {id: "slide"}, stage);
    boxes = {};
    for (const [id, role, x, y, text, w, moves, textFrom, align] of scene.boxes) {
      const g = el("g", {"class": role === "label" ? "label-box" : "cell " + role,
                         "data-id": id}, moves ? slide : still);
      const x0 = m + x * cw, y0 = 1 + y * ch, x1 = x0 + w * cw;
      let rect = null, label;
      if (role === "label") {
        const heading = text.length === 1;
        const at = {left: [x0, "start"], right: [x1, "end"], center: [(x0 + x1) / 2, "middle"]};
        label = el("text", {x: at[align][0], y: y0 + ch / 2, "text-anchor": at[align][1],
                            "dominant-baseline": "central",
                            "class": heading ? "heading" : "label"}, g);
      } else {
        rect = el("rect", {x: x0, y: y0, width: w * cw, height: ch}, g);
        label = el("text", {x: (x0 + x1) / 2, y: y0 + ch / 2, "text-anchor": "middle",
                            "dominant-baseline": "central"}, g);
      }
      label.textContent = text;
      boxes[id] = {g, rect, label, role, y, moves, textFrom};
    }
    frame = Math.min(frame, scene.frames.length - 1);
    show(frame);
  }

  function show(f) {
    frame = f;
    const fr = scene.frames[f], lit = new Map(fr.lit);
    $("slide").style.transform = `translate(0px, ${fr.b_dy * DATA.cell_h}px)`;
    for (const [id, b] of Object.entries(boxes)) {
      const gone = b.moves && scene.hide_below !== null && b.y + fr.b_dy >= scene.hide_below;
      b.g.classList.toggle("gone", gone);
      if (!b.rect) continue;
      const on = lit.has(id), shown = f >= b.textFrom;
      let colour = fill(lit.get(id));
      if (!on && b.role === "c" && shown) colour = DATA.done_fill;
      b.rect.setAttribute("fill", colour);
      b.rect.setAttribute("stroke", on ? "#212529" : "#adb5bd");
      b.rect.setAttribute("stroke-width", on ? 2 : 1);
      b.label.setAttribute("visibility", shown ? "visible" : "hidden");
      b.g.dataset.shown = shown ? "1" : "0";
      b.g.dataset.lit = on ? String(lit.get(id)) : "";
    }
    title.textContent = fr.title;
    lines.replaceChildren();
    for (const [text, colour] of fr.lines) {
      const div = document.createElement("div"), mark = document.createElement("span");
      mark.className = colour === null ? "plain" : "swatch";
      if (colour !== null) mark.style.background = fill(colour);
      div.append(mark, text);
      lines.appendChild(div);
    }
    counter.textContent = `step ${f} of ${scene.frames.length - 1}`;
    counter.dataset.frame = String(f);
  }

  function pause() {
    clearTimeout(timer);
    timer = null;
    play.textContent = "\u25B6 play";
  }

  function tick() {
    show(frame + 1);
    if (frame >= scene.frames.length - 1) pause();  // the end: C is complete
    else timer = setTimeout(tick, DATA.frame_ms[choose.value] / Number(speed.value));
  }

  function toggle() {
    if (timer !== null) { pause(); return; }
    if (frame >= scene.frames.length - 1) show(0);
    play.textContent = "\u275A\u275A pause";
    timer = setTimeout(tick, DATA.frame_ms[choose.value] / Number(speed.value));
  }

  function step(by) {
    pause();
    show(Math.max(0, Math.min(scene.frames.length - 1, frame + by)));
  }

  play.addEventListener("click", toggle);
  $("next").addEventListener("click", () => step(1));
  $("prev").addEventListener("click", () => step(-1));
  $("first").addEventListener("click", () => step(-frame));
  speed.addEventListener("input", () => { $("speed-value").textContent = speed.value + "\u00D7"; });
  choose.addEventListener("change", () => { pause(); frame = 0; build(choose.value); });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("textarea, input, select")) return;
    if (e.key === "ArrowRight") step(1);
    else if (e.key === "ArrowLeft") step(-1);
    else if (e.key === " ") { e.preventDefault(); toggle(); }
  });
  choose.value = DATA.start;
  build(DATA.start);
})();
"""
