/**
 * The optimiser explorer (`dlbook.widgets.optimisers.OptimiserExplorer`): a loss surface of
 * two parameters as contour lines, and the paths of SGD, momentum, RMSProp and Adam from a
 * start the reader picks: by clicking or dragging on the plot, or with the start sliders
 * (keyboard). Every move recomputes the four paths here (optim.js, the port of
 * `dlbook.numpy.optim`) and redraws them; the contours of each surface are drawn once.
 */
import { contours } from "d3-contour";
import { fixed } from "../compute/format.js";
import { explorerPaths, lossGrid, readoutOfPaths } from "../compute/surfaces.js";
import {
  CLASS_COLORS, CLASS_MARKERS, createCanvasLayer, createFigure, createPanel, drawLegend, markerPath,
} from "../ui/figure.js";
import { element } from "../ui/controls.js";
import { mountExplorer, onChange } from "../ui/explorer.js";

const STATE = ["surface", "lr", "beta", "steps", "start_x", "start_y"];
/** The optimisers in the read-out's order, with how each is drawn (colour and marker as dlbook.plots). */
const OPTIMIZERS = [
  { name: "SGD", dash: null, colour: "blue", line: "solid" },
  { name: "momentum", dash: "6 3", colour: "vermillion", line: "dashed" },
  { name: "RMSProp", dash: "8 3 2 3", colour: "green", line: "dash-dot" },
  { name: "Adam", dash: "2 2.5", colour: "purple", line: "dotted" },
].map((style, k) => ({ ...style, stroke: CLASS_COLORS[k], marker: CLASS_MARKERS[k] }));
const MARKER_NAMES = { o: "circle", s: "square", "^": "triangle", D: "diamond" };
/** The contours are traced on a GRID x GRID grid of loss values (fine enough for Rosenbrock's narrow floor). */
const GRID = 200;
/** Contour lines are drawn once per surface on a canvas of CANVAS x CANVAS pixels (twice the panel's units). */
const CANVAS = 600;
/** The start sliders' step: a click puts the start on the same grid. */
const START_STEP = 0.05;

/**
 * The contour lines of the loss `values` (a GRID x GRID grid over the panel, rows from the
 * bottom) at `levels`, stroked on a CANVAS x CANVAS canvas covering the panel. d3-contour
 * places sample i of n at i + 0.5 on [0, n]; sample 0 and sample GRID - 1 sit on the edges.
 */
function drawContours(canvas, values, levels) {
  const context = canvas.getContext("2d");
  const scale = CANVAS / (GRID - 1);
  context.lineWidth = 1.8;
  context.strokeStyle = "#b0b0b0";
  context.beginPath();
  for (const level of contours().size([GRID, GRID]).thresholds(levels)(values)) {
    for (const ring of level.coordinates.flat()) {
      ring.forEach(([gx, gy], k) => {
        const x = (gx - 0.5) * scale;
        const y = CANVAS - (gy - 0.5) * scale;
        if (k === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.closePath();
    }
  }
  context.stroke();
}

/** A cross marking a minimum. */
function crossPath(size = 5) {
  return `M${-size},${-size}L${size},${size}M${-size},${size}L${size},${-size}`;
}

/** What the figure shows, for screen readers. */
export function describeOptimisers(surface, start, steps, paths) {
  const ends = OPTIMIZERS.map(({ name, colour, line, marker }) => {
    const { points, divergedAt } = paths[name];
    const where = divergedAt !== null ? `diverges at step ${divergedAt}`
      : `ends at (${fixed(points.at(-1)[0], 2)}, ${fixed(points.at(-1)[1], 2)})`;
    return `${name} (${colour} ${line} line, ${MARKER_NAMES[marker]} at its end) ${where}`;
  });
  const at = (points) => points.map(([x, y]) => `(${fixed(x, 0)}, ${fixed(y, 0)})`).join(" and ");
  const minima = `its ${surface.minima.length > 1 ? "minima" : "minimum"} at ${at(surface.minima)}, marked ×`;
  const saddles = surface.saddles.length ? ` and its saddle point at ${at(surface.saddles)}, marked ○` : "";
  return `Contour lines of the ${surface.title}, ${surface.formula}, for x from −2 to 2 and y from −1.5 to 2.5,`
    + ` with ${minima}${saddles}. The paths of ${steps} steps from the`
    + ` start (${fixed(start[0], 2)}, ${fixed(start[1], 2)}), a black square: ${ends.join("; ")}.`
    + " Click or drag on the plot to move the start.";
}

function render({ model, el }) {
  const extent = model.get("extent");
  const surfaces = model.get("surfaces");
  const fig = createFigure({ width: 470, height: 362, className: "dlbook-optimisers-figure" });
  const panel = createPanel(fig, {
    left: 48, top: 22, width: 300, height: 300, x: { domain: extent.slice(0, 2) }, y: { domain: extent.slice(2) },
    xLabel: "x", yLabel: "y",
  });
  const title = panel.root.append("text").attr("class", "dlbook-label dlbook-title").attr("text-anchor", "middle")
    .attr("x", panel.left + panel.width / 2).attr("y", panel.top - 8);

  // The contours of every surface, drawn once on a canvas of its own off the page: the page's
  // canvas under the paths copies the chosen surface's (a picture is cheap to repaint under the
  // moving paths, and a copy cheap to make), its minima and saddles are an SVG group shown.
  const contourLayer = createCanvasLayer(fig, panel, CANVAS, CANVAS, "dlbook-contours");
  const contourContext = contourLayer.getContext("2d");
  const contourGroups = Object.fromEntries(Object.entries(surfaces).map(([name, surface]) => {
    const canvas = element("canvas", { width: CANVAS, height: CANVAS });
    drawContours(canvas, lossGrid(name, extent, GRID), surface.levels);
    const group = panel.content.append("g").attr("fill", "none");
    for (const [x, y] of surface.minima) {
      group.append("path").attr("d", crossPath()).attr("transform", `translate(${panel.x(x)},${panel.y(y)})`)
        .attr("stroke", "#000").attr("stroke-width", 1.6);
    }
    for (const [x, y] of surface.saddles) {
      group.append("circle").attr("r", 4.5).attr("cx", panel.x(x)).attr("cy", panel.y(y))
        .attr("stroke", "#000").attr("stroke-width", 1.4);
    }
    return [name, { canvas, group }];
  }));
  const lines = OPTIMIZERS.map(({ stroke, dash }) => panel.content.append("path").attr("fill", "none")
    .attr("stroke", stroke).attr("stroke-width", 1.8).attr("stroke-dasharray", dash)
    .attr("stroke-linejoin", "round"));
  const ends = OPTIMIZERS.map(({ stroke, marker }) => panel.content.append("path").attr("d", markerPath(marker, 4.6))
    .attr("fill", stroke).attr("stroke", "#fff").attr("stroke-width", 0.8));
  const startMark = panel.content.append("path").attr("d", markerPath("s", 4.4)).attr("fill", "#000");
  drawLegend({ root: fig.svg, left: 356, top: panel.top, width: 110, height: panel.height }, [
    ...OPTIMIZERS.map(({ name, stroke, dash, marker }) => ({
      label: name,
      draw: (g) => {
        g.append("line").attr("x2", 22).attr("stroke", stroke).attr("stroke-width", 1.8)
          .attr("stroke-dasharray", dash);
        g.append("path").attr("d", markerPath(marker, 3.8)).attr("transform", "translate(22,0)").attr("fill", stroke);
      },
    })),
    { label: "start", draw: (g) => g.append("path").attr("d", markerPath("s", 3.8)).attr("transform", "translate(11,0)") },
  ], "upper left");

  const shell = mountExplorer({ model, el, key: "optimisers", figure: fig.figure });

  let shownSurface = null;
  const redraw = () => {
    const name = model.get("surface");
    const surface = surfaces[name];
    const start = [model.get("start_x"), model.get("start_y")];
    const steps = model.get("steps");
    if (name !== shownSurface) {
      for (const [key, { group }] of Object.entries(contourGroups)) group.attr("display", key === name ? null : "none");
      contourContext.clearRect(0, 0, CANVAS, CANVAS);
      contourContext.drawImage(contourGroups[name].canvas, 0, 0);
      title.text(`${surface.title}: ${surface.formula}`);
      shownSurface = name;
    }
    const paths = explorerPaths(name, start, model.get("lr"), model.get("beta"), steps);
    OPTIMIZERS.forEach(({ name: optimizer }, k) => {
      const { points } = paths[optimizer];
      lines[k].attr("d", `M${points.map(([x, y]) => `${panel.x(x).toFixed(1)},${panel.y(y).toFixed(1)}`).join("L")}`);
      const [x, y] = points.at(-1);
      ends[k].attr("transform", `translate(${panel.x(x).toFixed(1)},${panel.y(y).toFixed(1)})`);
    });
    startMark.attr("transform", `translate(${panel.x(start[0])},${panel.y(start[1])})`);
    shell.setReadout(readoutOfPaths(name, start, steps, paths));
    fig.describe(describeOptimisers(surface, start, steps, paths));
  };

  // Click or drag on the plot: the start moves there, on the sliders' grid.
  const controls = model.get("_controls");
  const range = (name) => controls.find((spec) => spec.name === name);
  const snap = (value, spec) => Number(Math.min(spec.max, Math.max(spec.min,
    Math.round(value / START_STEP) * START_STEP)).toFixed(2));
  const moveStart = (event) => {
    const box = fig.plot.getBoundingClientRect();
    const x = snap(panel.x.invert(((event.clientX - box.left) / box.width) * fig.width), range("start_x"));
    const y = snap(panel.y.invert(((event.clientY - box.top) / box.height) * fig.height), range("start_y"));
    if (x === model.get("start_x") && y === model.get("start_y")) return;
    model.set("start_x", x);
    model.set("start_y", y);
    model.save_changes();
  };
  let dragging = false;
  fig.plot.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    dragging = true;
    fig.plot.setPointerCapture(event.pointerId);
    moveStart(event);
  });
  fig.plot.addEventListener("pointermove", (event) => {
    if (dragging) moveStart(event);
  });
  const stop = () => {
    dragging = false;
  };
  fig.plot.addEventListener("pointerup", stop);
  fig.plot.addEventListener("pointercancel", stop);

  redraw();
  return onChange(model, STATE, redraw);
}

export default { render };
