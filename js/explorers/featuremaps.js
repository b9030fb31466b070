/**
 * The feature-map explorer (`dlbook.widgets.feature_maps.FeatureMapExplorer`): the chapter's
 * trained convolutional network reads the digit the reader draws or loads, shifted by whole
 * pixels if the reader asks. The figure shows what each layer computes: the network's input, the
 * 16 feature maps of the first layer and the 32 of the second (after ReLU, before pooling), and
 * the ten probabilities; the forward pass runs here (`js/compute/cnn.js`) at every stroke.
 */
import { cnnForward, featureMapReadout, networkInputs } from "../compute/cnn.js";
import { fixed } from "../compute/format.js";
import { element } from "../ui/controls.js";
import { createFigure, createProbabilityBars, weightColor } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";
import { createTiles, inkColor } from "../ui/maps.js";
import { createPad } from "../ui/pad.js";

/** The largest value of a stack of maps (0 for none), the top of their colour scale. */
function largest(maps) {
  return Math.max(0, ...maps.flat(2));
}

/** What the figure shows now, for screen readers. */
export function describeFeatureMaps(forward) {
  const { A1, A2, probabilities } = forward;
  const active = (maps) => maps.filter((map) => map.flat().some((v) => v > 0)).length;
  const best = probabilities.indexOf(Math.max(...probabilities));
  return `The network's input, 8 by 8; the first layer's ${A1.length} feature maps, 8 by 8, ${active(A1)} of them `
    + `with any positive value; the second layer's ${A2.length} maps, 4 by 4, ${active(A2)} of them active; and a `
    + `bar chart of the ten probabilities, the tallest, in vermillion, ${fixed(probabilities[best], 3)} for ${best}.`;
}

function render({ model, el }) {
  const params = model.get("params");
  const drawing = createPad(model);
  const fig = createFigure({ width: 440, height: 316, className: "dlbook-digits-figure dlbook-featuremaps-figure" });
  fig.figure.prepend(drawing.padBox);
  const label = (text, x, y) => fig.svg.append("text").attr("class", "dlbook-label").attr("x", x).attr("y", y)
    .attr("text-anchor", "middle").text(text);
  label("input", 40, 14);
  label("layer 1: 16 maps", 160, 14);
  label("layer 2: 32 maps", 116, 200);
  const input = createTiles(fig, { left: 8, top: 22, width: 64, columns: 1 });
  const layer1 = createTiles(fig, { left: 88, top: 22, width: 144, columns: 4, count: 16 });
  const layer2 = createTiles(fig, { left: 8, top: 208, width: 216, columns: 8, count: 32, side: 4 });
  fig.svg.append("text").attr("class", "dlbook-note").attr("x", 244).attr("y", 236)
    .text("maps after ReLU: white 0,");
  fig.svg.append("text").attr("class", "dlbook-note").attr("x", 244).attr("y", 250)
    .text("red the layer's largest value");
  const bars = createProbabilityBars(fig, { left: 272, top: 22, width: 160, height: 130 });

  const shell = mountExplorer({
    model, el, key: "featuremaps", figure: fig.figure,
    extra: [element("div", { class: "dlbook-actions" }, [drawing.clear, drawing.help])],
  });

  const redraw = () => {
    const [pixels, down, right] = [model.get("image"), model.get("down"), model.get("right")];
    const inputs = networkInputs(pixels, down, right);
    const forward = cnnForward(params, inputs);
    input.draw([[0, 1, 2, 3, 4, 5, 6, 7].map((row) => inputs.slice(8 * row, 8 * row + 8))],
      (x) => inkColor((x + 1) / 2));
    const [limit1, limit2] = [largest(forward.A1), largest(forward.A2)];
    layer1.draw(forward.A1, (v) => weightColor(v, limit1));
    layer2.draw(forward.A2, (v) => weightColor(v, limit2));
    bars.draw(forward.probabilities);
    shell.setReadout(featureMapReadout(pixels, forward.probabilities, down, right));
    fig.describe(describeFeatureMaps(forward));
  };

  const stops = [onChange(model, ["down", "right"], redraw), drawing.connect(redraw)];
  return () => stops.forEach((stop) => stop());
}

export default { render };
