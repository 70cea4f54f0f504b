// Word cloud board: the server counts the words; this page redraws them as notes arrive (at most every 3 s).
import { Live, refresh } from "./live.js";

const root = document.querySelector("[data-live]");
let waiting = null;

function redraw() {
  if (waiting) return;
  waiting = setTimeout(() => {
    waiting = null;
    refresh(root, "[data-cloud]", root.dataset.cloudUrl);
  }, 3000);
}

const live = new Live(root, { insert: redraw, update: redraw, visibility: redraw }).connect();
window.cafe = live;
