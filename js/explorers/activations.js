/**
 * The activation explorer (`dlbook.widgets.activations.ActivationExplorer`): one neuron
 * y = f(w x + b) on top, with f(x) dashed for comparison and the centre x = -b/w dotted,
 * and its slope dy/dx = w f'(w x + b) below, recomputed here at every move of a control.
 */
import { line } from "d3-shape";
import { getActivation, neuronCurve, neuronReadout } from "../compute/activations.js";
import { fixed, signedTerm } from "../compute/format.js";
import { linspace } from "../compute/plane.js";
import { C0, C3, createFigure, createPanel, drawLegend } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const STATE = ["activation", "w", "b"];

/** What the figure shows, for screen readers. */
export function describeNeuron(xs, w, b, activation) {
  const { y } = neuronCurve(xs, w, b, activation);
  const centre = w === 0 ? "there is no centre because w = 0" : `the centre x = −b/w = ${fixed(-b / w + 0, 2)} is dotted`;
  return `Top: the neuron's output y = ${activation}(${fixed(w, 1)} x ${signedTerm(b, 1)}) for x from`
    + ` ${fixed(xs[0], 0)} to ${fixed(xs.at(-1), 0)}, going from ${fixed(y[0], 2)} to ${fixed(y.at(-1), 2)},`
    + ` with ${activation}(x) dashed for comparison; ${centre}. Bottom: its slope dy/dx.`;
}

function render({ model, el }) {
  const [low, high] = model.get("x_range");
  const xs = linspace(low, high, model.get("points"));
  const fig = createFigure({ width: 480, height: 368 });
  const panelY = createPanel(fig, {
    left: 58, top: 10, width: 410, height: 148, x: { domain: [low, high] }, y: { domain: [0, 1] },
    yLabel: "output y", xTickLabels: false,
  });
  const panelSlope = createPanel(fig, {
    left: 58, top: 172, width: 410, height: 148, x: { domain: [low, high] }, y: { domain: [-1, 1] },
    xLabel: "input x", yLabel: "slope dy/dx",
  });
  const zeroLines = [panelY, panelSlope].map((panel) => panel.content.append("line")
    .attr("stroke", "#ccc").attr("stroke-width", 0.8));
  const reference = panelY.content.append("path").attr("fill", "none").attr("stroke", "#999")
    .attr("stroke-width", 1.2).attr("stroke-dasharray", "5 3");
  const curve = panelY.content.append("path").attr("fill", "none").attr("stroke", C0).attr("stroke-width", 2.2);
  const slope = panelSlope.content.append("path").attr("fill", "none").attr("stroke", C3).attr("stroke-width", 2.2);
  const centres = [panelY, panelSlope].map((panel) => panel.content.append("line")
    .attr("stroke", "#4d4d4d").attr("stroke-width", 1.2).attr("stroke-dasharray", "1.5 2.5"));
  drawLegend(panelY, [
    { label: "f(x)", draw: (g) => g.append("line").attr("x2", 22).attr("stroke", "#999")
      .attr("stroke-width", 1.2).attr("stroke-dasharray", "5 3") },
    { label: "f(wx + b)", draw: (g) => g.append("line").attr("x2", 22).attr("stroke", C0).attr("stroke-width", 2.2) },
  ], "upper left");
  drawLegend(panelSlope, [
    { label: "w f′(wx + b)", draw: (g) => g.append("line").attr("x2", 22).attr("stroke", C3).attr("stroke-width", 2.2) },
  ], "upper left");
  const shell = mountExplorer({ model, el, key: "activations", figure: fig.figure });

  const weight = model.get("_controls").find((spec) => spec.name === "w");
  const largestWeight = Math.max(Math.abs(weight.min), Math.abs(weight.max));
  let limitsFor = null;
  const setLimits = (activation) => {
    if (activation === limitsFor) return;
    const reach = 1.1 * model.get("max_slope")[activation] * largestWeight;
    panelY.setDomains([low, high], model.get("y_limits")[activation]);
    panelSlope.setDomains([low, high], [-reach, reach]);
    zeroLines.forEach((zero, i) => {
      const panel = [panelY, panelSlope][i];
      zero.attr("x1", panel.left).attr("x2", panel.left + panel.width).attr("y1", panel.y(0)).attr("y2", panel.y(0));
    });
    limitsFor = activation;
  };

  const redraw = () => {
    const activation = model.get("activation");
    const w = model.get("w");
    const b = model.get("b");
    setLimits(activation);
    const { y, slope: dydx } = neuronCurve(xs, w, b, activation);
    const f = getActivation(activation);
    const path = (panel, values) => line().x((_, i) => panel.x(xs[i])).y((v) => panel.y(v))(values);
    reference.attr("d", path(panelY, xs.map(f)));
    curve.attr("d", path(panelY, y));
    slope.attr("d", path(panelSlope, dydx));
    const centre = w !== 0 ? -b / w : null;
    centres.forEach((mark, i) => {
      const panel = [panelY, panelSlope][i];
      if (centre === null || centre < low || centre > high) {
        mark.attr("visibility", "hidden");
      } else {
        mark.attr("visibility", "visible").attr("x1", panel.x(centre)).attr("x2", panel.x(centre))
          .attr("y1", panel.top).attr("y2", panel.top + panel.height);
      }
    });
    shell.setReadout(neuronReadout(xs, w, b, activation));
    fig.describe(describeNeuron(xs, w, b, activation));
  };
  redraw();
  return onChange(model, STATE, redraw);
}

export default { render };
