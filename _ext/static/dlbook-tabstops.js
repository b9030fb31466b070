/*
 * Code blocks and outputs that scroll can be reached with the keyboard: each gets tabIndex 0 when
 * its content is wider or taller than its box, -1 otherwise. This is the theme's own rule
 * (pydata-sphinx-theme's addTabStopsToScrollableElements, which the build stops: _ext/dlbook_pages.py),
 * checked on the same occasions (the page loaded, the window resized, content added to the main
 * column, an explorer drawn), but a few milliseconds at a time when the browser is idle: measuring
 * every element lays out the whole page, which in one task held up a phone for a quarter of a second.
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
  /** The longest slice of work, in milliseconds (a long task is over 50 ms on a phone, 4 times slower). */
  const SLICE_MS = 8;
  /** How long the page must stay unchanged (resized, content added) before it is checked again, as the theme. */
  const DEBOUNCE_MS = 300;

  const idle = globalThis.requestIdleCallback ?? ((callback) => setTimeout(callback, 1));
  let queue = [];
  let scheduled = false;

  /** Check the next elements for at most SLICE_MS: measure them all, then set their tab index. */
  function slice() {
    const start = performance.now();
    const measured = [];
    while (queue.length && performance.now() - start < SLICE_MS) {
      const element = queue.shift();
      const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
      measured.push([element, scrolls ? 0 : -1]);
    }
    for (const [element, index] of measured) element.tabIndex = index;
    if (queue.length) idle(slice);
    else scheduled = false;
  }

  function check() {
    queue = [...document.querySelectorAll(SELECTOR)];
    if (!scheduled) {
      scheduled = true;
      idle(slice);
    }
  }

  let timer = null;
  function checkLater() {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  function start() {
    window.addEventListener("resize", checkLater);
    const main = document.getElementById("main-content");
    if (main) new MutationObserver(checkLater).observe(main, { subtree: true, childList: true });
    check();
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
