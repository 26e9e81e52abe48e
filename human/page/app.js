// rose human: the answering page and the review page. Plain JavaScript, no dependencies.
// The page never writes the answer grammar: the server composes it with the project's formatter.
"use strict";

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (_) { data = { error: "the server sent no JSON" }; }
  return { ok: response.ok, status: response.status, data };
}

// ------------------------------------------------------------------ grid geometry
// The image is exactly cols*cell_size x rows*cell_size pixels; the browser may show it scaled.
function cellAt(img, item, clientX, clientY) {
  const rect = img.getBoundingClientRect();
  const scaleX = rect.width / (item.cols * item.cell_size);
  const scaleY = rect.height / (item.rows * item.cell_size);
  const x = (clientX - rect.left) / scaleX;
  const y = (clientY - rect.top) / scaleY;
  const col = Math.floor(x / item.cell_size) + 1;
  const row = Math.floor(y / item.cell_size) + 1;
  if (row < 1 || row > item.rows || col < 1 || col > item.cols) return null;
  return [row, col];
}

// Show the image as large as the window allows (up to 2x, so small grids are easy to click);
// the overlay and the click mapping work in fractions of the rendered box, so any scale is exact.
function fitImage(img, item) {
  const width = item.cols * item.cell_size;
  const height = item.rows * item.cell_size;
  const room = Math.min(0.62 * window.innerWidth, 900);
  const scale = Math.min(room / width, (window.innerHeight - 110) / height, 2);
  img.style.width = `${Math.floor(width * scale)}px`;
  img.style.height = `${Math.floor(height * scale)}px`;
}

// The one stage of both modes: the item's image, sized to the window, and its marks (cleared).
let staged = null;

function stageItem(item) {
  staged = item;
  const stage = $("stage");
  stage.dataset.itemId = item.item_id;
  stage.dataset.rows = item.rows;
  stage.dataset.cols = item.cols;
  stage.dataset.cellSize = item.cell_size;
  drawMarks($("marks"), item, []);
  const img = $("item-image");
  fitImage(img, item);
  img.onload = () => { img.dataset.loaded = item.item_id; };
  img.src = item.image_url;
}

// One view at a time: "answer" or "review" (the stage and that mode's panel), or "done".
function showView(name) {
  $("work-view").hidden = name === "done";
  $("answer-view").hidden = name !== "answer";
  $("review-view").hidden = name !== "review";
  $("done-view").hidden = name !== "done";
}

function drawMarks(layer, item, groups) {
  layer.textContent = "";
  for (const [cls, cells] of groups) {
    for (const [row, col] of cells) {
      const mark = document.createElement("div");
      mark.className = "mark " + cls;
      mark.dataset.cell = `R${row},C${col}`;
      mark.style.left = `${(100 * (col - 1)) / item.cols}%`;
      mark.style.top = `${(100 * (row - 1)) / item.rows}%`;
      mark.style.width = `${100 / item.cols}%`;
      mark.style.height = `${100 / item.rows}%`;
      layer.appendChild(mark);
    }
  }
}

// ------------------------------------------------------------------ answering
const answering = {
  item: null,
  cells: [],      // selected cells in click order: [[row, col], ...]
  history: [],    // snapshots for undo: {cells, count}
  lastCount: "",
  textMode: false,
  previewSeq: 0,
  busy: false,
};

function snapshot() { return { cells: answering.cells.map((c) => c.slice()), count: $("count").value }; }
function remember() { answering.history.push(snapshot()); }

function countApplies() { return answering.item && answering.item.task_mode !== "CLICK"; }

function answerBody() {
  const body = { item_id: answering.item.item_id };
  if (answering.textMode) { body.raw_text = $("raw-text").value; return body; }
  body.cells = answering.cells;
  const count = $("count").value.trim();
  if (countApplies() && count !== "") body.count = Number(count);
  return body;
}

function setMessage(text) { $("message").textContent = text || ""; }

async function updatePreview() {
  if (!answering.item) return;
  const seq = ++answering.previewSeq;
  const body = answerBody();
  if (body.count !== undefined && !Number.isInteger(body.count)) {
    $("preview-text").textContent = "";
    $("preview-status").textContent = "the count must be a whole number";
    $("preview-status").className = "invalid";
    return;
  }
  const reply = await api("POST", "/api/preview", body);
  if (seq !== answering.previewSeq) return; // a newer edit is on its way
  const status = $("preview-status");
  if (!reply.ok) {
    $("preview-text").textContent = "";
    status.textContent = reply.data.error;
    status.className = "invalid";
  } else {
    $("preview-text").textContent = reply.data.raw_text;
    status.textContent = reply.data.format_valid ? "valid answer format" : `not valid: ${reply.data.parse_error}`;
    status.className = reply.data.format_valid ? "valid" : "invalid";
  }
  $("preview-text").dataset.seq = String(seq);
  document.body.dataset.state = "ready";
}

function changed() {
  drawMarks($("marks"), answering.item, [["selected", answering.cells]]);
  answering.lastCount = $("count").value;
  document.body.dataset.state = "editing";
  updatePreview();
}

function toggle(cell) {
  remember();
  const i = answering.cells.findIndex(([r, c]) => r === cell[0] && c === cell[1]);
  if (i >= 0) answering.cells.splice(i, 1); else answering.cells.push(cell);
  changed();
}

function undo() {
  const previous = answering.history.pop();
  if (!previous) return;
  answering.cells = previous.cells;
  $("count").value = previous.count;
  changed();
}

function clearAll() {
  if (!answering.cells.length && $("count").value === "" && $("raw-text").value === "") return;
  remember();
  answering.cells = [];
  $("count").value = "";
  $("raw-text").value = "";
  changed();
}

function setTextMode(on) {
  answering.textMode = on;
  $("tab-cells").setAttribute("aria-selected", String(!on));
  $("tab-text").setAttribute("aria-selected", String(on));
  $("cells-mode").hidden = on;
  $("text-mode").hidden = !on;
  if (on) $("raw-text").focus(); else $("raw-text").blur();
  updatePreview();
}

function showItem(state) {
  const item = state.item;
  // a new item starts with no field focused, so digits and Backspace act as shortcuts
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  answering.item = item;
  answering.cells = [];
  answering.history = [];
  $("count").value = "";
  answering.lastCount = "";
  $("raw-text").value = "";
  $("progress").textContent = `${state.annotator} · item ${item.position} of ${item.total} · ${state.answered} answered`;
  $("prompt-global").textContent = item.prompt_global;
  $("prompt-local").textContent = item.prompt_local;
  $("count-row").hidden = !countApplies();
  $("cells-hint").textContent = {
    COUNT: "Type the count. You may click cells to mark them: an empty count field counts the marks.",
    CLICK: "Click every cell of the answer; click again to unselect.",
    CLICK_COUNT: "Click every cell of the answer, then type the number to submit (empty = number of clicked cells).",
  }[item.task_mode] || "";
  stageItem(item);
  $("submit").disabled = false;
  updatePreview();
}

async function loadState() {
  const reply = await api("GET", "/api/state");
  if (!reply.ok) { setMessage(reply.data.error); return; }
  const state = reply.data;
  if (state.mode === "review") { startReview(state); return; }
  if (state.done) {
    showView("done");
    $("progress").textContent = `${state.annotator} · ${state.answered} of ${state.total} answered`;
    $("done-text").textContent = `${state.annotator} answered all ${state.total} items of this run.`;
    document.body.dataset.state = "done";
    return;
  }
  showView("answer");
  showItem(state);
}

async function submit() {
  if (!answering.item || answering.busy) return;
  answering.busy = true;
  $("submit").disabled = true;
  document.body.dataset.state = "submitting";
  const reply = await api("POST", "/api/answer", answerBody());
  answering.busy = false;
  if (reply.ok) { setMessage(""); await loadState(); return; }
  $("submit").disabled = false;
  document.body.dataset.state = "ready";
  if (reply.status === 409) {
    setMessage(`${reply.data.error} (another tab recorded it)`);
    await loadState();
  } else {
    setMessage(reply.data.error);
  }
}

function isTyping(target) {
  return target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "button"));
}

function onKey(event) {
  if ($("answer-view").hidden) return;
  const typing = isTyping(event.target);
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); return; }
  if (typing || answering.textMode) return;
  if (/^[0-9]$/.test(event.key) && countApplies()) {
    event.preventDefault();
    remember();
    $("count").value = $("count").value + event.key;
    changed();
  } else if (event.key === "Backspace") {
    event.preventDefault();
    undo();
  } else if (event.key === "Escape") {
    clearAll();
  }
}

function startAnswering() {
  $("item-image").addEventListener("click", (event) => {
    if (answering.textMode || !answering.item) return;
    const cell = cellAt(event.currentTarget, answering.item, event.clientX, event.clientY);
    if (cell) toggle(cell);
  });
  $("count").addEventListener("input", () => {
    answering.history.push({ cells: answering.cells.map((c) => c.slice()), count: answering.lastCount });
    changed();
  });
  $("raw-text").addEventListener("input", () => updatePreview());
  $("undo").addEventListener("click", undo);
  $("clear").addEventListener("click", clearAll);
  $("submit").addEventListener("click", submit);
  $("tab-cells").addEventListener("click", () => setTextMode(false));
  $("tab-text").addEventListener("click", () => setTextMode(true));
  document.addEventListener("keydown", onKey);
}

// ------------------------------------------------------------------ review
const reviewing = { position: 1, total: 0 };

function fact(list, name, value, failed) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value === null || value === undefined ? "—" : String(value);
  if (failed) dd.className = "fail";
  list.append(dt, dd);
}

async function showReview(position) {
  const reply = await api("GET", `/api/review/${position}`);
  if (!reply.ok) { $("review-facts").textContent = reply.data.error; return; }
  const item = reply.data;
  reviewing.position = position;
  $("progress").textContent = `review · item ${position} of ${reviewing.total}`;
  stageItem(item);
  drawMarks($("marks"), item, [["region", item.region_cells], ["target", item.target_cells],
    ["answer", item.answer_cells], ["solver", item.solver.cells]]);
  const facts = $("review-facts");
  facts.textContent = "";
  fact(facts, "item", item.item_id);
  fact(facts, "subset", item.rose_subset);
  fact(facts, "template", item.task_template);
  fact(facts, "region", `${item.region_type} ${item.region_params}`);
  fact(facts, "cue", item.cue_type);
  fact(facts, "difficulty", item.difficulty);
  fact(facts, "grid", `${item.rows} × ${item.cols} @ ${item.cell_size}px`);
  fact(facts, "answer", item.ground_truth_formal_answer);
  fact(facts, "solver", item.solver.answer || item.solver.error, !item.solver.pass);
  fact(facts, "solver PASS", item.solver.pass ? "yes" : "no", !item.solver.pass);
  $("review-prompt").textContent = item.prompt_local;
  $("prev").disabled = position <= 1;
  $("next").disabled = position >= reviewing.total;
  document.body.dataset.state = "ready";
}

function startReview(state) {
  reviewing.total = state.total;
  $("mode-title").textContent = "item review";
  showView("review");
  $("prev").addEventListener("click", () => showReview(Math.max(1, reviewing.position - 1)));
  $("next").addEventListener("click", () => showReview(Math.min(reviewing.total, reviewing.position + 1)));
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft" && reviewing.position > 1) showReview(reviewing.position - 1);
    if (event.key === "ArrowRight" && reviewing.position < reviewing.total) showReview(reviewing.position + 1);
  });
  const wanted = Number(new URLSearchParams(location.search).get("item") || "1");
  showReview(Number.isInteger(wanted) && wanted >= 1 && wanted <= state.total ? wanted : 1);
}

window.addEventListener("resize", () => {
  if (staged && !$("work-view").hidden) fitImage($("item-image"), staged);
});

startAnswering();
loadState();
