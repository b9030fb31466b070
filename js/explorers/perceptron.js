/**
 * The perceptron explorer (`dlbook.widgets.perceptron.PerceptronExplorer`): the output
 * f(w . x + b) over the plane as coloured regions, the decision boundary w . x + b = 0
 * dashed, the data of two classes and the input x as a star. Every slider or menu change
 * recomputes all of it here, in the browser.
 */
import { fixed, signedTerm } from "../compute/format.js";
import { decisionLine, gridPoints, plotExtent } from "../compute/plane.js";
import { outputRange, perceptron, perceptronMany, perceptronReadout } from "../compute/perceptron.js";
import {
  createColorbar, createFigure, createPanel, createRegions, drawLegend, drawPoints, starPath,
} from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const RESOLUTION = 60;
const STATE = ["w1", "w2", "b", "activation", "x1", "x2"];

/** The explorer's settings as the compute functions take them. */
function settings(model) {
  return {
    X: model.get("points"), y: model.get("labels"),
    w: [model.get("w1"), model.get("w2")], b: model.get("b"),
    activation: model.get("activation"), x: [model.get("x1"), model.get("x2")],
  };
}

/** What the figure shows, for screen readers. */
export function describePerceptron({ w, b, activation, x, X }) {
  const output = perceptron(x, w, b, activation);
  return `Output of the perceptron ${activation}(${fixed(w[0], 1)} x₁ ${signedTerm(w[1], 1)} x₂ ${signedTerm(b, 1)})`
    + ` coloured over the plane, with ${X.length} points of two classes: blue circles (class 0) and`
    + ` vermillion squares (class 1). The dashed decision boundary is where w·x + b = 0; the star is`
    + ` the input x = (${fixed(x[0], 1)}, ${fixed(x[1], 1)}), whose output is ${fixed(output, 3)}.`;
}

function render({ model, el }) {
  const fig = createFigure({ width: 440, height: 336 });
  const X = model.get("points");
  const extent = plotExtent(X);
  const panel = createPanel(fig, {
    left: 50, top: 12, width: 300, height: 280,
    x: { domain: extent.slice(0, 2) }, y: { domain: extent.slice(2) }, xLabel: "x₁", yLabel: "x₂",
  });
  const grid = gridPoints(extent, RESOLUTION);
  const regions = createRegions(fig, panel, RESOLUTION);
  const colorbar = createColorbar(fig, { left: 366, top: 12, width: 14, height: 280, label: "output ŷ" });
  drawPoints(panel, X, model.get("labels"));
  const line = panel.content.append("line").attr("class", "dlbook-boundary")
    .attr("stroke", "#000").attr("stroke-width", 2).attr("stroke-dasharray", "7 3");
  const star = panel.content.append("path").attr("d", starPath())
    .attr("fill", "gold").attr("stroke", "#000").attr("stroke-width", 0.8);
  drawLegend(panel, [
    { label: "w·x + b = 0", draw: (g) => g.append("line").attr("x2", 22).attr("stroke", "#000")
      .attr("stroke-width", 2).attr("stroke-dasharray", "7 3") },
    { label: "input x", draw: (g) => g.append("path").attr("d", starPath(7, 3)).attr("transform", "translate(11,0)")
      .attr("fill", "gold").attr("stroke", "#000").attr("stroke-width", 0.8) },
  ]);
  const shell = mountExplorer({ model, el, key: "perceptron", figure: fig.figure });

  let colourRange = null;
  const redraw = () => {
    const s = settings(model);
    const outputs = perceptronMany(grid, s.w, s.b, s.activation);
    const [vmin, vmax] = outputRange(s.activation, outputs);
    regions.draw(outputs, vmin, vmax);
    if (!colourRange || colourRange[0] !== vmin || colourRange[1] !== vmax) {
      colorbar.setRange(vmin, vmax);
      colourRange = [vmin, vmax];
    }
    const [xs, ys] = decisionLine(s.w, s.b, extent);
    if (xs.length) {
      line.attr("visibility", "visible")
        .attr("x1", panel.x(xs[0])).attr("y1", panel.y(ys[0]))
        .attr("x2", panel.x(xs[1])).attr("y2", panel.y(ys[1]));
    } else {
      line.attr("visibility", "hidden");
    }
    star.attr("transform", `translate(${panel.x(s.x[0])},${panel.y(s.x[1])})`);
    shell.setReadout(perceptronReadout(s));
    fig.describe(describePerceptron(s));
  };
  redraw();
  return onChange(model, STATE, redraw);
}

export default { render };
