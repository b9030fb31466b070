/* dlbook: the page's scripts run once the browser has drawn it (_ext/dlbook_pages.py, scripts_after_paint).
 * The build gives each script the type text/dlbook-later, which the browser neither runs nor fetches; this
 * script, inlined at the end of the body, brings them back once the page's first content is on the screen, as
 * the browser would have run them: classic scripts in the order of the page, then deferred ones, then async
 * ones. While they run, the document says it is still loading; what they ask to run on DOMContentLoaded (and
 * on the window's load, if it has passed) runs after the last of them, each in a task of its own, so that a
 * phone can answer a tap in between. */
(() => {
  const held = [...document.querySelectorAll('script[type="text/dlbook-later"]')];
  const kind = (script) => (!script.hasAttribute("src") ? 0 : script.hasAttribute("async") ? 2
    : script.hasAttribute("defer") ? 1 : 0);

  /** A live script element for a held one, or for the text of a script to run after them. */
  function live(source) {
    const script = document.createElement("script");
    let text = source;
    if (typeof source !== "string") {
      for (const { name, value } of source.attributes) {
        if (!["type", "async", "defer"].includes(name)) script.setAttribute(name, value);
      }
      text = source.hasAttribute("src") ? null : source.text;
    }
    if (text !== null) {
      // An inline script, as a file of its own, so that it keeps its turn among the others.
      script.src = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      script.addEventListener("load", () => URL.revokeObjectURL(script.src), { once: true });
    }
    script.async = typeof source !== "string" && kind(source) === 2;
    return script;
  }

  /** The listeners the scripts add for events that have passed: [target, type, listener]. */
  const waiting = [];

  /** Whether the window's load has passed (it can, between two of the scripts brought back). */
  let loaded = document.readyState === "complete";
  window.addEventListener("load", () => { loaded = true; }, { once: true });

  /** Until ``finish``: the document is loading, and listeners for events that have passed wait. */
  function pretend() {
    Object.defineProperty(document, "readyState", { configurable: true, get: () => "loading" });
    for (const target of [document, window]) {
      const add = EventTarget.prototype.addEventListener;
      target.addEventListener = function (type, listener, options) {
        const passed = type === "DOMContentLoaded" || (type === "load" && target === window && loaded);
        if (passed && listener) waiting.push([target, type, listener]);
        else add.call(this, type, listener, options);
      };
    }
  }

  /** After the last script: the document as it is, then each waiting listener in a task of its own. */
  function finish() {
    delete document.readyState;
    delete document.addEventListener;
    delete window.addEventListener;
    const next = () => {
      const item = waiting.shift();
      if (!item) {
        globalThis.dlbookScriptsRun = true; // for the site's tests
        return;
      }
      const [target, type, listener] = item;
      try {
        const event = new Event(type, { bubbles: type === "DOMContentLoaded" });
        if (typeof listener === "function") listener.call(target, event);
        else listener.handleEvent(event);
      } catch (error) {
        reportError(error);
      }
      setTimeout(next, 0);
    };
    next();
  }

  let started = false;
  function run() {
    if (started || !held.length) return;
    started = true;
    pretend();
    globalThis.dlbookFinishScripts = finish;
    // One script brought back per task: those not async run in the order they come back, whenever each arrives.
    const jobs = [0, 1].flatMap((k) => held.filter((script) => kind(script) === k))
      .map((script) => () => script.replaceWith(live(script)));
    jobs.push(() => document.body.append(live("globalThis.dlbookFinishScripts();")));
    for (const script of held.filter((script) => kind(script) === 2)) jobs.push(() => script.replaceWith(live(script)));
    const next = () => {
      jobs.shift()();
      if (jobs.length) setTimeout(next, 0);
    };
    next();
  }
  // Once the browser has shown the page's first content (its first contentful paint, reported when the
  // frame is on the screen, not only drawn: the scripts must not compete with putting it there); in a tab
  // that shows nothing (in the background), after 3 s.
  const FIRST = "first-contentful-paint";
  if (performance.getEntriesByName(FIRST).length) setTimeout(run, 0);
  else {
    new PerformanceObserver((entries, observer) => {
      if (!entries.getEntriesByName(FIRST).length) return;
      observer.disconnect();
      setTimeout(run, 0);
    }).observe({ type: "paint", buffered: true });
  }
  setTimeout(run, 3000);
})();
