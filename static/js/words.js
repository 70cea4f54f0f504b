// Word cloud board: the server counts the words; this page redraws them as notes arrive (at most every 3 s). On a
// projector the cloud is one screen: when its words do not all fit whole, the least used ones make room.
import { Live, refresh } from "./live.js";
import { WIDE, fits } from "./tiles.js";

const root = document.querySelector("[data-live]");
let waiting = null;

function fitCloud() {
  const cloud = root.querySelector("[data-cloud]");
  const words = [...cloud.querySelectorAll(".cloud-word")];
  words.forEach((word) => { word.hidden = false; });
  if (!WIDE.matches) return;
  const leastUsedFirst = words.sort((a, b) => Number(a.title) - Number(b.title));
  for (const word of leastUsedFirst) {
    if (fits(cloud)) return;
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

document.body.classList.add("fitting");  // the stylesheet's one-screen cloud, which needs this script
fitCloud();
addEventListener("resize", fitCloud);
WIDE.addEventListener("change", fitCloud);
if (document.fonts) document.fonts.ready.then(fitCloud);
const live = new Live(root, { insert: redraw, update: redraw, visibility: redraw }).connect();
window.cafe = live;
