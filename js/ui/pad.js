/**
 * The drawing pad every digit explorer shares (`dlbook.widgets.pad.PadExplorer`): the reader
 * draws on a 32 x 32 pad with the mouse, a finger or the keyboard, and the pad becomes the
 * 8 x 8 image the book's data are made of (`js/compute/digits.js`: the drawing scaled to fill
 * the pad's height, then each pixel counts the inked pad pixels of one 4 x 4 block, 0 to 16).
 * That image is the model's `image` trait, so Python sees the drawing; a test image chosen in
 * the `example` menu, or set from Python, is shown on the pad; Clear empties it.
 *
 * The pad element carries the image it stands for in `data-image` (64 numbers), for the tests.
 */
import { imageFromPad, inkSegment, PAD, padFromCounts } from "../compute/digits.js";
import { element, OWN_KEYS, uniqueId } from "./controls.js";
import { onChange } from "./explorer.js";

/** The pen's radius in pad pixels: strokes six to seven pad pixels wide, about as bold as the scanned forms'. */
const PEN = 3;

const HELP = "Draw with the mouse or a finger; the drawing is scaled, keeping its shape, until its longer side "
  + "spans the pad, as the scanned digits were. Keyboard: arrow keys move the pen (Shift: four steps), "
  + "Space lifts or lowers it, Delete clears.";

/**
 * The pad for `model`, not yet shown: {padBox, help, clear, connect}. Put `padBox` in the
 * figure and `clear` and `help` among the explorer's actions; then `connect(redraw)` makes the
 * pad and the model follow each other, calling `redraw` whenever the image changes, and
 * returns a function that stops it. Call it after the explorer's controls are mounted: a test
 * image chosen by the page's address (a settings link) is then loaded onto the pad.
 */
export function createPad(model) {
  const opened = model.get("example");
  const pad = padFromCounts(model.get("image"));
  const canvas = element("canvas", { width: PAD, height: PAD, "aria-hidden": "true" });
  const helpId = uniqueId("dlbook-pad-help");
  const padBox = element("div", {
    class: "dlbook-pad", role: "application", tabindex: 0, "aria-roledescription": "drawing pad",
    "aria-describedby": helpId, ...OWN_KEYS,
  }, [canvas]);
  const help = element("p", { id: helpId, class: "dlbook-pad-help" }, [HELP]);
  const clear = element("button", { type: "button", class: "dlbook-clear", ...OWN_KEYS }, ["Clear"]);
  const context = canvas.getContext("2d");
  const padImage = context.createImageData(PAD, PAD);
  const pen = { col: PAD / 2, row: PAD / 2, down: false };

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

  /** The reader drew: hand the image the pad stands for to the model (and so to Python, and to redraw). */
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
    try {
      padBox.setPointerCapture(event.pointerId);
    } catch {
      // no such active pointer (a pointer already lifted, a synthetic event): draw without capture
    }
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

  const connect = (redraw) => {
    /** The image changed: from the pad, or from elsewhere (a test image loaded, Python), then shown on the pad. */
    const imageChanged = () => {
      const image = model.get("image");
      const fromPad = imageFromPad(pad);
      if (image.some((c, k) => c !== fromPad[k])) pad.set(padFromCounts(image));
      padBox.dataset.image = image.join(" ");
      drawPad();
      redraw();
    };
    const exampleChosen = () => {
      model.set("image", [...model.get("examples")[model.get("example")].image]);
      model.save_changes();
    };
    const stops = [onChange(model, ["image"], imageChanged), onChange(model, ["example"], exampleChosen)];
    if (model.get("example") !== opened) exampleChosen();  // chosen before the pad listened: the address
    imageChanged();
    return () => stops.forEach((stop) => stop());
  };

  return { padBox, help, clear, connect };
}
