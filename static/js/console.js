// Console face: round controls over the socket (forms are the fallback), shortcuts, activity and notes.
import { Live, noteElement, refresh } from "./live.js";

const root = document.querySelector("[data-live]");
const list = root.querySelector("[data-notes]");
const status = root.querySelector("[data-console-status]");
const KEYS = { s: "start", p: "pause", r: "resume", e: "end", n: "next", k: "skip" };
const EXTEND = { "+": "1", "5": "5", "-": "-1" };

async function redraw(seq) {
  // The console shows every state, with its moderation controls: fetch the note's console fragment.
  const url = list.dataset.noteUrl.replace(/\/0$/, `/${seq}`);
  const response = await fetch(url, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const fresh = noteElement(await response.text());
  const old = document.getElementById(`console-note-${seq}`);
  if (!old) {
    list.prepend(fresh);
    return;
  }
  // What the facilitator is doing with the note survives its redraw: its tick, and an edit being written (with the
  // version it started from, so that saving over someone else's change is refused with their text shown).
  fresh.querySelector('input[name="notes"]').checked = old.querySelector('input[name="notes"]').checked;
  const editing = old.querySelector("details[open]");
  if (editing) fresh.querySelector("details").replaceWith(editing);
  old.replaceWith(fresh);
}

const live = new Live(root, {
  insert(note) {
    redraw(note.seq);
  },
  update(note) {
    redraw(note.seq);
  },
  clock(clock, initial, changed) {
    // The forms (used while the socket is down) act on the clock this screen shows, as the socket's controls do.
    if (clock.version) root.querySelectorAll("form[data-round-action] input[name=clock]").forEach((i) => (i.value = clock.version));
    // A round started, paused or ended: its line in the list of rounds says so.
    const rounds = root.querySelector("[data-rounds]");
    if (changed && !initial && rounds) refresh(root, "[data-rounds]", rounds.dataset.roundsUrl);
  },
  visibility(data) {
    // A round hidden or revealed (every held note, when no round is named): its notes stay here, their flag changes.
    const notes = data.round == null ? list.querySelectorAll("[data-held] .note")
      : list.querySelectorAll(`.note[data-round="${CSS.escape(String(data.round))}"]`);
    notes.forEach((li) => redraw(li.dataset.seq));
  },
  themes() {
    refresh(root, "[data-themes]", `${location.pathname}/themes`);
  },
  activity(tables) {
    tables.forEach((row) => {
      const line = root.querySelector(`[data-activity-table="${row.table}"]`);
      if (!line) return;
      line.querySelector("[data-activity-notes]").textContent = row.notes;
      line.querySelector("[data-activity-phones]").textContent = row.phones;
    });
  },
  connection(isConnected, message) {
    status.textContent = isConnected ? "" : message || "Reconnecting…";
  },
}).connect();
// A handle for the browser's developer tools (and the browser tests) to look at the live state.
window.cafe = live;

function control(form) {
  if (!live.socket || !live.socket.connected) return false;
  const minutes = form.querySelector("input[name=minutes]");
  const payload = { event: root.dataset.event, action: form.dataset.roundAction, minutes: minutes ? Number(minutes.value) : null,
    clock: live.clock ? live.clock.version ?? null : null };
  live.socket.emit("round.control", payload, (reply) => {
    status.textContent = reply.ok ? "" : reply.error;
  });
  return true;
}

root.querySelectorAll("form[data-round-action]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (control(form)) event.preventDefault();
  });
});

const ACTIVITY_KEYS = { b: "cafe", q: "questions" };

// Polls and questions: the section is fetched again when answers, questions or the launched activity change, at
// most once a second, and not while the facilitator is typing in it (it is fetched once they leave it).
const activities = root.querySelector("[data-activities]");
let activitiesDue = false;
let activitiesTimer = null;
function refreshActivities() {
  activitiesDue = true;
  if (activitiesTimer) return;
  activitiesTimer = setTimeout(async () => {
    activitiesTimer = null;
    const section = root.querySelector("[data-activities]");
    if (section.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
      section.addEventListener("focusout", refreshActivities, { once: true });
      return;
    }
    if (!activitiesDue) return;
    activitiesDue = false;
    const open = [...section.querySelectorAll("details")].map((d) => d.open);
    await refresh(root, "[data-activities]", section.dataset.activitiesUrl);
    root.querySelectorAll("[data-activities] details").forEach((d, i) => { if (open[i]) d.open = true; });
  }, 1000);
}
// Results arrive as messages carrying their partial: they are put in place, never fetched.
function showResults(data) {
  const old = root.querySelector(`[data-console-poll="${data.poll}"] [data-results]`);
  if (old) old.replaceWith(noteElement(data.html));
  const count = root.querySelector(`[data-console-poll="${data.poll}"] [data-console-count]`);
  if (count) count.textContent = data.results.responses;
}
if (activities && live.socket) {
  ["activities.changed", "activity.changed", "question.changed"].forEach((name) => live.socket.on(name, refreshActivities));
  live.socket.on("poll.results", showResults);
  live.socket.on("poll.revealed", (data) => { showResults(data); refreshActivities(); });
}

// Single-key shortcuts can be turned off (a stray key would change the round on every screen); the choice is kept.
const shortcuts = root.querySelector("[data-shortcuts]");
const shortcutBox = shortcuts.querySelector("input");
shortcutBox.checked = localStorage.getItem("cafe.shortcuts") !== "off";
shortcutBox.addEventListener("change", () => localStorage.setItem("cafe.shortcuts", shortcutBox.checked ? "on" : "off"));
shortcuts.hidden = false;

document.addEventListener("keydown", (event) => {
  if (!shortcutBox.checked || event.ctrlKey || event.metaKey || event.altKey) return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) return;
  const key = event.key.toLowerCase();
  let form = null;
  if (KEYS[key]) form = root.querySelector(`form[data-round-action="${KEYS[key]}"]`);
  if (EXTEND[event.key]) {
    form = [...root.querySelectorAll('form[data-round-action="extend"]')]
      .find((f) => f.querySelector("input[name=minutes]").value === EXTEND[event.key]);
  }
  // B back to the café board, Q the questions, L the next poll.
  if (ACTIVITY_KEYS[key]) form = root.querySelector(`form[data-activity-control="${ACTIVITY_KEYS[key]}"]`);
  if (key === "l") form = root.querySelector("button[data-next-poll]")?.form || null;
  if (!form || form.querySelector("button:disabled")) return;
  event.preventDefault();
  form.requestSubmit();
});

// Drag a note onto a theme to put it there (the tick boxes and the select do the same without a mouse).
root.addEventListener("dragstart", (event) => {
  const note = event.target.closest("[data-console-note]");
  if (note) event.dataTransfer.setData("text/plain", note.dataset.consoleNote);
});
root.addEventListener("dragover", (event) => {
  if (event.target.closest("[data-theme-drop]")) event.preventDefault();
});
root.addEventListener("drop", async (event) => {
  const box = event.target.closest("[data-theme-drop]");
  const seq = event.dataTransfer.getData("text/plain");
  if (!box || !seq) return;
  event.preventDefault();
  const body = new FormData();
  body.set("csrf_token", root.querySelector("input[name=csrf_token]").value);
  body.set("theme", box.dataset.themeDrop);
  body.append("notes", seq);
  const response = await fetch(box.dataset.assignUrl, { method: "POST", body });
  status.textContent = response.ok ? "" : "Could not move the note into the theme.";
  redraw(seq);
});

// Exports: Prepare posts in the background and says "Preparing…"; export.ready (from any server process or
// worker) puts the download link in place, export.failed says why. Without a live socket the form posts as usual.
const exportRows = root.querySelector("[data-exports]");

function exportStatus(name) {
  const row = exportRows && [...exportRows.querySelectorAll("[data-export]")].find((r) => r.dataset.export === name);
  return row ? row.querySelector("[data-export-status]") : null;
}

function showExport(data) {
  const place = exportStatus(data.name);
  if (!place || data.event !== root.dataset.event) return;
  const link = document.createElement("a");
  link.href = data.url;
  link.setAttribute("download", "");
  link.textContent = `Download ${data.label}`;
  const facts = document.createElement("span");
  facts.className = "hint";
  facts.textContent = ` made ${data.made_at.slice(11, 16)} UTC, ${(data.size / 1024).toFixed(1)} KB`;
  place.replaceChildren(link, facts);
}

function showExportFailure(data) {
  const place = exportStatus(data.name);
  if (!place || data.event !== root.dataset.event) return;
  const message = document.createElement("span");
  message.className = "error";
  message.textContent = data.message;
  place.replaceChildren(message);
}

if (exportRows && live.socket) {
  live.socket.on("export.ready", showExport);
  live.socket.on("export.failed", showExportFailure);
  exportRows.querySelectorAll("form[data-export-prepare]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (!live.socket.connected) return;
      event.preventDefault();
      const place = form.closest("[data-export]").querySelector("[data-export-status]");
      place.textContent = "Preparing…";
      try {
        const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
        if (!response.ok) {
          const reply = await response.json().catch(() => null);
          place.textContent = reply && reply.error ? reply.error.message : "Could not start preparing this export.";
        }
      } catch {
        place.textContent = "Could not reach the server; try again.";
      }
    });
  });
}
