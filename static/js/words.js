// Word cloud board: the server counts the words; this page redraws them as notes arrive (at most every 3 s). On a
// projector the cloud is one screen: when its words do not all fit whole, the least used ones make room.
import { Live, refresh } from "./live.js";

const root = document.querySelector("[data-live]");
const WIDE = matchMedia("(min-width: 48rem)");  // as the stylesheet's one-screen board
let waiting = null;

function fitCloud() {
  const cloud = root.querySelector("[data-cloud]");
  const words = [...cloud.querySelectorAll(".cloud-word")];
  words.forEach((word) => { word.hidden = false; });
  if (!WIDE.matches) return;
  const fits = () => cloud.scrollHeight <= cloud.clientHeight + 1 && cloud.scrollWidth <= cloud.clientWidth + 1;
  const leastUsedFirst = words.sort((a, b) => Number(a.title) - Number(b.title));
  for (const word of leastUsedFirst) {
    if (fits()) return;
    word.hidden = true;
  }
}

function redraw() {
  if (waiting) return;
  waiting = setTimeout(async () => {
    waiting = null;
    await refresh(root, "[data-cloud]", root.dataset.cloudUrl);
    fitCloud();
  }, 3000);
}

fitCloud();
addEventListener("resize", fitCloud);
WIDE.addEventListener("change", fitCloud);
if (document.fonts) document.fonts.ready.then(fitCloud);
const live = new Live(root, { insert: redraw, update: redraw, visibility: redraw }).connect();
window.cafe = live;
