// Projector tiles: each shows whole notes only, as many as fit in type readable from the back of the room. The
// newest note always shows, pinned ones after it, and the tile takes turns through the rest of its recent notes
// (most-voted first) so that each is seen within a minute. A heading takes room only while a note under it shows.

export const WIDE = matchMedia("(min-width: 48rem)");  // as the stylesheet's one-screen board
const MINUTE = 60_000;
const SHORTEST_TURN = 4_000;
const USUAL_TURN = 12_000;
const SCREENFUL = 20_000;  // a café of more than twelve tables: how long each screenful of tiles shows
const SHRINK_STEPS = 4;  // .shrink-1 to .shrink-4 in the stylesheet
const ALONE = [["alone"], ["alone", "tight"], ["alone", "tight", "smaller-1"], ["alone", "tight", "smaller-2"]];

const seqOf = (note) => Number(note.dataset.seq || 0);
const votesOf = (note) => Number(note.querySelector("[data-votes]")?.textContent.match(/\d+/)?.[0] || 0);
const newestFirst = (a, b) => seqOf(b) - seqOf(a);
const mostVotedFirst = (a, b) => votesOf(b) - votesOf(a) || newestFirst(a, b);

// Does everything in `box` lie inside it? Overflow shows as height, or as extra columns to the side.
export const fits = (box) => box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;

// A theme or heading whose longest word is wider than its line takes smaller type rather than breaking the word.
export function fitWords(root) {
  root.querySelectorAll("[data-fit-words]").forEach((el) => {
    for (let step = 1; step <= SHRINK_STEPS; step++) el.classList.remove(`shrink-${step}`);
    el.classList.add("unbroken");
    for (let step = 1; step <= SHRINK_STEPS && el.scrollWidth > el.clientWidth + 1; step++) {
      if (step > 1) el.classList.remove(`shrink-${step - 1}`);
      el.classList.add(`shrink-${step}`);
    }
    el.classList.remove("unbroken");
  });
}

export class Tiles {
  constructor(root) {
    this.root = root;
    this.hold = Number(root.dataset.hold || 12);
    this.turn = root.dataset.turn ? Number(root.dataset.turn) * 1000 : USUAL_TURN;
    this.container = root.querySelector("[data-tiles]");
    this.turns = new Map();  // tile -> { cursor, step, period, at }
    this.due = new Set();
    this.screenful = 1;
    this.stage = 0;  // how far notes shown alone give up room: a step of ALONE
  }

  start() {
    if (!this.container) return this;
    document.body.classList.add("fitting");  // the stylesheet's one-screen board, which needs this script
    new ResizeObserver(() => this.fitAll()).observe(this.container);
    WIDE.addEventListener("change", () => this.fitAll());
    if (document.fonts) document.fonts.ready.then(() => this.fitAll());
    this.showScreenful();
    const screenfuls = Number(this.root.dataset.pages || 1);
    if (screenfuls > 1) {
      setInterval(() => {
        this.screenful = (this.screenful % screenfuls) + 1;
        this.showScreenful();
      }, SCREENFUL);
    }
    setInterval(() => this.takeTurns(), 1000);
    this.fitAll();
    return this;
  }

  tiles() {
    return [...this.container.querySelectorAll("[data-tile]")];
  }

  // A note arrived or changed in this tile: keep its recent notes (and pinned ones), then fit it again.
  changed(tile) {
    const notes = [...tile.querySelectorAll(".note:not(.pinned)")].sort(newestFirst);
    notes.slice(this.hold).forEach((note) => note.remove());
    this.schedule(tile);
  }

  schedule(tile) {
    if (!this.due.size) requestAnimationFrame(() => {
      const due = [...this.due];
      this.due.clear();
      if (due.map((t) => this.fit(t)).some(Boolean) || !due.every((t) => this.whole(t))) this.fitAll();
    });
    this.due.add(tile);
  }

  // Fit every tile. Notes too long for their tiles show alone and their rows grow, which takes room from the
  // other rows: fit again, and if a tile is still not whole, take the next step for every note shown alone.
  fitAll() {
    fitWords(this.root);
    this.stage = 0;
    for (let pass = 0; pass < 2 * ALONE.length; pass++) {
      const changed = this.tiles().map((tile) => this.fit(tile)).some(Boolean);
      if (changed) continue;
      if (this.stage === ALONE.length - 1 || this.tiles().every((tile) => this.whole(tile))) return;
      this.stage++;
    }
  }

  // Does the tile lie wholly inside the board (rows grown for long notes can push the last row out)?
  whole(tile) {
    if (!tile.offsetParent) return true;
    return tile.scrollHeight <= tile.clientHeight + 1 &&
      tile.getBoundingClientRect().bottom <= this.container.getBoundingClientRect().bottom + 1;
  }

  // Show the newest note, the pinned ones, then the others from this tile's turn on, as many as fit whole.
  fit(tile) {
    const body = tile.querySelector("[data-tile-body]");
    const notes = [...body.querySelectorAll(".note")];
    if (!WIDE.matches || !tile.offsetParent) {
      notes.forEach((note) => { note.hidden = false; });
      this.tellMore(tile, 0);
      return false;
    }
    const turn = this.turns.get(tile) || { cursor: 0, step: 0, period: 0, at: 0 };
    this.turns.set(tile, turn);
    const [newest, ...older] = [...notes].sort(newestFirst);
    const pinned = older.filter((note) => note.classList.contains("pinned"));
    const rest = older.filter((note) => !note.classList.contains("pinned")).sort(mostVotedFirst);
    const wasShown = new Set(notes.filter((note) => !note.hidden));
    notes.forEach((note) => { note.hidden = true; });
    const place = (note) => {
      note.hidden = false;
      if (fits(body)) return true;
      note.hidden = true;
      return false;
    };
    const wasAlone = tile.classList.contains("alone");
    tile.classList.remove(...ALONE.flat());
    if (newest) {
      this.tellMore(tile, this.total(tile) - 1);  // the likely count of the rest takes its line first
      if (!place(newest)) {
        this.fitAlone(tile, newest);
        turn.at = 0;
        return !wasAlone;
      }
    }
    pinned.forEach(place);
    const start = rest.length ? turn.cursor % rest.length : 0;
    const placed = [];  // the rest shown, each with how far into the turn it stands
    let looked = 0;
    for (; looked < rest.length; looked++) {
      const note = rest[(start + looked) % rest.length];
      if (place(note)) placed.push({ note, at: looked });
      else if (placed.length) break;
    }
    // The count of the rest takes a line of the tile: when it pushes a note out, that note waits for its turn.
    const visible = () => notes.filter((note) => !note.hidden);
    this.tellMore(tile, this.total(tile) - visible().length);
    while (!fits(body) && placed.length) {
      const last = placed.pop();
      last.note.hidden = true;
      looked = last.at;
      this.tellMore(tile, this.total(tile) - visible().length);
    }
    const shown = placed.length;
    turn.step = Math.max(1, looked);
    if (shown >= rest.length) {
      turn.at = 0;  // every recent note shows: nothing to take turns through
    } else {
      const turnsInAll = Math.ceil(rest.length / Math.max(1, shown));
      turn.period = Math.min(this.turn, Math.max(Math.min(SHORTEST_TURN, this.turn), MINUTE / turnsInAll));
      if (!turn.at) turn.at = Date.now() + turn.period;
    }
    if (turn.turning) {
      visible().filter((note) => !wasShown.has(note)).forEach((note) => {
        note.classList.add("turned");
        note.addEventListener("animationend", () => note.classList.remove("turned"), { once: true });
      });
    }
    return wasAlone;
  }

  // A newest note too long for its tile shows alone, and its row of tiles grows to hold it (the stylesheet sizes
  // rows by such notes first); if that leaves other rows too little, it takes the room of its heading and count
  // too. Only when the rows cannot all hold their notes so (rows of the longest notes on the smallest screen) does
  // its type step down, to stay whole.
  fitAlone(tile, note) {
    note.hidden = false;
    tile.classList.add(...ALONE[this.stage]);
    this.tellMore(tile, this.total(tile) - 1);
  }

  takeTurns() {
    const now = Date.now();
    this.turns.forEach((turn, tile) => {
      if (!turn.at || now < turn.at || !tile.isConnected) return;
      turn.cursor += turn.step;
      turn.at = now + turn.period;
      turn.turning = true;
      this.fit(tile);
      turn.turning = false;
    });
  }

  total(tile) {
    return Number(tile.querySelector("[data-count]")?.dataset.total || 0);
  }

  tellMore(tile, more) {
    const el = tile.querySelector("[data-more]");
    if (!el) return;
    el.hidden = more <= 0;
    el.dataset.more = String(Math.max(0, more));
    el.textContent = more > 0 ? `${more} more note${more === 1 ? "" : "s"}` : "";
  }

  // More than twelve tables: show one screenful of tiles at a time, and say which.
  showScreenful() {
    const tiles = this.tiles().filter((tile) => tile.dataset.page);
    if (!tiles.length) return;
    this.container.classList.add("paged");
    const here = tiles.filter((tile) => Number(tile.dataset.page) === this.screenful);
    tiles.forEach((tile) => tile.classList.toggle("on-page", here.includes(tile)));
    const label = this.root.querySelector("[data-page-label]");
    if (label && here.length) {
      label.textContent = `Tables ${here[0].dataset.tile} to ${here[here.length - 1].dataset.tile} of ${tiles.length}`;
    }
    here.forEach((tile) => this.fit(tile));
  }
}
