/**
 * The draw-a-digit explorer (`dlbook.widgets.digits.DigitExplorer`): the reader draws on a
 * 32 x 32 pad with the mouse, a finger or the keyboard; the pad becomes the 8 x 8 image the
 * network reads (as the book's data were made), and the chapter's trained network gives its
 * ten probabilities, recomputed here at every stroke. Test digits can be loaded; Clear
 * empties the pad.
 */
import {
  digitProbabilities, digitReadout, imageFromPad, inkSegment, PAD, padFromCounts, PIXEL_MAX, SIDE,
} from "../compute/digits.js";
import { fixed } from "../compute/format.js";
import { paramsFromLists } from "../compute/playground.js";
import { element, OWN_KEYS, uniqueId } from "../ui/controls.js";
import { CLASS_COLORS, createFigure, createPanel } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

/** The pen's radius in pad pixels: strokes six to seven pad pixels wide, about as bold as the scanned forms'. */
const PEN = 3;

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
  const pad = padFromCounts(model.get("image"));

  // The drawing pad: a canvas of PAD x PAD pixels, scaled up without smoothing.
  const canvas = element("canvas", { width: PAD, height: PAD, "aria-hidden": "true" });
  const helpId = uniqueId("dlbook-pad-help");
  const padBox = element("div", {
    class: "dlbook-pad", role: "application", tabindex: 0, "aria-roledescription": "drawing pad",
    "aria-describedby": helpId, ...OWN_KEYS,
  }, [canvas]);
  const help = element("p", { id: helpId, class: "dlbook-pad-help" }, [
    "Draw with the mouse or a finger; the drawing is scaled, keeping its shape, until its longer side "
    + "spans the pad, as the scanned digits were. Keyboard: arrow keys move the pen (Shift: four steps), "
    + "Space lifts or lowers it, Delete clears.",
  ]);
  const context = canvas.getContext("2d");
  const padImage = context.createImageData(PAD, PAD);
  const pen = { col: PAD / 2, row: PAD / 2, down: false };

  const fig = createFigure({ width: 420, height: 236, className: "dlbook-digits-figure" });
  fig.figure.prepend(padBox);
  const cell = 24;
  const imageGroup = fig.svg.append("g").attr("transform", "translate(8,22)");
  fig.svg.append("text").attr("class", "dlbook-label").attr("x", 8 + (SIDE * cell) / 2).attr("y", 14)
    .attr("text-anchor", "middle").text("what the network reads");
  const cells = Array.from({ length: SIDE * SIDE }, (_, k) => imageGroup.append("rect")
    .attr("x", (k % SIDE) * cell).attr("y", Math.floor(k / SIDE) * cell)
    .attr("width", cell).attr("height", cell));
  imageGroup.append("rect").attr("class", "dlbook-frame").attr("width", SIDE * cell).attr("height", SIDE * cell);
  const bars = createPanel(fig, {
    left: 238, top: 22, width: 172, height: 180, x: { domain: [-0.6, 9.6] }, y: { domain: [0, 1] },
    xTickValues: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], xTickLabels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    xLabel: "digit", yLabel: "", title: "probability", ticks: 5,
  });
  const barWidth = bars.x(0.7) - bars.x(0);
  const barRects = Array.from({ length: 10 }, (_, digit) => bars.content.append("rect")
    .attr("x", bars.x(digit) - barWidth / 2).attr("width", barWidth));

  const examples = model.get("examples");
  const clear = element("button", { type: "button", class: "dlbook-clear", ...OWN_KEYS }, ["Clear"]);
  const shell = mountExplorer({
    model, el, key: "digits", figure: fig.figure, extra: [element("div", { class: "dlbook-actions" }, [clear, help])],
  });

  const drawPad = () => {
    for (let k = 0; k < PAD * PAD; k++) {
      const row = Math.floor(k / PAD);
      const col = k % PAD;
      const isPen = document.activeElement === padBox && row === Math.floor(pen.row) && col === Math.floor(pen.col);
      const value = isPen ? (pen.down ? 80 : 160) : pad[k] ? 0 : 255;
      padImage.data.set([isPen ? 213 : value, isPen ? 94 : value, isPen ? 0 : value, 255], 4 * k);
    }
    context.putImageData(padImage, 0, 0);
    padBox.setAttribute("aria-label", `Drawing pad, ${PAD} by ${PAD}: pen ${pen.down ? "down" : "up"} at column`
      + ` ${Math.floor(pen.col) + 1}, row ${Math.floor(pen.row) + 1}`);
  };

  const redraw = () => {
    const pixels = model.get("image");
    const probabilities = digitProbabilities(params, pixels, activation);
    pixels.forEach((p, k) => {
      const grey = Math.round(255 * (1 - p / PIXEL_MAX));
      cells[k].attr("fill", `rgb(${grey},${grey},${grey})`).attr("data-value", p);
    });
    const best = probabilities.indexOf(Math.max(...probabilities));
    probabilities.forEach((p, digit) => {
      barRects[digit].attr("y", bars.y(p)).attr("height", bars.y(0) - bars.y(p))
        .attr("fill", digit === best ? CLASS_COLORS[1] : "#8c8c8c");
    });
    shell.setReadout(digitReadout(pixels, probabilities));
    fig.describe(describeDigits(pixels, probabilities));
  };

  /** The reader drew: hand the image the network reads to the model (and so to Python, and to redraw). */
  const padChanged = () => {
    drawPad();
    const image = imageFromPad(pad);
    if (image.some((c, k) => c !== model.get("image")[k])) {
      model.set("image", image);
      model.save_changes();
    }
  };

  // Mouse and finger: pointer events, captured so a stroke may leave the pad and come back.
  let last = null;
  const padPoint = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * PAD, ((event.clientY - box.top) / box.height) * PAD];
  };
  padBox.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    padBox.setPointerCapture(event.pointerId);
    last = padPoint(event);
    if (inkSegment(pad, last, last, PEN)) padChanged();
  });
  padBox.addEventListener("pointermove", (event) => {
    if (last === null) return;
    const point = padPoint(event);
    if (inkSegment(pad, last, point, PEN)) padChanged();
    last = point;
  });
  const lift = () => {
    last = null;
  };
  padBox.addEventListener("pointerup", lift);
  padBox.addEventListener("pointercancel", lift);

  // Keyboard: a pen that arrow keys move and Space lowers or lifts.
  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  padBox.addEventListener("keydown", (event) => {
    if (event.key in MOVES) {
      const [dc, dr] = MOVES[event.key].map((d) => d * (event.shiftKey ? 4 : 1));
      const from = [pen.col + 0.5, pen.row + 0.5];
      pen.col = Math.min(PAD - 1, Math.max(0, pen.col + dc));
      pen.row = Math.min(PAD - 1, Math.max(0, pen.row + dr));
      if (pen.down) inkSegment(pad, from, [pen.col + 0.5, pen.row + 0.5], PEN);
    } else if (event.key === " " || event.key === "Enter") {
      pen.down = !pen.down;
      if (pen.down) inkSegment(pad, [pen.col + 0.5, pen.row + 0.5], [pen.col + 0.5, pen.row + 0.5], PEN);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      pad.fill(0);
    } else {
      return;
    }
    event.preventDefault();
    padChanged();
  });
  padBox.addEventListener("focus", drawPad);
  padBox.addEventListener("blur", drawPad);

  clear.addEventListener("click", () => {
    pad.fill(0);
    padChanged();
  });

  /** The image changed: from the pad, or from elsewhere (a test image loaded, Python), then shown on the pad. */
  const imageChanged = () => {
    const image = model.get("image");
    const fromPad = imageFromPad(pad);
    if (image.some((c, k) => c !== fromPad[k])) pad.set(padFromCounts(image));
    drawPad();
    redraw();
  };
  const exampleChosen = () => {
    model.set("image", [...examples[model.get("example")].image]);
    model.save_changes();
  };

  drawPad();
  redraw();
  const stopImage = onChange(model, ["image"], imageChanged);
  const stopExample = onChange(model, ["example"], exampleChosen);
  return () => {
    stopImage();
    stopExample();
  };
}

export default { render };
