/*
 * The website's own widget loader: it makes the book's explorers live on a static page,
 * with no kernel and nothing fetched from outside the site.
 *
 * Each page built from an executed notebook holds the saved widget state
 * (<script type="application/vnd.jupyter.widget-state+json">, written by myst-nb) and,
 * where a cell displayed a widget, a view (<script type="application/vnd.jupyter.widget-view+json">).
 * Every explorer is an anywidget: its state holds its ES module (`_esm`) and style sheet
 * (`_css`). For each view this loader imports that module and calls its `render` with a
 * model that keeps the state in the page: `get`, `set`, `save_changes`, `on` and `off`,
 * the part of anywidget's model interface the explorers use. There is no kernel to save
 * to, so `save_changes` only keeps the values here.
 */

const STATE = "application/vnd.jupyter.widget-state+json";
const VIEW = "application/vnd.jupyter.widget-view+json";

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

/** Import an ES module from its source text (a blob: URL never leaves the page). */
async function importSource(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Render the view `script` of the model whose saved state is `entry`. */
async function mount(script, entry) {
  const { state } = entry;
  if (entry.model_module !== "anywidget" || typeof state._esm !== "string") {
    throw new Error(`dlbook-widgets: ${entry.model_module}.${entry.model_name} is not an anywidget explorer`);
  }
  addStyle(state);
  const host = document.createElement("div");
  host.className = ["dlbook-widget", ...(state._dom_classes ?? [])].join(" ");
  script.before(host);
  const module = await importSource(state._esm);
  const widget = typeof module.default === "function" ? await module.default() : module.default;
  const model = new PageModel(state);
  await widget.initialize?.({ model });
  await widget.render({ model, el: host });
  host.dataset.ready = "true";
}

async function main() {
  globalThis.dlbookSite = true;
  const stateScript = document.querySelector(`script[type="${STATE}"]`);
  if (!stateScript) return;
  const models = JSON.parse(stateScript.textContent).state;
  const views = [...document.querySelectorAll(`script[type="${VIEW}"]`)];
  await Promise.all(views.map((script) => {
    const { model_id: id } = JSON.parse(script.textContent);
    if (!models[id]) return Promise.reject(new Error(`dlbook-widgets: no saved state for widget ${id}`));
    return mount(script, models[id]);
  }));
}

main().catch((error) => console.error(error));
