/**
 * The frame every explorer shares: its controls (from the `_controls` trait), a read-out
 * that screen readers announce when it changes (a polite live region), its figure, and on
 * the website a link that reopens the page with the current settings (they travel in the
 * address, as in TensorFlow Playground: `?perceptron.w1=1.5&perceptron.activation=tanh`).
 */
import { buildControls, element } from "./controls.js";

/** Call `callback` whenever one of the traits `names` changes; returns a function that stops it. */
export function onChange(model, names, callback) {
  for (const name of names) model.on(`change:${name}`, callback);
  return () => names.forEach((name) => model.off(`change:${name}`, callback));
}

/** The value a URL parameter gives for a control, or undefined when it is not one of the allowed ones. */
function parseSetting(spec, text) {
  if (spec.kind === "slider") {
    const value = Number(text);
    return Number.isFinite(value) && value >= spec.min && value <= spec.max ? value : undefined;
  }
  return spec.values.find((value) => String(value) === text);
}

/** Apply the settings the page's address holds for the explorer `key`; true if any was applied. */
export function applyAddressSettings(model, key, specs, search = globalThis.location?.search ?? "") {
  const params = new URLSearchParams(search);
  let applied = false;
  for (const spec of specs) {
    const text = params.get(`${key}.${spec.name}`);
    const value = text === null ? undefined : parseSetting(spec, text);
    if (value !== undefined) {
      model.set(spec.name, value);
      applied = true;
    }
  }
  if (applied) model.save_changes();
  return applied;
}

/** The query string that holds the current settings of the explorer `key`. */
export function settingsQuery(model, key, specs) {
  const params = new URLSearchParams();
  for (const spec of specs) params.set(`${key}.${spec.name}`, String(model.get(spec.name)));
  return `?${params}`;
}

/**
 * Lay out an explorer in `el`: controls, `extra` elements (buttons, progress), the
 * read-out, then the figure. Returns {inputs, readout, setReadout, controlsBox}.
 *
 * On the website, the settings the page's address holds for the explorer (its "Link to
 * these settings") are applied once `render` has returned, when the explorer follows its
 * controls: applying a link is moving the controls to its values, so the page shows what
 * it shows after that move by hand (a playground's saved run goes; a digit's test image
 * loads). So `render` must subscribe to the model before it returns, as every explorer does.
 */
export function mountExplorer({ model, el, key, figure, extra = [] }) {
  const specs = model.get("_controls");
  const { container, inputs } = buildControls(specs, model);
  const readout = element("p", { class: "dlbook-readout", role: "status", "aria-live": "polite" });
  el.classList.add("dlbook-explorer", `dlbook-${key}`);
  el.append(container, ...extra, readout, figure);
  if (globalThis.dlbookSite) {
    // The site's loader numbers the explorers of each kind in the order of the page, so that
    // the anchor names the same explorer whichever is drawn first.
    const ordinal = Number(el.dataset.dlbookOrdinal ?? 1);
    let id = ordinal > 1 ? `${key}-explorer-${ordinal}` : `${key}-explorer`;
    for (let n = ordinal + 1; document.getElementById(id); n++) id = `${key}-explorer-${n}`;
    el.id = id;
    const link = element("a", { class: "dlbook-share" }, ["Link to these settings"]);
    const update = () => {
      link.href = `${location.pathname}${settingsQuery(model, key, specs)}#${id}`;
    };
    update();
    onChange(model, specs.map((spec) => spec.name), update);
    el.append(element("p", { class: "dlbook-share-row" }, [link]));
    // A microtask runs after the synchronous rest of `render`, before the loader marks the view ready.
    queueMicrotask(() => applyAddressSettings(model, key, specs));
  }
  const setReadout = (text) => {
    if (readout.textContent !== text) readout.textContent = text;
  };
  return { inputs, readout, setReadout, controlsBox: container };
}
