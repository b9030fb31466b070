/**
 * The softmax explorer (`dlbook.widgets.softmax.SoftmaxExplorer`): the probabilities
 * softmax(z / T) of three classes as bars, the true class's in red, the uniform 1/3
 * dashed, and the cross-entropy of the true class, recomputed here at every move.
 */
import { fixed } from "../compute/format.js";
import { softmaxReadout, softmaxWithTemperature } from "../compute/softmax.js";
import { C0, C3, createFigure, createPanel, drawLegend } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const STATE = ["z1", "z2", "z3", "temperature", "true_class"];
const BAR_WIDTH = 0.6;

/** What the figure shows, for screen readers. */
export function describeSoftmax(names, probabilities, loss, trueClass) {
  const bars = names.map((name, i) => `${name} ${fixed(probabilities[i], 3)}`).join(", ");
  return `Bar chart of the probabilities softmax(z / T): ${bars}. The true class, ${names[trueClass]},`
    + ` is the red bar; the dashed line marks the uniform 1/3. Cross-entropy ${fixed(loss, 3)}.`;
}

function render({ model, el }) {
  const names = model.get("class_names");
  const positions = names.map((_, i) => i);
  const fig = createFigure({ width: 480, height: 288 });
  const panel = createPanel(fig, {
    left: 58, top: 10, width: 410, height: 236, x: { domain: [-0.43, names.length - 0.57] },
    y: { domain: [0, 1.12] }, yLabel: "probability ŷᵢ", xTickValues: positions, xTickLabels: names,
  });
  const uniform = panel.y(1 / names.length);
  panel.content.append("line").attr("x1", panel.left).attr("x2", panel.left + panel.width)
    .attr("y1", uniform).attr("y2", uniform).attr("stroke", "#808080").attr("stroke-dasharray", "5 3");
  const barWidth = panel.x(BAR_WIDTH) - panel.x(0);
  const bars = positions.map((i) => panel.content.append("rect").attr("x", panel.x(i) - barWidth / 2)
    .attr("width", barWidth));
  const labels = positions.map((i) => panel.content.append("text").attr("class", "dlbook-label")
    .attr("x", panel.x(i)).attr("text-anchor", "middle"));
  const lossText = panel.root.append("text").attr("class", "dlbook-label")
    .attr("x", panel.left + panel.width - 8).attr("y", panel.top + 18).attr("text-anchor", "end");
  drawLegend(panel, [
    { label: "uniform 1/3", draw: (g) => g.append("line").attr("x2", 22).attr("stroke", "#808080")
      .attr("stroke-dasharray", "5 3") },
  ], "upper left");
  const shell = mountExplorer({ model, el, key: "softmax", figure: fig.figure });

  const redraw = () => {
    const logits = [model.get("z1"), model.get("z2"), model.get("z3")];
    const temperature = model.get("temperature");
    const trueClass = model.get("true_class");
    const { probabilities, loss } = softmaxWithTemperature(logits, temperature, trueClass);
    probabilities.forEach((p, i) => {
      bars[i].attr("y", panel.y(p)).attr("height", panel.y(0) - panel.y(p)).attr("fill", i === trueClass ? C3 : C0);
      labels[i].attr("y", panel.y(p + 0.01) - 2).text(fixed(p, 3));
    });
    lossText.text(`cross-entropy for ${names[trueClass]}: ${fixed(loss, 3)}`);
    shell.setReadout(softmaxReadout(logits, temperature, trueClass));
    fig.describe(describeSoftmax(names, probabilities, loss, trueClass));
  };
  redraw();
  return onChange(model, STATE, redraw);
}

export default { render };
