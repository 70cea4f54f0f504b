// Projector face: live notes in their tiles, the countdown, the move-now screen, the chime and the kiosk.
import { Live, noteElement, refresh } from "./live.js";

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

const live = new Live(root, {
  insert(note) {
    if (onlyTable && String(note.table) !== onlyTable) return;
    const tile = root.querySelector(`[data-tile="${note.table}"]`);
    const list = tile && tile.querySelector(`[data-heading-list="${CSS.escape(note.heading || "")}"]`);
    if (!list) return;
    const element = noteElement(note.html);
    // Newer than every note this screen knew of: a new note, on top. A note shown again after a change (a vote on
    // one that had left the tile, a note published after review) goes back to its place, newest first, pinned on top.
    const isNew = note.seq > live.lastSeq;
    const later = [...list.children].find((li) => !li.classList.contains("pinned") && Number(li.dataset.seq) < note.seq);
    if (isNew) element.classList.add("fresh");
    if (note.pinned) list.prepend(element);
    else list.insertBefore(element, later || null);
    while (list.children.length > 12) list.lastElementChild.remove();
    if (isNew) count(tile, 1);
  },
  visibility: () => location.reload(),
  removed(note) {
    count(root.querySelector(`[data-tile="${note.table}"]`), -1);
  },
  clock(clock) {
    if (clock.chime !== undefined) chimeForEvent = clock.chime;
    showChimeState();
  },
  timeUp: chime,
  phase: refreshArrivals,
  plan: refreshArrivals,
}).connect();

// Lists cut off at the bottom of their tile fade out there, so that a half note reads as "more below".
function markClipped() {
  root.querySelectorAll(".tile .notes").forEach((list) => list.classList.toggle("clipped", list.scrollHeight > list.clientHeight + 1));
}
markClipped();
addEventListener("resize", markClipped);
new MutationObserver(markClipped).observe(root.querySelector(".tiles"), { childList: true, subtree: true });

// A tile's count of its table's notes, started by the server and kept up to date here.
function count(tile, change) {
  const el = tile && tile.querySelector("[data-count]");
  if (!el) return;
  const total = Math.max(0, Number(el.dataset.total || 0) + change);
  el.dataset.total = total;
  el.textContent = `${total} note${total === 1 ? "" : "s"}`;
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
