// Shared by every face: the socket, the server's clock, the countdown, live notes and announcements.
// The server owns the clock: each screen keeps its offset from the server's time and counts down locally.

const LABELS = {
  waiting: () => "Starting soon",
  running: (c) => `Round ${c.round} of ${c.rounds}`,
  paused: (c) => `Round ${c.round} of ${c.rounds} · paused`,
  moving: () => "Move now",
  between: () => "Next round starts soon",
  harvest: () => "The café is over",
};

export function formatSeconds(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// The warning line: the time actually left, in words (the warning time that was passed only says when to show it).
function describeLeft(seconds) {
  const minutes = Math.ceil(seconds / 60);
  if (minutes > 1) return `Less than ${minutes} minutes left`;
  return seconds > 30 ? "Less than a minute left" : "Less than 30 seconds left";
}

export class Live {
  constructor(root, hooks = {}) {
    this.root = root;
    this.hooks = hooks;
    this.view = root.dataset.view;
    this.event = root.dataset.event;
    this.lastSeq = Number(root.dataset.lastSeq || 0);
    this.offset = 0;
    this.clock = null;
    this.warned = new Set();
    this.clockEl = root.querySelector("[data-clock]");
    this.catchingUp = null;
    this.readInitialClock();
  }

  readInitialClock() {
    const el = this.clockEl;
    if (!el) return;
    this.offset = Date.parse(el.dataset.serverTime) - Date.now();
    this.applyClock({
      phase: el.dataset.phase,
      ends_at: el.dataset.endsAt || null,
      remaining_s: el.dataset.remaining === "" ? null : Number(el.dataset.remaining),
      warnings: (el.dataset.warnings || "").split(",").filter(Boolean).map(Number),
      chime: el.dataset.chime === "on",
      posting_closed: el.dataset.postingClosed || null,
      hidden_rounds: (el.dataset.hiddenRounds || "").split(",").filter(Boolean).map(Number),
      server_time: el.dataset.serverTime,
    }, { initial: true });
  }

  connect() {
    if (typeof window.io !== "function") return this;
    // WebSocket first (no sticky sessions needed); long-polling where a network blocks WebSocket.
    this.socket = window.io({ transports: ["websocket", "polling"], tryAllTransports: true });
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", () => this.setConnected(false));
    this.socket.on("round.state", (clock) => {
      this.applyClock(clock);
      this.noticeNewNotes(clock.last_seq);
    });
    this.socket.on("note.created", (note) => this.receive(note));
    this.socket.on("announcement", (data) => this.announce(data.text));
    this.socket.on("activity", (data) => this.hooks.activity && this.hooks.activity(data.tables));
    this.socket.on("plan.changed", () => this.hooks.plan && this.hooks.plan());
    this.socket.on("note.updated", (note) => (this.hooks.update ? this.hooks.update(note) : this.update(note)));
    // Hiding a round's notes or revealing them changes which notes are public all at once. A screen with its own
    // way (the board reloads, so its counts stay right) does that; others drop the round's notes, or fetch from the
    // start (revealed notes are older than the newest this screen knows of).
    this.socket.on("notes.revealed", (data) => {
      if (data.round == null) this.hiddenRounds?.clear();
      else this.hiddenRounds?.delete(data.round);
      this.noticeVisibility([], [data.round]);
    });
    this.socket.on("round.hidden", (data) => {
      this.hiddenRounds?.add(data.round);
      this.noticeVisibility([data.round], []);
    });
    this.socket.on("themes.changed", () => this.hooks.themes && this.hooks.themes());
    setInterval(() => this.measureOffset(), 60000);
    setInterval(() => this.render(), 250);
    return this;
  }

  join() {
    const payload = { event: this.event, view: this.view, table: this.root.dataset.table };
    this.socket.emit("join", payload, (reply) => {
      if (!reply || !reply.ok) {
        this.setConnected(false, reply ? reply.error : "Could not join.");
        return;
      }
      this.setConnected(true);
      this.measureOffset();
      this.applyClock(reply.clock);
      this.catchUp();
    });
  }

  measureOffset() {
    if (!this.socket || !this.socket.connected) return;
    const sent = Date.now();
    this.socket.emit("sync", {}, (reply) => {
      const received = Date.now();
      this.offset = reply.server_ms + (received - sent) / 2 - received;
    });
  }

  setConnected(isConnected, message) {
    this.root.classList.toggle("offline", !isConnected);
    this.root.classList.toggle("online", isConnected);
    if (this.hooks.connection) this.hooks.connection(isConnected, message);
  }

  now() {
    return Date.now() + this.offset;
  }

  // Rounds hidden or revealed: from their live messages, or noticed in a clock (a screen that was loading or
  // offline when the message went out). The messages keep the known set in step, so a clock after them is quiet.
  noticeVisibility(hidden, revealed) {
    const visibility = this.hooks.visibility;
    if (visibility) [...hidden, ...revealed].forEach((round) => visibility({ round }));
    else {
      hidden.forEach((index) => this.hideRound(index));
      if (revealed.length) this.catchUp(0);
    }
  }

  compareHiddenRounds(rounds, initial) {
    const known = this.hiddenRounds;
    this.hiddenRounds = new Set(rounds);
    if (initial || !known) return;
    const hidden = rounds.filter((index) => !known.has(index));
    const revealed = [...known].filter((index) => !this.hiddenRounds.has(index));
    if (hidden.length || revealed.length) this.noticeVisibility(hidden, revealed);
  }

  applyClock(clock, { initial = false } = {}) {
    if (clock.hidden_rounds) this.compareHiddenRounds(clock.hidden_rounds, initial);
    const changed = !this.clock || this.clock.round !== clock.round || this.clock.phase !== clock.phase;
    if (changed) this.warned.clear();
    if (changed && !initial && this.hooks.phase) this.hooks.phase(clock);
    this.clock = { ...this.clock, ...clock, endsAtMs: clock.ends_at ? Date.parse(clock.ends_at) : null };
    if (!initial && clock.announcement !== undefined) this.announce(clock.announcement);
    const question = this.root.querySelector("[data-question]");
    if (question && clock.question !== undefined) {
      question.dataset.default ??= question.textContent;
      question.textContent = clock.question || question.dataset.default;
    }
    const moveNow = this.root.querySelector("[data-move-now]");
    if (moveNow) moveNow.hidden = clock.phase !== "moving";
    if (this.hooks.clock) this.hooks.clock(this.clock, initial, changed);
    this.render();
  }

  remaining() {
    const c = this.clock;
    if (!c) return null;
    if (c.endsAtMs) return (c.endsAtMs - this.now()) / 1000;
    return c.remaining_s ?? null;
  }

  render() {
    if (!this.clockEl || !this.clock) return;
    const c = this.clock;
    let phase = c.phase;
    let remaining = this.remaining();
    if (phase === "running" && remaining !== null && remaining <= 0) {
      phase = "moving";
      remaining = null;
      this.timeUp();
    } else if (phase === "moving" && remaining !== null && remaining <= 0) {
      phase = "between";
      remaining = null;
    }
    this.clockEl.dataset.phase = phase;
    this.clockEl.className = `clock clock-${phase}`;
    this.clockEl.querySelector("[data-clock-label]").textContent = (LABELS[phase] || LABELS.waiting)(c);
    this.clockEl.querySelector("[data-clock-time]").textContent = remaining === null ? "–:––" : formatSeconds(remaining);
    const warning = this.clockEl.querySelector("[data-clock-warning]");
    if (phase !== "running" || remaining === null) {
      warning.textContent = "";
      return;
    }
    const due = (c.warnings || []).filter((w) => remaining <= w);
    if (due.length) {
      const w = Math.min(...due);
      this.clockEl.classList.add("clock-warn");
      warning.textContent = describeLeft(remaining);
      if (!this.warned.has(w)) {
        this.warned.add(w);
        if (this.hooks.warning) this.hooks.warning(w);
      }
    } else {
      warning.textContent = "";
    }
  }

  timeUp() {
    if (this.warned.has("end")) return;
    this.warned.add("end");
    if (this.hooks.timeUp) this.hooks.timeUp();
  }

  announce(text) {
    const el = this.root.querySelector("[data-announcement]") || document.querySelector("[data-announcement]");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  receive(note) {
    this.maxSeen = Math.max(this.maxSeen || 0, note.seq);
    // Boards and the console see every note: a jump in numbers means some were missed, so fetch them.
    const gap = this.view !== "table" && note.seq > this.lastSeq + 1;
    this.insert(note);
    if (gap) this.catchUp();
    else this.lastSeq = Math.max(this.lastSeq, note.seq);
  }

  insert(note) {
    if (document.getElementById(`note-${note.seq}`)) return;
    if (this.hooks.insert) this.hooks.insert(note);
  }

  // A note changed (votes, text, pin, moderation): redraw it where it is, or drop it when it left the public view.
  update(note) {
    const old = document.getElementById(`note-${note.seq}`);
    const shown = note.state === "visible" && !note.hidden_round;
    if (this.hooks.changed) this.hooks.changed(note);
    if (!shown) {
      if (old) old.remove();
      return;
    }
    if (!old) {
      this.insert(note);
      return;
    }
    const fresh = noteElement(note.html);
    fresh.classList.add(...[...old.classList].filter((c) => ["mine", "stored"].includes(c)));
    old.replaceWith(fresh);
    if (note.pinned && fresh.parentElement) fresh.parentElement.prepend(fresh);
  }

  // The clock says how many notes the event has. When that grew since the last clock and this screen has not
  // seen them (their live message was lost, e.g. while the server's message queue restarted), fetch them.
  noticeNewNotes(lastSeq) {
    if (typeof lastSeq !== "number" || this.view === "table") return;
    const known = this.clockSeq === undefined ? this.lastSeq : this.clockSeq;
    this.clockSeq = lastSeq;
    if (lastSeq > known && lastSeq > this.lastSeq) this.catchUp();
  }

  // A round's notes are hidden until the facilitator reveals them: a phone drops those it shows.
  hideRound(index) {
    this.root.querySelectorAll(`.note[data-round="${CSS.escape(String(index))}"]`).forEach((el) => el.remove());
  }

  async catchUp(from = this.lastSeq) {
    // One catch-up at a time; one from further back (a reveal) runs after the one on its way, not instead of it.
    if (this.catchingUp) return from < this.lastSeq ? this.catchingUp.then(() => this.catchUp(from)) : this.catchingUp;
    let after = from;
    this.catchingUp = (async () => {
      try {
        for (;;) {
          const url = new URL(this.root.dataset.notesUrl, location.href);
          url.searchParams.set("after", after);
          url.searchParams.set("html", "1");
          const response = await fetch(url, { headers: { Accept: "application/json" } });
          if (!response.ok) return;
          const data = await response.json();
          data.notes.forEach((note) => this.insert(note));
          after = data.last_seq;
          this.lastSeq = Math.max(this.lastSeq, data.last_seq);
          if (data.notes.length < 500 && this.lastSeq >= (this.maxSeen || 0)) return;
          if (!data.notes.length) return;
        }
      } catch (error) {
        // The network is down; the next reconnect catches up again.
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }
}

// Notes newest first, pinned ones on top: a note goes before the first unpinned one with a lower number (one with no
// number yet, in a phone's outbox, above every stored note), so an older note shown again lands at its place.
export function placeNewestFirst(list, element) {
  if (element.classList.contains("pinned")) {
    list.prepend(element);
    return;
  }
  const seq = element.dataset.seq ? Number(element.dataset.seq) : Infinity;
  const later = [...list.children].find((li) => li.dataset.seq && !li.classList.contains("pinned") && Number(li.dataset.seq) < seq);
  list.insertBefore(element, later || null);
}

export function noteElement(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// Replace the element matching `selector` by the same partial fetched fresh from `url`.
export async function refresh(root, selector, url) {
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const fresh = noteElement(await response.text());
    const old = root.querySelector(selector);
    if (old && fresh) old.replaceWith(fresh);
  } catch (error) {
    // Offline: the next phase change refreshes it.
  }
}
