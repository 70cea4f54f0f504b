// Phones: the launched poll or the questions, live. Answers and questions wait in this browser's outbox until the
// server has them (each keeps its client id, so a retry never stores twice); results arrive as messages, never by
// asking for them. The plain forms work without this script.
import { Live, noteElement } from "./live.js";

const OUTBOX_KEY = "cafe.activity.outbox";
const VOTED_KEY = "cafe.questions.voted";
const ASKED_KEY = "cafe.questions.asked"; // the client ids of this phone's questions: it sees their state
let live = null;
let retryTimer = null;
let attempt = 0;

const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9_.:-]/g, "");
const api = (path) => `/api/v1/events/${encodeURIComponent(live.event)}${path}`;

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch (error) {
    return fallback;
  }
}

const outbox = () => read(OUTBOX_KEY, []);
const saveOutbox = (entries) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(entries));
const answerKey = (poll) => `cafe.answer.${live.event}.${poll}`;

function say(form, text) {
  const status = form && form.querySelector("[role=status]");
  if (status) status.textContent = text;
}

// What a poll's form says, as the API takes it: option numbers in order, a number, or a text.
function answerOf(form) {
  const kind = form.dataset.kind;
  const entry = { author: form.querySelector("[name=author]")?.value.trim() || "" };
  if (kind === "scale") entry.value = Number(form.querySelector("[name=value]:checked")?.value);
  else if (kind === "open") entry.text = form.querySelector("[name=text]").value.trim();
  else if (kind === "ranking") entry.choices = [...form.querySelectorAll("[data-ranking] li")].map((li) => Number(li.dataset.position));
  else entry.choices = [...form.querySelectorAll("[name=choice]:checked")].map((input) => Number(input.value));
  return entry;
}

// A ranking with buttons: each option moves up or down; the numbered selects follow, for the plain form.
function enhanceRanking(scope) {
  scope.querySelectorAll("[data-ranking]").forEach((list) => {
    if (list.dataset.enhanced) return;
    list.dataset.enhanced = "1";
    const items = [...list.children].sort((a, b) => Number(a.querySelector("select").value) - Number(b.querySelector("select").value));
    items.forEach((li) => {
      list.append(li);
      li.querySelector("select").hidden = true;
      li.querySelector("label").removeAttribute("for");
      for (const [dir, label] of [["up", "Up"], ["down", "Down"]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "small";
        button.dataset.move = dir;
        button.textContent = label;
        // The visible word starts the accessible name (WCAG 2.5.3), the option's text completes it.
        button.setAttribute("aria-label", `${label}: ${li.querySelector("label").textContent}`);
        li.append(button);
      }
    });
    numberRanking(list);
  });
}

function numberRanking(list) {
  [...list.children].forEach((li, i) => { li.querySelector("select").value = String(i + 1); });
}

// Show this device's own answer in a form the server rendered without it (a live launch).
function fillIn(scope) {
  scope.querySelectorAll("[data-poll-form]").forEach((form) => {
    const poll = form.closest("[data-poll]").dataset.poll;
    const mine = read(answerKey(poll), null);
    const id = form.querySelector("[data-client-id]");
    if (!id.value) id.value = newId();
    if (!mine) return;
    (mine.choices || []).forEach((choice, place) => {
      const input = form.querySelector(`[name=choice][value="${choice}"]`);
      if (input) input.checked = true;
      const select = form.querySelector(`select[name="place-${choice}"]`);
      if (select) select.value = String(place + 1);
    });
    const value = form.querySelector(`[name=value][value="${mine.value}"]`);
    if (value) value.checked = true;
    if (mine.text !== undefined && form.querySelector("[name=text]")) form.querySelector("[name=text]").value = mine.text;
    form.querySelector("[data-answer-button]").textContent = "Change my answer";
  });
  scope.querySelectorAll("[data-ask-form] [data-client-id]").forEach((id) => { if (!id.value) id.value = newId(); });
  markVoted(scope);
  enhanceRanking(scope);
}

function markVoted(scope) {
  const voted = new Set(read(VOTED_KEY, []));
  scope.querySelectorAll("[data-upvote-form]").forEach((form) => {
    const id = Number(form.closest("[data-question-id]").dataset.questionId);
    const button = form.querySelector("button");
    const mine = voted.has(id) || button.value === "unvote";
    button.value = mine ? "unvote" : "vote";
    button.textContent = mine ? "Take my vote back" : "Upvote";
    button.className = mine ? "small link" : "small";
  });
}

async function send(entry) {
  const form = document.querySelector(entry.kind === "answer" ? `[data-poll="${entry.poll}"] [data-poll-form]` : "[data-ask-form]");
  try {
    const path = entry.kind === "answer" ? `/polls/${entry.poll}/responses` : "/questions";
    const response = await fetch(api(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(entry.body),
    });
    const data = await response.json();
    if (response.status === 429 || response.status >= 500) throw new Error("try again later");
    saveOutbox(outbox().filter((e) => e.body.client_id !== entry.body.client_id));
    attempt = 0;
    if (!response.ok) {
      say(form, data.error ? data.error.message : "That was not stored.");
      return true;
    }
    if (entry.kind === "answer") {
      localStorage.setItem(answerKey(entry.poll), JSON.stringify(entry.body));
      say(form, "Your answer is stored; you can change it until the poll closes.");
      const button = form && form.querySelector("[data-answer-button]");
      if (button) button.textContent = "Change my answer";
    } else {
      say(form, data.state === "review" ? "Your question is stored; a moderator publishes it soon." : "Your question is stored.");
    }
    return true;
  } catch (error) {
    say(form, "Waiting for the network: it is sent as soon as the phone is back online.");
    return false;
  }
}

async function flush() {
  clearTimeout(retryTimer);
  for (const entry of outbox()) {
    if (!(await send(entry))) {
      attempt += 1;
      retryTimer = setTimeout(flush, Math.min(30000, 1000 * 2 ** attempt));
      return;
    }
  }
}

function queue(entry) {
  saveOutbox([...outbox(), entry]);
  flush();
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.matches("[data-poll-form]")) {
    event.preventDefault();
    const id = form.querySelector("[data-client-id]");
    const body = { ...answerOf(form), client_id: newId() };
    id.value = body.client_id;
    say(form, "Sending…");
    queue({ kind: "answer", poll: form.closest("[data-poll]").dataset.poll, body });
  } else if (form.matches("[data-ask-form]")) {
    event.preventDefault();
    const text = form.querySelector("[name=text]");
    if (!text.value.trim()) return say(form, "Write your question before sending it.");
    const body = { text: text.value.trim(), author: form.querySelector("[name=author]").value.trim(), client_id: newId() };
    text.value = "";
    say(form, "Sending…");
    localStorage.setItem(ASKED_KEY, JSON.stringify([...read(ASKED_KEY, []), body.client_id].slice(-50)));
    queue({ kind: "question", body });
  } else if (form.matches("[data-upvote-form]")) {
    event.preventDefault();
    const item = form.closest("[data-question-id]");
    const id = Number(item.dataset.questionId);
    const button = form.querySelector("button");
    const takeBack = button.value === "unvote";
    try {
      const response = await fetch(api(`/questions/${id}/vote`), { method: takeBack ? "DELETE" : "POST", headers: { Accept: "application/json" } });
      const data = await response.json();
      if (!response.ok) return;
      const voted = new Set(read(VOTED_KEY, []));
      if (takeBack) voted.delete(id);
      else voted.add(id);
      localStorage.setItem(VOTED_KEY, JSON.stringify([...voted]));
      // The live update may have replaced the item meanwhile: mark the one on the page now.
      const current = document.getElementById(item.id) || item;
      current.querySelector("[data-upvote-form] button").value = takeBack ? "vote" : "unvote";
      markVoted(current);
      current.querySelector("[data-question-votes]").textContent = `${data.votes} vote${data.votes === 1 ? "" : "s"}`;
    } catch (error) {
      // Offline: the vote was not counted; the button stays as it was.
    }
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-move]");
  if (!button) return;
  const li = button.closest("li");
  const list = li.parentElement;
  if (button.dataset.move === "up" && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
  if (button.dataset.move === "down" && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
  numberRanking(list);
  button.focus();
});

// The questions list: replaced in place, or put at its place by votes (top) or number (newest); hidden ones leave.
export function placeQuestion(list, html, limit = Infinity) {
  const fresh = noteElement(html);
  const old = document.getElementById(fresh.id);
  const mine = read(ASKED_KEY, []).includes(fresh.dataset.clientId);
  const shown = ["visible", "answered"].includes(fresh.dataset.state) || mine;
  if (old) old.remove();
  if (!shown || !list) return;
  list.closest("[data-qa], [data-questions-page]")?.querySelector("[data-questions-empty]")?.remove();
  const newest = list.dataset.order === "newest";
  const rank = (li) => (newest ? Number(li.dataset.questionId) : Number(li.dataset.votes) * 1e9 + Number(li.dataset.questionId));
  const after = [...list.children].find((li) => !li.classList.contains("pinned") && rank(li) < rank(fresh));
  list.insertBefore(fresh, fresh.classList.contains("pinned") ? list.firstElementChild : after || null);
  markVoted(fresh);
  while (list.children.length > limit) list.lastElementChild.remove();
}

export function followActivity(screen, { box = "[data-activity]", html = "phone_html" } = {}) {
  live = screen;
  fillIn(document);
  flush();
  window.addEventListener("online", flush);
  if (!live.socket) return;
  live.socket.on("connect", flush);
  live.socket.on("activity.changed", (data) => {
    const old = document.querySelector(box);
    if (!old) return;
    const fresh = noteElement(data[html]);
    old.replaceWith(fresh);
    fillIn(fresh);
    if (screen.hooks.activity) screen.hooks.activity(data);
  });
  const showResults = (data) => {
    const place = document.querySelector(`[data-poll="${data.poll}"] [data-poll-results]`);
    if (place) place.replaceChildren(noteElement(data.html));
  };
  live.socket.on("poll.results", showResults);
  live.socket.on("poll.revealed", showResults);
  live.socket.on("question.changed", (data) => placeQuestion(document.querySelector("[data-questions]"), data.html, screen.limit));
  // The board shows the pinned question large: it gets its whole view again when the pin changes.
  live.socket.on("questions.pinned", (data) => {
    const old = document.querySelector("[data-board-activity]");
    if (old && data.board_html) old.replaceWith(noteElement(data.board_html));
  });
}

const root = document.querySelector('[data-live][data-view="phone"]');
if (root) {
  const screen = new Live(root).connect();
  window.cafe = screen;
  followActivity(screen);
}
