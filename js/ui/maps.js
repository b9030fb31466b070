/**
 * Small 2-D arrays drawn as pictures, the way the book's figures draw digits, kernels and feature
 * maps (`dlbook.plots.show_digits`, `show_maps`): one canvas pixel per value, tiled in a grid
 * with a grey gap of one pixel between pictures, laid over the figure's SVG and scaled up by the
 * browser without smoothing. One `putImageData` repaints every picture of a grid.
 */
import { element } from "./controls.js";

/** The gaps between the pictures of a grid: matplotlib's "0.7" grey (`dlbook.plots.GAP_COLOR`). */
const GAP_RGBA = [179, 179, 179, 255];

/** A grey for ink from 0 (white paper) to 1 (black), as matplotlib's gray_r. */
export function inkColor(value) {
  const grey = Math.round(255 * (1 - Math.min(1, Math.max(0, value))));
  return [grey, grey, grey];
}

/**
 * A grid of `count` square pictures at (left, top), `width` wide, in the figure's SVG units,
 * `columns` across, each `side` canvas pixels square. Returns {canvas, draw(maps, color)}: `maps`
 * is a list of `count` 2-D arrays, `color(value)` an [r, g, b] array. A map of fewer values than
 * `side` fills its square with blocks (give `side` a multiple of every size shown, 24 for maps of
 * 8, 6, 4, 3, 2 or 1), so the canvas keeps its size: a new size would cost the page a new layout.
 */
export function createTiles(fig, { left, top, width, columns, count = 1, side = 8 }) {
  const rowsOfTiles = Math.ceil(count / columns);
  const [w, h] = [columns * (side + 1) - 1, rowsOfTiles * (side + 1) - 1];
  const canvas = element("canvas", { class: "dlbook-tiles", width: w, height: h, "aria-hidden": "true" });
  Object.assign(canvas.style, { left: `${(100 * left) / fig.width}%`, top: `${(100 * top) / fig.height}%`,
    width: `${(100 * width) / fig.width}%`, height: `${(100 * width * (h / w)) / fig.height}%` });
  fig.plot.prepend(canvas);
  const context = canvas.getContext("2d");
  const image = context.createImageData(w, h);
  return {
    canvas,
    draw(maps, color) {
      const data = image.data;
      for (let k = 0; k < w * h; k++) data.set(GAP_RGBA, 4 * k);
      maps.forEach((map, m) => {
        const [x0, y0] = [(m % columns) * (side + 1), Math.floor(m / columns) * (side + 1)];
        const colors = map.map((row) => row.map(color));
        for (let i = 0; i < side; i++) {
          const row = colors[Math.floor((i * map.length) / side)];
          for (let j = 0; j < side; j++) {
            const [r, g, b] = row[Math.floor((j * row.length) / side)];
            const offset = 4 * ((y0 + i) * w + x0 + j);
            data[offset] = r;
            data[offset + 1] = g;
            data[offset + 2] = b;
          }
        }
      });
      context.putImageData(image, 0, 0);
    },
  };
}
