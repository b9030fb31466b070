/**
 * The draw-a-digit explorer (`dlbook.widgets.digits.DigitExplorer`): the reader draws on a
 * 32 x 32 pad with the mouse, a finger or the keyboard; the pad becomes the 8 x 8 image the
 * network reads (as the book's data were made), and the chapter's trained network gives its
 * ten probabilities, recomputed here at every stroke. Test digits can be loaded; Clear
 * empties the pad (the pad is `js/ui/pad.js`, shared with the chapter 10 explorers).
 */
import { digitProbabilities, digitReadout, PIXEL_MAX, SIDE } from "../compute/digits.js";
import { fixed } from "../compute/format.js";
import { paramsFromLists } from "../compute/playground.js";
import { element } from "../ui/controls.js";
import { createFigure, createProbabilityBars } from "../ui/figure.js";
import { mountExplorer } from "../ui/explorer.js";
import { createPad } from "../ui/pad.js";

/** What the figure shows, for screen readers. */
export function describeDigits(pixels, probabilities) {
  const inked = pixels.filter((p) => p > 0).length;
  const best = probabilities.indexOf(Math.max(...probabilities));
  return `The 8 by 8 image the network reads (${inked} of 64 pixels inked) and a bar chart of its ten`
    + ` probabilities, one per digit; the tallest bar, in vermillion, ${fixed(probabilities[best], 3)}, is for ${best}.`;
}

function render({ model, el }) {
  const params = paramsFromLists(model.get("params"));
  const activation = model.get("activation");
  const drawing = createPad(model);

  const fig = createFigure({ width: 420, height: 236, className: "dlbook-digits-figure" });
  fig.figure.prepend(drawing.padBox);
  const cell = 24;
  const imageGroup = fig.svg.append("g").attr("transform", "translate(8,22)");
  fig.svg.append("text").attr("class", "dlbook-label").attr("x", 8 + (SIDE * cell) / 2).attr("y", 14)
    .attr("text-anchor", "middle").text("what the network reads");
  const cells = Array.from({ length: SIDE * SIDE }, (_, k) => imageGroup.append("rect")
    .attr("x", (k % SIDE) * cell).attr("y", Math.floor(k / SIDE) * cell)
    .attr("width", cell).attr("height", cell));
  imageGroup.append("rect").attr("class", "dlbook-frame").attr("width", SIDE * cell).attr("height", SIDE * cell);
  const bars = createProbabilityBars(fig, { left: 238, top: 22, width: 172, height: 180 });

  const shell = mountExplorer({
    model, el, key: "digits", figure: fig.figure,
    extra: [element("div", { class: "dlbook-actions" }, [drawing.clear, drawing.help])],
  });

  const redraw = () => {
    const pixels = model.get("image");
    const probabilities = digitProbabilities(params, pixels, activation);
    pixels.forEach((p, k) => {
      const grey = Math.round(255 * (1 - p / PIXEL_MAX));
      cells[k].attr("fill", `rgb(${grey},${grey},${grey})`).attr("data-value", p);
    });
    bars.draw(probabilities);
    shell.setReadout(digitReadout(pixels, probabilities));
    fig.describe(describeDigits(pixels, probabilities));
  };

  return drawing.connect(redraw);
}

export default { render };
