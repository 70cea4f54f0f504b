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
    element.classList.add("fresh");
    list.prepend(element);
    while (list.children.length > 12) list.lastElementChild.remove();
    const count = tile.querySelector("[data-count]");
    const shown = tile.querySelectorAll(".note").length;
    if (count) count.textContent = `${shown} note${shown === 1 ? "" : "s"}`;
  },
  clock(clock) {
    if (clock.chime !== undefined) chimeForEvent = clock.chime;
    showChimeState();
  },
  timeUp: chime,
  phase: refreshArrivals,
  plan: refreshArrivals,
}).connect();

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
