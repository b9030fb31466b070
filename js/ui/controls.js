/**
 * The controls of an explorer, built from the list the Python widget declares
 * (`dlbook.widgets.explorer.Control`, the `_controls` trait): native range inputs and
 * menus with visible labels, so that the mouse, a finger, Tab and the arrow keys work
 * as everywhere else, and screen readers name each control by its label.
 *
 * Each control writes its value to the model (`model.set` + `model.save_changes`) on
 * every input event, and follows the model when Python (or another view) changes it.
 */
import { fixed } from "../compute/format.js";

let counter = 0;

/** A unique element id for this page (several explorers may share it). */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * Attributes of every focusable element of an explorer: JupyterLab binds the arrow keys,
 * Enter and single letters to the notebook whenever anything in it has focus, and honours
 * this opt-out only on the focused element itself.
 */
export const OWN_KEYS = { "data-lm-suppress-shortcuts": "" };

/** document.createElement with attributes and children. */
export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  node.append(...children);
  return node;
}

/** How a control maps between the model's value and the range input's position. */
function positionMap(spec) {
  if (spec.kind === "choices") {
    return {
      min: 0, max: spec.values.length - 1, step: 1,
      toPosition: (value) => Math.max(0, spec.values.indexOf(value)),
      fromPosition: (position) => spec.values[Math.round(position)],
      text: (value) => spec.labels[spec.values.indexOf(value)] ?? String(value),
    };
  }
  if (spec.scale === "log") {
    return {
      min: Math.log10(spec.min), max: Math.log10(spec.max), step: spec.step,
      toPosition: (value) => Math.log10(value),
      fromPosition: (position) => 10 ** position,
      text: (value) => fixed(value, spec.digits),
    };
  }
  return {
    min: spec.min, max: spec.max, step: spec.step,
    toPosition: (value) => value,
    fromPosition: (position) => position,
    text: (value) => fixed(value, spec.digits),
  };
}

/** A labelled range input with the value written beside it (also as aria-valuetext). */
function slider(spec, model, id) {
  const map = positionMap(spec);
  const input = element("input", {
    type: "range", id, name: spec.name, min: map.min, max: map.max, step: map.step, ...OWN_KEYS,
  });
  const output = element("output", { for: id, "aria-hidden": "true" });
  const show = (value) => {
    input.value = String(map.toPosition(value));
    const text = map.text(value);
    output.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  input.addEventListener("input", () => {
    const value = map.fromPosition(Number(input.value));
    output.textContent = map.text(value);
    input.setAttribute("aria-valuetext", output.textContent);
    model.set(spec.name, value);
    model.save_changes();
  });
  return { input, output, show };
}

/** A labelled drop-down menu of the allowed values. */
function menu(spec, model, id) {
  const input = element("select", { id, name: spec.name, ...OWN_KEYS },
    spec.values.map((value, i) => element("option", { value: i }, [spec.labels[i]])));
  input.addEventListener("change", () => {
    model.set(spec.name, spec.values[Number(input.value)]);
    model.save_changes();
  });
  const show = (value) => {
    input.value = String(spec.values.indexOf(value));
  };
  return { input, output: null, show };
}

/**
 * Build every control of `specs` into a container, bound to `model`. Returns
 * {container, inputs} where inputs maps each trait name to its input element.
 */
export function buildControls(specs, model) {
  const container = element("div", { class: "dlbook-controls" });
  const inputs = {};
  for (const spec of specs) {
    const id = uniqueId(`dlbook-${spec.name}`);
    const control = spec.kind === "menu" ? menu(spec, model, id) : slider(spec, model, id);
    const label = element("label", { for: id }, [spec.label]);
    const row = element("div", { class: `dlbook-control dlbook-control-${spec.kind}` },
      [label, control.input, ...(control.output ? [control.output] : [])]);
    container.append(row);
    control.show(model.get(spec.name));
    model.on(`change:${spec.name}`, () => control.show(model.get(spec.name)));
    inputs[spec.name] = control.input;
  }
  return { container, inputs };
}
