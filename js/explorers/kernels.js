/**
 * The kernel explorer (`dlbook.widgets.kernels.KernelExplorer`): a 3 x 3 kernel slid over a digit
 * the reader loads or draws. The figure shows the digit as ink (x = p / 16), the kernel with its
 * nine weights, the feature map (after the activation, if any) and its 2 x 2 pooling; all recomputed here
 * (`js/compute/cnn.js`, `js/compute/conv.js`) at every move of a slider and every stroke.
 */
import { KERNELS, kernelMaps, kernelName, kernelReadout, WEIGHTS } from "../compute/cnn.js";
import { PIXEL_MAX } from "../compute/digits.js";
import { fixed } from "../compute/format.js";
import { element } from "../ui/controls.js";
import { createFigure, weightColor } from "../ui/figure.js";
import { mountExplorer, onChange } from "../ui/explorer.js";
import { createTiles, inkColor } from "../ui/maps.js";
import { createPad } from "../ui/pad.js";

/** What the figure shows now, for screen readers. */
export function describeKernel(pixels, kernel, padding, stride, activation, pool) {
  const { feature, pooled } = kernelMaps(pixels, kernel, padding, stride, activation, pool);
  const values = feature.flat();
  const name = kernelName(kernel);
  const inked = pixels.filter((p) => p > 0).length;
  return `The digit as ink (${inked} of 64 pixels inked); the ${name ? `${name} ` : ""}kernel, 3 by 3; its `
    + `${feature.length} by ${feature[0].length} feature map, from ${fixed(Math.min(...values), 2)} (blue) to `
    + `${fixed(Math.max(...values), 2)} (red)${activation === "relu" ? ", drawn after ReLU (no blue)" : ""}; and `
    + `the ${pooled.length} by ${pooled[0].length} map that ${activation === "relu" ? "ReLU and " : ""}${pool} `
    + "pooling leave.";
}

const BOX = 110;  // the side of each picture, in SVG units: two by two
const GAP = 24;
const TOP = 22;

function render({ model, el }) {
  const drawing = createPad(model);
  const fig = createFigure({ width: 2 * BOX + GAP + 16, height: 2 * (TOP + BOX) + 30,
    className: "dlbook-digits-figure dlbook-kernels-figure" });
  fig.figure.prepend(drawing.padBox);
  const x = (k) => 8 + (k % 2) * (BOX + GAP);
  const y = (k) => TOP + Math.floor(k / 2) * (BOX + TOP + 8);
  const titles = ["ink (pixel / 16)", "kernel", "feature map", "pooled map"].map((text, k) => fig.svg.append("text")
    .attr("class", "dlbook-label").attr("x", x(k) + BOX / 2).attr("y", y(k) - 8).attr("text-anchor", "middle")
    .text(text));
  const [ink, feature, pooled] = [0, 2, 3].map((k) => createTiles(fig, { left: x(k), top: y(k), width: BOX,
    columns: 1, side: 24 }));
  const cell = BOX / 3;
  const kernelGroup = fig.svg.append("g").attr("transform", `translate(${x(1)},${y(1)})`);
  const kernelCells = WEIGHTS.map((_, k) => {
    const group = kernelGroup.append("g").attr("transform", `translate(${(k % 3) * cell},${Math.floor(k / 3) * cell})`);
    return { rect: group.append("rect").attr("width", cell).attr("height", cell),
      text: group.append("text").attr("class", "dlbook-label").attr("x", cell / 2).attr("y", cell / 2)
        .attr("dy", "0.35em").attr("text-anchor", "middle") };
  });
  [0, 1, 2, 3].forEach((k) => fig.svg.append("rect").attr("class", "dlbook-frame").attr("x", x(k)).attr("y", y(k))
    .attr("width", BOX).attr("height", BOX));
  const scale = fig.svg.append("text").attr("class", "dlbook-note").attr("x", x(2)).attr("y", y(2) + BOX + 18);

  const shell = mountExplorer({
    model, el, key: "kernels", figure: fig.figure,
    extra: [element("div", { class: "dlbook-actions" }, [drawing.clear, drawing.help])],
  });

  let loading = false;  // a named kernel is being loaded: its nine weights arrive one by one
  const redraw = () => {
    if (loading) return;
    const pixels = model.get("image");
    const kernel = WEIGHTS.map((name) => model.get(name));
    const settings = ["padding", "stride", "activation", "pool"].map((name) => model.get(name));
    const maps = kernelMaps(pixels, kernel, ...settings);
    ink.draw([[0, 1, 2, 3, 4, 5, 6, 7].map((row) => pixels.slice(8 * row, 8 * row + 8))],
      (p) => inkColor(p / PIXEL_MAX));
    const limit = Math.max(...maps.feature.flat().map(Math.abs));
    const relu = settings[2] === "relu";  // the map as pooling sees it: after the activation
    feature.draw([relu ? maps.feature.map((row) => row.map((v) => Math.max(v, 0))) : maps.feature],
      (v) => weightColor(v, limit));
    pooled.draw([maps.pooled], (v) => weightColor(v, limit));
    const kernelLimit = Math.max(...kernel.map(Math.abs));
    kernel.forEach((w, k) => {
      kernelCells[k].rect.attr("fill", `rgb(${weightColor(w, kernelLimit).join(",")})`);
      kernelCells[k].text.text(fixed(w, 1)).style("fill", Math.abs(w) > 0.6 * kernelLimit ? "#fff" : "#000");
    });
    titles[2].text(`${relu ? "after ReLU" : "feature map"} ${maps.feature.length} x ${maps.feature[0].length}`);
    titles[3].text(`${settings[3]} pooled ${maps.pooled.length} x ${maps.pooled[0].length}`);
    scale.text(`both maps: blue −${fixed(limit, 2)}, white 0, red +${fixed(limit, 2)}`);
    shell.setReadout(kernelReadout(pixels, kernel, ...settings));
    fig.describe(describeKernel(pixels, kernel, ...settings));
  };

  const kernelChosen = () => {
    loading = true;
    KERNELS[model.get("kernel")].forEach((w, k) => model.set(WEIGHTS[k], w));
    model.save_changes();
    loading = false;
    redraw();
  };

  const stops = [
    onChange(model, ["kernel"], kernelChosen),
    onChange(model, [...WEIGHTS, "padding", "stride", "activation", "pool"], redraw),
    drawing.connect(redraw),
  ];
  return () => stops.forEach((stop) => stop());
}

export default { render };
