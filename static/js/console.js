// Console face: round controls over the socket (forms are the fallback), shortcuts, activity and notes.
import { Live, noteElement } from "./live.js";

const root = document.querySelector("[data-live]");
const list = root.querySelector("[data-notes]");
const status = root.querySelector("[data-console-status]");
const KEYS = { s: "start", p: "pause", r: "resume", e: "end", n: "next", k: "skip" };
const EXTEND = { "+": "1", "5": "5", "-": "-1" };

const live = new Live(root, {
  insert(note) {
    list.prepend(noteElement(note.html));
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
