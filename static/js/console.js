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
  if (old) old.replaceWith(fresh);
  else list.prepend(fresh);
}

const live = new Live(root, {
  insert(note) {
    redraw(note.seq);
  },
  update(note) {
    redraw(note.seq);
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
  const payload = { event: root.dataset.event, action: form.dataset.roundAction, minutes: minutes ? Number(minutes.value) : null };
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

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) return;
  const key = event.key.toLowerCase();
  let form = null;
  if (KEYS[key]) form = root.querySelector(`form[data-round-action="${KEYS[key]}"]`);
  if (EXTEND[event.key]) {
    form = [...root.querySelectorAll('form[data-round-action="extend"]')]
      .find((f) => f.querySelector("input[name=minutes]").value === EXTEND[event.key]);
  }
  if (!form) return;
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
