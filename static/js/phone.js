// Phone face: post notes without a reload, show each note's state, count characters, keep the name.
import { Live, noteElement, refresh } from "./live.js";

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
  list.prepend(element);
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
    const open = clock.posting_open !== false && ["running", "paused"].includes(clock.phase);
    button.disabled = !open;
    if (!open) status.textContent = clock.phase === "harvest" ? "The café is over: posting is closed." : "Posting opens when the round starts.";
    else if (status.textContent.startsWith("Posting")) status.textContent = "";
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

author.value = localStorage.getItem(NAME_KEY) ?? author.value;

function updateCounter() {
  const left = 280 - text.value.length;
  counter.textContent = `${left} characters left`;
  counter.classList.toggle("error", left < 0);
}
text.addEventListener("input", updateCounter);
updateCounter();

async function send(entry, element, attempt = 0) {
  markState(element, "sending", "sending…");
  try {
    const response = await fetch(root.dataset.postUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(entry),
    });
    const data = await response.json();
    if (response.ok) {
      if (element.isConnected && element.classList.contains("mine") && !element.classList.contains("stored")) {
        markState(element, "stored", "stored");
      }
      return;
    }
    element.remove();
    status.textContent = data.error ? data.error.message : "The note was not stored.";
    if (!text.value) text.value = entry.text;
    updateCounter();
  } catch (error) {
    // No network: keep it and try again with the same client id, so it is never stored twice.
    markState(element, "waiting", "waiting for the network…");
    const delay = Math.min(30000, 1000 * 2 ** attempt);
    setTimeout(() => send(entry, element, attempt + 1), delay);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const heading = form.querySelector("input[name=heading]:checked");
  const entry = {
    heading: heading ? heading.value : "",
    text: text.value.trim(),
    author: author.value.trim(),
    client_id: newClientId(),
  };
  if (!entry.text) {
    status.textContent = "Write something before posting.";
    return;
  }
  localStorage.setItem(NAME_KEY, entry.author);
  const element = document.createElement("li");
  element.className = "note mine";
  element.dataset.clientId = entry.client_id;
  element.innerHTML = '<span class="note-heading"></span><p class="note-text"></p><span class="note-state"></span>';
  element.querySelector(".note-heading").textContent = entry.heading;
  element.querySelector(".note-text").textContent = entry.text;
  place(element);
  text.value = "";
  updateCounter();
  status.textContent = "";
  send(entry, element);
});


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
