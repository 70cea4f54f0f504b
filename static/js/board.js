// Projector face: live notes in their tiles, the countdown, the move-now screen, the chime and the kiosk.
import { Live, noteElement, placeNewestFirst, refresh } from "./live.js";
import { Tiles } from "./tiles.js";
import { followActivity } from "./activity.js";

const root = document.querySelector("[data-live]");
const muteButton = root.querySelector("[data-mute]");
const onlyTable = root.dataset.onlyTable;
let audio = null;
let mutedHere = false;
let chimeForEvent = root.querySelector("[data-clock]").dataset.chime === "on";

function showChimeState() {
  const on = chimeForEvent && !mutedHere;
  muteButton.textContent = !chimeForEvent ? "Chime off for this event" : audio ? (on ? "Chime on" : "Chime muted") : "Click to allow the chime";
  muteButton.setAttribute("aria-pressed", String(mutedHere));
}

function chime() {
  if (!chimeForEvent || mutedHere || !audio || audio.state !== "running") return;
  [523.25, 659.25, 783.99].forEach((frequency, i) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    const start = audio.currentTime + i * 0.35;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 1.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 1.3);
  });
}

muteButton.addEventListener("click", () => {
  // Browsers only allow sound after a click: the first click allows the chime, later clicks mute it here.
  if (!audio) audio = new AudioContext();
  else mutedHere = !mutedHere;
  audio.resume();
  showChimeState();
});
showChimeState();

const tiles = new Tiles(root).start();
const tileOf = (number) => root.querySelector(`[data-tile="${CSS.escape(String(number))}"]`);

const live = new Live(root, {
  // A poll or the questions take the screen; the café board comes back when the facilitator says so.
  activity(data) {
    root.querySelector("[data-board-main]").classList.toggle("showing-activity", data.activity !== "cafe");
  },
  insert(note) {
    if (onlyTable && String(note.table) !== onlyTable) return;
    const tile = tileOf(note.table);
    if (!tile) return;
    // Newer than every note this screen knew of: a new note, counted and on top. Any other (published after review,
    // restored, changed after leaving the tile) goes back to its place, and the server recounts.
    const isNew = note.seq > live.lastSeq;
    if (isNew) addToCount(tile, 1);
    else refreshCounts();
    const list = tile.querySelector(`[data-heading-list="${CSS.escape(note.heading || "")}"]`);
    if (!list) return;
    const element = noteElement(note.html);
    if (isNew) element.classList.add("fresh");
    placeNewestFirst(list, element);
    tiles.changed(tile);
  },
  changed(note) {
    refreshCounts();
    const tile = tileOf(note.table);
    if (tile) tiles.schedule(tile);  // redrawn in place (votes reorder the turns) or taken off
  },
  visibility: () => location.reload(),
  clock(clock) {
    if (clock.chime !== undefined) chimeForEvent = clock.chime;
    showChimeState();
  },
  timeUp: chime,
  phase: refreshArrivals,
  plan: refreshArrivals,
}).connect();
live.limit = 6; // the board lists the top questions below the pinned one
followActivity(live, { box: "[data-board-activity]", html: "board_html" });

// A tile's count of its table's notes: from the server, plus each new note since.
function setCount(tile, total) {
  const el = tile.querySelector("[data-count]");
  if (!el) return;
  el.dataset.total = total;
  el.textContent = `${total} note${total === 1 ? "" : "s"}`;
  tiles.schedule(tile);
}

function addToCount(tile, change) {
  const el = tile.querySelector("[data-count]");
  if (el) setCount(tile, Number(el.dataset.total || 0) + change);
}

// A change to an older note (hidden, merged, restored, published) may change a count: ask the server, once a second
// at most however many changes arrive.
let countsDue = null;
function refreshCounts() {
  if (countsDue || !root.dataset.countsUrl) return;
  countsDue = setTimeout(async () => {
    countsDue = null;
    try {
      const response = await fetch(root.dataset.countsUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const counts = await response.json();
      root.querySelectorAll("[data-tile]").forEach((tile) => setCount(tile, counts[tile.dataset.tile] ?? 0));
    } catch {
      // Offline: the next change or reconnect asks again.
    }
  }, 1000);
}

function refreshArrivals() {
  const moveNow = root.querySelector("[data-move-now]");
  if (moveNow && moveNow.dataset.arrivalsUrl) refresh(root, "[data-arrivals]", moveNow.dataset.arrivalsUrl);
}
// A handle for the browser's developer tools (and the browser tests) to look at the live state.
window.cafe = live;

if (root.dataset.kiosk) {
  const urls = root.dataset.kioskUrls.split(" ");
  const here = urls.findIndex((url) => location.pathname + location.search === url);
  setTimeout(() => location.assign(urls[(here + 1) % urls.length]), Number(root.dataset.kiosk) * 1000);
}
