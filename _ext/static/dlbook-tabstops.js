/*
 * Code blocks and outputs that scroll can be reached with the keyboard: each gets tabIndex 0 when
 * its content is wider or taller than its box, -1 otherwise. This is the theme's own rule
 * (pydata-sphinx-theme's addTabStopsToScrollableElements, which the build stops: _ext/dlbook_pages.py),
 * checked on the same occasions (the page loaded, the window resized, content added to the main
 * column, an explorer drawn), but a few milliseconds at a time when the browser is idle: measuring
 * every element lays out the whole page, which in one task held up a phone for a quarter of a second.
 *
 * A chapter's sections are laid out only near the screen (content-visibility in dlbook.css), and
 * measuring an element of one that is not would lay it out. So an element of such a section is
 * measured when the browser draws the section; until then it has tabIndex 0 (reachable, as if it
 * scrolled). Where the browser cannot say when it draws a section, every element is measured.
 */
(() => {
  /** The elements the theme checks (the same list). */
  const SELECTOR = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
    ".pst-scrollable-table-container",
  ].join(", ");
  /** The sections the browser draws only near the screen (dlbook.css). */
  const LAZY = ".bd-article > section > section";
  const lazy = globalThis.CSS?.supports?.("content-visibility", "auto") && "checkVisibility" in Element.prototype
    && "ContentVisibilityAutoStateChangeEvent" in globalThis;
  /** The longest slice of work, in milliseconds (a long task is over 50 ms on a phone, 4 times slower). */
  const SLICE_MS = 8;
  /** How long the page must stay unchanged (resized, content added) before it is checked again, as the theme. */
  const DEBOUNCE_MS = 300;

  /** When the browser is idle, or after a second at the latest (a page that is never idle still gets its tab stops). */
  const idle = globalThis.requestIdleCallback
    ? (callback) => requestIdleCallback(callback, { timeout: 1000 })
    : (callback) => setTimeout(callback, 1);
  const queue = new Set();
  let scheduled = false;

  /** Whether the browser has laid out ``element``: false inside a section it skips (or a closed cell). */
  function laidOut(element) {
    return !lazy || !element.closest(LAZY) || element.checkVisibility({ contentVisibilityAuto: true });
  }

  /** Check the next elements for at most SLICE_MS: measure them all, then set their tab index. */
  function slice() {
    const start = performance.now();
    const measured = [];
    for (const element of queue) {
      if (performance.now() - start >= SLICE_MS) break;
      queue.delete(element);
      if (!element.isConnected) continue;
      if (!laidOut(element)) {
        measured.push([element, 0]); // no longer drawn: reachable until its section is drawn again
        continue;
      }
      const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
      measured.push([element, scrolls ? 0 : -1]);
    }
    for (const [element, index] of measured) element.tabIndex = index;
    if (queue.size) idle(slice);
    else scheduled = false;
  }

  /** Check the elements inside ``root``; those not laid out stay reachable until they are. */
  function check(root = document) {
    for (const element of root.querySelectorAll(SELECTOR)) {
      if (laidOut(element)) queue.add(element);
      else element.tabIndex = 0; // measured, perhaps at another width, before its section was last drawn
    }
    if (queue.size && !scheduled) {
      scheduled = true;
      idle(slice);
    }
  }

  let timer = null;
  function checkLater() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      check();
    }, DEBOUNCE_MS);
  }
  /** Whether a check is waiting or under way (for the site's tests). */
  globalThis.dlbookTabStopsBusy = () => timer !== null || scheduled;

  let started = false;
  if (lazy) {
    // The event does not bubble: listen in the capture phase, for every section.
    document.addEventListener("contentvisibilityautostatechange", (event) => {
      if (started && !event.skipped && event.target.matches?.(LAZY)) check(event.target);
    }, true);
  }

  function start() {
    started = true;
    window.addEventListener("resize", checkLater);
    const main = document.getElementById("main-content");
    if (main) new MutationObserver(checkLater).observe(main, { subtree: true, childList: true });
    check();
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
