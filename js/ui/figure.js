/**
 * Figures in the look of the book's matplotlib plots, drawn with d3 into SVG: white
 * background, black frame and ticks, the same colours (the class colours and markers of
 * `dlbook.plots`, matplotlib's RdBu_r for decision regions). Decision regions are a small
 * canvas under the SVG that the browser scales smoothly, as matplotlib's bilinear imshow.
 *
 * A figure is one element with role="img" whose label (`describe`) says what it shows
 * now; the SVG itself is hidden from screen readers.
 */
import { axisBottom, axisLeft, axisRight } from "d3-axis";
import { interpolateRgb, piecewise } from "d3-interpolate";
import { scaleLinear, scaleLog } from "d3-scale";
import { select } from "d3-selection";
import { element } from "./controls.js";

const SVG = "http://www.w3.org/2000/svg";

/** The class colours (Okabe-Ito) and markers of `dlbook.plots.CLASS_COLORS` / `CLASS_MARKERS`. */
export const CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];
export const CLASS_MARKERS = ["o", "s", "^", "D"];
/** matplotlib's tab:blue and tab:red (C0 and C3), the book's line colours. */
export const C0 = "#1f77b4";
export const C3 = "#d62728";

/** How opaque decision regions are over the white background (`dlbook.plots.show_regions`). */
export const REGION_ALPHA = 0.45;

/** matplotlib's RdBu (its `_RdBu_data`: ColorBrewer's 11 RdBu colours), red to blue. */
const RDBU = [
  "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
  "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
];
/** RdBu_r, the book's region colour map: blue (low) to red (high), linearly interpolated. */
const rdbuReversed = piecewise(interpolateRgb, [...RDBU].reverse());

/** 256 colours of RdBu_r blended with white at REGION_ALPHA, as [r, g, b] bytes. */
const REGION_TABLE = Array.from({ length: 256 }, (_, i) => {
  const rgb = rdbuReversed(i / 255).match(/\d+/g).map(Number);
  return rgb.map((c) => Math.round(REGION_ALPHA * c + (1 - REGION_ALPHA) * 255));
});

/** RdBu_r itself, unblended: the book's WEIGHT_CMAP for weights and feature maps, 256 [r, g, b] colours. */
let weightTable = null;

/** The colour of a weight or feature between -limit (blue) and +limit (red), white at 0, as an [r, g, b] array. */
export function weightColor(value, limit) {
  weightTable ??= Array.from({ length: 256 }, (_, i) => rdbuReversed(i / 255).match(/\d+/g).map(Number));
  const t = limit > 0 ? (value + limit) / (2 * limit) : 0.5;
  return weightTable[Math.round(255 * Math.min(1, Math.max(0, Number.isNaN(t) ? 0.5 : t)))];
}

/** The blended region colour of a value between vmin and vmax, as an [r, g, b] array. */
export function regionColor(value, vmin, vmax) {
  const t = (value - vmin) / (vmax - vmin);
  const index = Math.round(255 * Math.min(1, Math.max(0, Number.isNaN(t) ? 0.5 : t)));
  return REGION_TABLE[index];
}

/** The SVG path of a marker of the given kind and size (area like matplotlib's s=18 points). */
export function markerPath(kind, size = 4.2) {
  switch (kind) {
    case "s":
      return `M${-size * 0.88},${-size * 0.88}h${size * 1.76}v${size * 1.76}h${-size * 1.76}Z`;
    case "^":
      return `M0,${-size * 1.15}L${size},${size * 0.65}L${-size},${size * 0.65}Z`;
    case "D":
      return `M0,${-size * 1.2}L${size * 1.2},0L0,${size * 1.2}L${-size * 1.2},0Z`;
    default:
      return `M${size},0A${size},${size},0,1,1,${-size},0A${size},${size},0,1,1,${size},0Z`;
  }
}

/** A five-pointed star (the input point of the perceptron explorer). */
export function starPath(outer = 9, inner = 3.8) {
  const points = Array.from({ length: 10 }, (_, k) => {
    const radius = k % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    return `${(radius * Math.cos(angle)).toFixed(2)},${(radius * Math.sin(angle)).toFixed(2)}`;
  });
  return `M${points.join("L")}Z`;
}

/** A figure of the given size in SVG units, scaled to the column; returns {figure, plot, svg, describe}. */
export function createFigure({ width, height, className = "" }) {
  const plot = element("div", { class: "dlbook-plot", role: "img" });
  const figure = element("figure", { class: `dlbook-figure ${className}`.trim() }, [plot]);
  const svg = select(plot).append("svg")
    .attr("xmlns", SVG)
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("aria-hidden", "true")
    .attr("focusable", "false");
  const describe = (text) => plot.setAttribute("aria-label", text);
  return { figure, plot, svg, width, height, describe };
}

/**
 * One set of axes at (left, top) of size (width, height) inside a figure, with a frame,
 * ticks and labels; `y.log` makes the vertical axis logarithmic; `xTickValues` and an
 * array `xTickLabels` name the ticks (`false` hides their labels). The axis labels and the
 * title keep their distance from the axes in units of their own font size (`yLabelOffset`
 * for the vertical axis's label), so that a figure whose style sheet sets larger text keeps
 * them clear of the tick labels. Returns the panel with its scales `x` and `y`, a clipped
 * group `content` to draw in, and `setDomains` (or `setXDomain`) to rescale it. With
 * `axes: false` the panel has no ticks of its own (see `drawAxes`, for ticks drawn once per
 * domain into layers).
 */
export function createPanel(fig, {
  left, top, width, height, x, y, xLabel, yLabel, title, ticks = 6, xTickLabels = true, xTickValues = null,
  axes = true, yLabelOffset = 3.09,
}) {
  const clipId = `dlbook-clip-${Math.random().toString(36).slice(2, 9)}`;
  const root = fig.svg.append("g").attr("class", "dlbook-panel");
  root.append("clipPath").attr("id", clipId)
    .append("rect").attr("x", left).attr("y", top).attr("width", width).attr("height", height);
  const content = root.append("g").attr("clip-path", `url(#${clipId})`);
  const geometry = { left, top, width, height, ticks, xTickLabels, xTickValues };
  const xAxis = axes ? root.append("g").attr("class", "dlbook-axis").attr("transform", `translate(0,${top + height})`)
    : null;
  const yAxis = axes ? root.append("g").attr("class", "dlbook-axis").attr("transform", `translate(${left},0)`) : null;
  root.append("rect").attr("class", "dlbook-frame")
    .attr("x", left).attr("y", top).attr("width", width).attr("height", height);
  const label = (text, attributes) => {
    if (!text) return;
    const node = root.append("text").attr("class", "dlbook-label").text(text);
    for (const [name, value] of Object.entries(attributes)) node.attr(name, value);
  };
  // At the labels' usual 11 px (the title's 12 px): 30 below the axis, 34 left of it, 8 above.
  label(xLabel, { x: left + width / 2, y: top + height, dy: "2.727em", "text-anchor": "middle" });
  label(yLabel, {
    transform: `translate(${left},${top + height / 2}) rotate(-90)`, dy: `${-yLabelOffset}em`,
    "text-anchor": "middle",
  });
  label(title, { x: left + width / 2, y: top, dy: "-0.667em", "text-anchor": "middle", class: "dlbook-title" });
  const panel = { root, content, left, top, width, height, x: null, y: null, clipId };
  panel.setXDomain = (xDomain) => {
    panel.x = scaleLinear().domain(xDomain).range([left, left + width]);
    if (xAxis) renderXAxis(xAxis, panel.x, geometry);
  };
  panel.setDomains = (xDomain, yDomain, yLog = y.log) => {
    panel.setXDomain(xDomain);
    panel.y = (yLog ? scaleLog() : scaleLinear()).domain(yDomain).range([top + height, top]);
    if (yAxis) renderYAxis(yAxis, panel.y, geometry, yLog);
  };
  panel.setDomains(x.domain, y.domain, y.log);
  return panel;
}

/** The ticks of a panel's horizontal axis for the scale x, into the group `axis`. */
function renderXAxis(axis, x, { ticks, xTickLabels, xTickValues }) {
  const xTicks = axisBottom(x).ticks(ticks).tickSizeOuter(0).tickSizeInner(3.5);
  if (xTickValues) xTicks.tickValues(xTickValues);
  if (Array.isArray(xTickLabels)) xTicks.tickFormat((_, i) => xTickLabels[i]);
  axis.call(xTickLabels ? xTicks : xTicks.tickFormat(() => ""));
}

/** The ticks of a panel's vertical axis for the scale y (logarithmic: `log`), into the group `axis`. */
function renderYAxis(axis, y, { ticks }, log) {
  const yTicks = axisLeft(y).tickSizeOuter(0).tickSizeInner(3.5);
  axis.call(log ? yTicks.ticks(5, "~g") : yTicks.ticks(ticks));
}

/**
 * Ticks for a panel made with `axes: false`, for fixed linear domains, drawn once into the
 * d3 selection `group` (a layer's, say). Returns the scales {x, y} of those domains.
 */
export function drawAxes(group, panel, xDomain, yDomain, ticks = 6) {
  const { left, top, width, height } = panel;
  const x = scaleLinear().domain(xDomain).range([left, left + width]);
  const y = scaleLinear().domain(yDomain).range([top + height, top]);
  const geometry = { ticks, xTickLabels: true, xTickValues: null };
  renderXAxis(group.append("g").attr("class", "dlbook-axis").attr("transform", `translate(0,${top + height})`), x,
    geometry);
  renderYAxis(group.append("g").attr("class", "dlbook-axis").attr("transform", `translate(${left},0)`), y, geometry,
    false);
  return { x, y };
}

/**
 * A layer over a figure: an SVG of the figure's size laid over it, in a compositing layer of
 * its own, shown and hidden by its opacity alone. Switching layers then restyles one element
 * and repaints nothing: the compositor shows the other layer. Returns {svg, show(visible)}.
 */
export function createLayer(fig) {
  const svg = select(fig.plot).append("svg")
    .attr("xmlns", SVG)
    .attr("class", "dlbook-layer")
    .attr("viewBox", `0 0 ${fig.width} ${fig.height}`)
    .attr("aria-hidden", "true")
    .attr("focusable", "false");
  const node = svg.node();
  node.style.opacity = "0";
  return {
    svg,
    show(visible) {
      node.style.opacity = visible ? "1" : "0";
    },
  };
}

/**
 * A bar chart of ten digits' probabilities at (left, top), the largest bar in vermillion
 * (`CLASS_COLORS[1]`, as the chapters' figures mark a network's choice), the others grey.
 * Returns {draw(probabilities)}.
 */
export function createProbabilityBars(fig, { left, top, width, height }) {
  const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const bars = createPanel(fig, {
    left, top, width, height, x: { domain: [-0.6, 9.6] }, y: { domain: [0, 1] },
    xTickValues: digits, xTickLabels: digits.map(String), xLabel: "digit", yLabel: "", title: "probability",
    ticks: 5,
  });
  const barWidth = bars.x(0.7) - bars.x(0);
  const rects = digits.map((digit) => bars.content.append("rect")
    .attr("x", bars.x(digit) - barWidth / 2).attr("width", barWidth));
  return {
    draw(probabilities) {
      const best = probabilities.indexOf(Math.max(...probabilities));
      probabilities.forEach((p, digit) => {
        rects[digit].attr("y", bars.y(p)).attr("height", bars.y(0) - bars.y(p))
          .attr("fill", digit === best ? CLASS_COLORS[1] : "#8c8c8c");
      });
    },
  };
}

/**
 * A canvas of width x height pixels laid over a panel's plot area, under the SVG: what is
 * drawn once and painted as a picture (decision regions, contour lines) instead of as SVG.
 */
export function createCanvasLayer(fig, panel, width, height, className) {
  const canvas = element("canvas", { width, height, class: className });
  Object.assign(canvas.style, {
    left: `${(100 * panel.left) / fig.width}%`,
    top: `${(100 * panel.top) / fig.height}%`,
    width: `${(100 * panel.width) / fig.width}%`,
    height: `${(100 * panel.height) / fig.height}%`,
  });
  fig.plot.prepend(canvas);
  return canvas;
}

/**
 * Decision regions: a resolution x resolution canvas laid over a panel's plot area (under
 * the SVG), coloured from the values of a grid (`gridPoints` order: rows from the bottom).
 */
export function createRegions(fig, panel, resolution) {
  const canvas = createCanvasLayer(fig, panel, resolution, resolution, "dlbook-regions");
  const context = canvas.getContext("2d");
  const image = context.createImageData(resolution, resolution);
  return {
    canvas,
    draw(values, vmin, vmax) {
      const pixels = image.data;
      for (let k = 0; k < values.length; k++) {
        const row = resolution - 1 - Math.floor(k / resolution);  // the canvas's first row is the top
        const offset = 4 * (row * resolution + (k % resolution));
        const [r, g, b] = regionColor(values[k], vmin, vmax);
        pixels[offset] = r;
        pixels[offset + 1] = g;
        pixels[offset + 2] = b;
        pixels[offset + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    },
  };
}

/** Scatter the points X with their classes y into a panel: one marker shape and colour per class. */
export function drawPoints(panel, X, y, group = panel.content.append("g")) {
  group.selectAll("path").remove();
  group.selectAll("path").data(X).enter().append("path")
    .attr("d", (_, i) => markerPath(CLASS_MARKERS[y[i] % CLASS_MARKERS.length]))
    .attr("transform", (p) => `translate(${panel.x(p[0]).toFixed(2)},${panel.y(p[1]).toFixed(2)})`)
    .attr("fill", (_, i) => CLASS_COLORS[y[i] % CLASS_COLORS.length])
    .attr("stroke", "#fff")
    .attr("stroke-width", 0.5);
  return group;
}

/** A matplotlib-style legend box in the panel's corner: entries of {label, draw(group)}. */
export function drawLegend(panel, entries, corner = "upper right") {
  const lineHeight = 17;
  const group = panel.root.append("g").attr("class", "dlbook-legend");
  const box = group.append("rect").attr("rx", 3);
  entries.forEach((entry, i) => {
    const row = group.append("g").attr("transform", `translate(8,${12 + i * lineHeight})`);
    entry.draw(row.append("g"));
    row.append("text").attr("x", 30).attr("dy", "0.35em").text(entry.label);
  });
  const width = 40 + Math.max(...entries.map((e) => e.label.length)) * 6.2;
  const height = 8 + entries.length * lineHeight;
  box.attr("width", width).attr("height", height);
  const x = corner.endsWith("right") ? panel.left + panel.width - width - 6 : panel.left + 6;
  const y = corner.startsWith("upper") ? panel.top + 6 : panel.top + panel.height - height - 6;
  group.attr("transform", `translate(${x},${y})`);
  return group;
}

/** A vertical colour bar for regions from vmin to vmax at (left, top), labelled. */
export function createColorbar(fig, { left, top, width, height, label }) {
  const stops = 32;
  const root = fig.svg.append("g").attr("class", "dlbook-colorbar");
  for (let k = 0; k < stops; k++) {  // the colours run bottom to top whatever the range
    const [r, g, b] = regionColor((k + 0.5) / stops, 0, 1);
    root.append("rect").attr("x", left).attr("width", width)
      .attr("y", top + height - ((k + 1) * height) / stops).attr("height", height / stops + 0.5)
      .attr("fill", `rgb(${r},${g},${b})`);
  }
  const axis = root.append("g").attr("class", "dlbook-axis").attr("transform", `translate(${left + width},0)`);
  root.append("rect").attr("class", "dlbook-frame").attr("x", left).attr("y", top)
    .attr("width", width).attr("height", height);
  root.append("text").attr("class", "dlbook-label").attr("text-anchor", "middle")
    .attr("transform", `translate(${left + width + 40},${top + height / 2}) rotate(-90)`).text(label);
  return {
    setRange(vmin, vmax) {
      const scale = scaleLinear().domain([vmin, vmax]).range([top + height, top]);
      axis.call(axisRight(scale).ticks(5).tickSizeOuter(0).tickSizeInner(3.5));
    },
  };
}
