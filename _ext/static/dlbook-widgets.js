/*
 * The website's own widget loader: it makes the book's explorers live on a static page,
 * with no kernel and nothing fetched from outside the site, over http(s) or from the file
 * system (file://).
 *
 * Each page built from an executed notebook holds the saved widget state
 * (<script type="application/vnd.jupyter.widget-state+json">, written by myst-nb) and,
 * where a cell displayed a widget, a view (<script type="application/vnd.jupyter.widget-view+json">).
 * Every explorer is an anywidget: its state holds its ES module (`_esm`) and style sheet
 * (`_css`). For each view this loader puts an empty element before the view's script, which
 * keeps the place the explorer will take (its height is reserved by the book's style sheet,
 * dlbook.css, so nothing moves when it is drawn), and draws the explorer there when it comes
 * near the screen: it fetches the explorer's module and the rest of its saved state (the build moves
 * both to files of their own, _ext/dlbook_pages.py), imports the module from a blob: URL and calls its `render`
 * with a model that keeps the state in the page (`get`, `set`, `save_changes`, `on` and `off`,
 * the part of anywidget's model interface the explorers use; with no kernel to save to,
 * `save_changes` only keeps the values here). An explorer never on screen costs nothing.
 *
 * The loader is a classic script (not a module), because Chromium refuses module scripts on
 * file:// pages; each explorer's module source arrives in a classic script too, and is imported
 * from a blob: URL, which Chromium allows there.
 * A link to an explorer (`#perceptron-explorer`, the explorers' settings links) draws the
 * explorers up to that one at once and scrolls to it.
 */
(() => {
  const STATE = "application/vnd.jupyter.widget-state+json";
  const VIEW = "application/vnd.jupyter.widget-view+json";
  /** How far below (and above) the screen an explorer starts being drawn. */
  const MARGIN = "600px 0px";

  /** A widget model whose state lives in the page. */
  class PageModel {
    constructor(state) {
      this.state = { ...state };
      this.listeners = new Map();
    }

    get(name) {
      return this.state[name];
    }

    set(name, value) {
      const before = this.state[name];
      this.state[name] = value;
      if (before !== value) {
        this.emit(`change:${name}`, value);
        this.emit("change", value);
      }
    }

    save_changes() {}

    send() {}

    on(event, callback) {
      if (!this.listeners.has(event)) this.listeners.set(event, new Set());
      this.listeners.get(event).add(callback);
    }

    off(event, callback) {
      if (!event) this.listeners.clear();
      else if (!callback) this.listeners.delete(event);
      else this.listeners.get(event)?.delete(callback);
    }

    emit(event, value) {
      for (const callback of [...(this.listeners.get(event) ?? [])]) callback(value);
    }
  }

  const styled = new Set();

  /** Add a widget's style sheet to the page once per widget class. */
  function addStyle(state) {
    const key = state._anywidget_id ?? state._css;
    if (!state._css || styled.has(key)) return;
    styled.add(key);
    const style = document.createElement("style");
    style.dataset.anywidget = key;
    style.textContent = state._css;
    document.head.append(style);
  }

  /** Where the site keeps the explorers' modules and saved states: `_static/dlbook-explorers/`, beside this script. */
  const FILES = new URL("dlbook-explorers/", document.currentScript.src);
  /** How the build names a file in the saved state instead of holding its content (_ext/dlbook_pages.py). */
  const REFERENCE = "dlbook-file:";
  /** The key of the saved state that names the file of the rest of it. */
  const STATE_FILE = "_dlbook_state";
  const files = new Map();
  const modules = new Map();

  /**
   * What a file of the site holds (an explorer's module source or the rest of its saved state),
   * fetched once: the build wrote it as a classic script that hands it over, because Chromium
   * loads no module or JSON file on a page opened from the file system. A value that is not a
   * reference is the content itself.
   */
  function load(value) {
    if (typeof value !== "string" || !value.startsWith(REFERENCE)) return Promise.resolve(value);
    const name = value.slice(REFERENCE.length);
    if (!files.has(name)) {
      files.set(name, new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL(`${name}.js`, FILES).href;
        script.onload = () => {
          if (globalThis.dlbookFiles && name in globalThis.dlbookFiles) resolve(globalThis.dlbookFiles[name]);
          else reject(new Error(`dlbook-widgets: ${script.src} holds no file ${name}`));
        };
        script.onerror = () => reject(new Error(`dlbook-widgets: cannot load ${script.src}`));
        document.head.append(script);
      }));
    }
    return files.get(name);
  }

  /** The ES module of an explorer, imported once per module from a blob: URL. */
  function importModule(esm) {
    if (!modules.has(esm)) {
      modules.set(esm, load(esm).then((source) => {
        const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
        return import(url).finally(() => URL.revokeObjectURL(url));
      }));
    }
    return modules.get(esm);
  }

  /** An explorer's whole saved state: what the page holds and the rest, from its file. */
  async function savedState(kept) {
    const { [STATE_FILE]: file, ...state } = kept;
    return file === undefined ? state : { ...state, ...(await load(file)) };
  }

  /** Each view's element (`host`) and the saved state of its model, in the order of the page. */
  const views = new Map();
  const mounted = new Map();

  /** Draw the explorer of `host` (once); resolves when it is drawn. */
  function mount(host) {
    if (!mounted.has(host)) mounted.set(host, render(host, views.get(host)));
    return mounted.get(host);
  }

  async function render(host, entry) {
    const [module, state] = await Promise.all([importModule(entry.state._esm), savedState(entry.state)]);
    const widget = typeof module.default === "function" ? await module.default() : module.default;
    const model = new PageModel(state);
    await widget.initialize?.({ model });
    await widget.render({ model, el: host });
    host.dataset.ready = "true";
  }

  /** Draw the explorers up to the one a link points at (`#softmax-explorer`), then show it. */
  async function followLink(hosts) {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!/-explorer(-\d+)?$/.test(id) || document.getElementById(id)) return;
    for (const host of hosts) {
      await mount(host);
      const target = document.getElementById(id);
      if (target) {
        target.scrollIntoView();
        return;
      }
    }
  }

  function report(error) {
    console.error(error);
  }

  function main() {
    globalThis.dlbookSite = true;
    const stateScript = document.querySelector(`script[type="${STATE}"]`);
    if (!stateScript) return;
    const models = JSON.parse(stateScript.textContent).state;
    const ordinals = new Map();
    for (const script of document.querySelectorAll(`script[type="${VIEW}"]`)) {
      const { model_id: id } = JSON.parse(script.textContent);
      const entry = models[id];
      if (entry?.model_module !== "anywidget" || typeof entry.state._esm !== "string") {
        report(new Error(`dlbook-widgets: widget ${id} is not an anywidget explorer with a saved state`));
        continue;
      }
      addStyle(entry.state);
      const host = document.createElement("div");
      host.className = ["dlbook-widget", ...(entry.state._dom_classes ?? [])].join(" ");
      // The explorer's place among those of its kind on the page: its link's anchor
      // (`softmax-explorer-2`) names the same one whatever order they are drawn in.
      const kind = entry.state._anywidget_id ?? entry.state._esm;
      ordinals.set(kind, (ordinals.get(kind) ?? 0) + 1);
      host.dataset.dlbookOrdinal = String(ordinals.get(kind));
      script.before(host);
      views.set(host, entry);
    }
    const hosts = [...views.keys()];
    const observer = new IntersectionObserver((entries) => {
      for (const { target, isIntersecting } of entries) {
        if (!isIntersecting) continue;
        observer.unobserve(target);
        mount(target).catch(report);
      }
    }, { rootMargin: MARGIN });
    hosts.forEach((host) => observer.observe(host));
    followLink(hosts).catch(report);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
