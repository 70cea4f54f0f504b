// Phone face: post notes without a reload, show each note's state, count characters, keep the name.
import { Live, noteElement, placeNewestFirst, refresh } from "./live.js";
import { followActivity } from "./activity.js";

const root = document.querySelector("[data-live]");
const form = root.querySelector("[data-post-form]");
const list = root.querySelector("[data-notes]");
const status = root.querySelector("[data-post-status]");
const text = form.querySelector("textarea[name=text]");
const author = form.querySelector("input[name=author]");
const counter = root.querySelector("[data-counter]");
const button = root.querySelector("[data-post-button]");
const NAME_KEY = "cafe.author";

function newClientId() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_.:-]/g, "");
}

function place(element) {
  const empty = root.querySelector("[data-empty]");
  if (empty) empty.remove();
  placeNewestFirst(list, element);
}

function markState(element, state, label) {
  element.classList.remove("waiting", "sending", "stored");
  element.classList.add(state);
  element.querySelector(".note-state").textContent = label;
}

const live = new Live(root, {
  insert(note) {
    const mine = list.querySelector(`[data-client-id="${CSS.escape(note.client_id)}"].mine`);
    const element = noteElement(note.html);
    if (mine) {
      element.classList.add("mine", "stored");
      element.insertAdjacentHTML("beforeend", '<span class="note-state">stored</span>');
      mine.replaceWith(element);
    } else {
      place(element);
    }
  },
  clock(clock) {
    // The server says why posting is closed (waiting, moving, closed by the facilitator, over); null while open.
    const closed = clock.posting_closed || "";
    button.disabled = Boolean(closed);
    if (closed || status.dataset.closed) status.textContent = closed;
    status.dataset.closed = closed;
  },
  warning() {
    if (navigator.vibrate) navigator.vibrate(200);
  },
  timeUp() {
    if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
  },
  phase: refreshNextSeat,
  plan: refreshNextSeat,
}).connect();

function refreshNextSeat() {
  refresh(root, "[data-next-seat-box]", root.dataset.nextSeatUrl);
}
// A handle for the browser's developer tools (and the browser tests) to look at the live state.
window.cafe = live;
followActivity(live);

author.value = localStorage.getItem(NAME_KEY) ?? author.value;

function updateCounter() {
  const left = 280 - text.value.length;
  counter.textContent = `${left} characters left`;
  counter.classList.toggle("error", left < 0);
}
text.addEventListener("input", updateCounter);
updateCounter();

// The outbox: notes wait in this browser's storage until the server has stored them, across reloads,
// a locked phone or a dead network. Each keeps its client id, so retries never store a note twice.
const OUTBOX_KEY = `cafe.outbox.${root.dataset.postUrl}`;
const sending = new Set();
let attempt = 0;
let retryTimer = null;

function outbox() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX_KEY)) || [];
  } catch (error) {
    return [];
  }
}

function saveOutbox(entries) {
  localStorage.setItem(OUTBOX_KEY, JSON.stringify(entries));
}

function forget(clientId) {
  saveOutbox(outbox().filter((entry) => entry.client_id !== clientId));
}

function elementFor(entry) {
  let element = list.querySelector(`[data-client-id="${CSS.escape(entry.client_id)}"]`);
  if (!element) {
    element = document.createElement("li");
    element.className = "note mine";
    element.dataset.clientId = entry.client_id;
    element.innerHTML = '<span class="note-heading"></span><p class="note-text"></p><span class="note-state"></span>';
    element.querySelector(".note-heading").textContent = entry.heading;
    element.querySelector(".note-text").textContent = entry.text;
    place(element);
  }
  // The page may show it already as the server stored it (the answer to an earlier try was lost): it is still mine.
  element.classList.add("mine");
  if (!element.querySelector(".note-state")) element.insertAdjacentHTML("beforeend", '<span class="note-state"></span>');
  return element;
}

async function send(entry) {
  const element = elementFor(entry);
  sending.add(entry.client_id);
  markState(element, "sending", "sending…");
  try {
    const response = await fetch(root.dataset.postUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(entry),
    });
    const data = await response.json();
    if (response.ok) {
      forget(entry.client_id);
      attempt = 0;
      if (element.isConnected && !element.classList.contains("stored")) markState(element, "stored", "stored");
      return true;
    }
    if (response.status === 429 || response.status >= 500) throw new Error("try again later");
    // Refused for good (closed, too long ...): say why, and give the text back to edit.
    forget(entry.client_id);
    element.remove();
    status.textContent = data.error ? data.error.message : "The note was not stored.";
    if (!text.value) text.value = entry.text;
    updateCounter();
    return true;
  } catch (error) {
    markState(element, "waiting", "waiting for the network…");
    return false;
  } finally {
    sending.delete(entry.client_id);
  }
}

async function flush() {
  clearTimeout(retryTimer);
  let failed = false;
  for (const entry of outbox()) {
    const waiting = outbox().some((e) => e.client_id === entry.client_id); // another flush may have sent it meanwhile
    if (waiting && !sending.has(entry.client_id) && !(await send(entry))) failed = true;
  }
  if (failed) {
    attempt += 1;
    retryTimer = setTimeout(flush, Math.min(30000, 1000 * 2 ** attempt));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const heading = form.querySelector("input[name=heading]:checked");
  const clock = live.clock || {};
  const entry = {
    heading: heading ? heading.value : "",
    text: text.value.trim(),
    author: author.value.trim(),
    client_id: newClientId(),
    round: ["running", "paused"].includes(clock.phase) ? clock.round : null,
  };
  if (!entry.text) {
    status.textContent = "Write something before posting.";
    return;
  }
  localStorage.setItem(NAME_KEY, entry.author);
  saveOutbox([...outbox(), entry]);
  markState(elementFor(entry), "waiting", "waiting…");
  text.value = "";
  updateCounter();
  status.textContent = "";
  flush();
});

// Notes written before a reload or while offline are sent as soon as the page or the network is back.
outbox().forEach((entry) => markState(elementFor(entry), "waiting", "waiting…"));
window.addEventListener("online", flush);
if (live.socket) live.socket.on("connect", flush);
flush();

// Votes without a reload: the same API the plain form's route uses; the device is this phone's cookie.
list.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-vote-form]");
  if (!form) return;
  event.preventDefault();
  const note = form.closest("[data-seq]");
  const takeBack = event.submitter && event.submitter.value === "unvote";
  const url = `/api/v1/events/${encodeURIComponent(root.dataset.event)}/notes/${note.dataset.seq}/vote`;
  try {
    const response = await fetch(url, {
      method: takeBack ? "DELETE" : "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ table: Number(root.dataset.tableNumber) }),
    });
    const data = await response.json();
    if (!response.ok) {
      status.textContent = data.error.message;
      return;
    }
    form.querySelector("[data-votes]").textContent = `${data.votes} vote${data.votes === 1 ? "" : "s"}`;
    const left = root.querySelector("[data-votes-left]");
    if (left) left.textContent = `You have ${data.votes_left} votes left this round.`;
    status.textContent = takeBack ? "Vote taken back." : "Voted.";
  } catch (error) {
    status.textContent = "No network: your vote was not counted. Try again in a moment.";
  }
});
