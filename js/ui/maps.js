/**
 * Small 2-D arrays drawn as pictures, the way the book's figures draw digits, kernels and feature
 * maps (`dlbook.plots.show_digits`, `show_maps`): one canvas pixel per value, tiled in a grid
 * with a grey gap of one pixel between pictures, laid over the figure's SVG and scaled up by the
 * browser without smoothing. One `putImageData` repaints every picture of a grid.
 */
import { element } from "./controls.js";

/** The gaps between the pictures of a grid: matplotlib's "0.7" grey (`dlbook.plots.GAP_COLOR`). */
const GAP = [179, 179, 179];

/** A grey for ink from 0 (white paper) to 1 (black), as matplotlib's gray_r. */
export function inkColor(value) {
  const grey = Math.round(255 * (1 - Math.min(1, Math.max(0, value))));
  return [grey, grey, grey];
}

/**
 * A grid of pictures at (left, top), `width` wide, in the figure's SVG units, `columns` across.
 * Returns {canvas, draw(maps, color)}: `maps` is a list of equal-sized 2-D arrays, `color(value)`
 * an [r, g, b] array; the grid takes the height its pictures need.
 */
export function createTiles(fig, { left, top, width, columns }) {
  const canvas = element("canvas", { class: "dlbook-tiles", "aria-hidden": "true" });
  Object.assign(canvas.style, { left: `${(100 * left) / fig.width}%`, top: `${(100 * top) / fig.height}%`,
    width: `${(100 * width) / fig.width}%` });
  fig.plot.prepend(canvas);
  const context = canvas.getContext("2d");
  return {
    canvas,
    draw(maps, color) {
      const [rows, cols] = [maps[0].length, maps[0][0].length];
      const down = Math.ceil(maps.length / columns);
      const [w, h] = [columns * (cols + 1) - 1, down * (rows + 1) - 1];
      if (canvas.width !== w || canvas.height !== h) {
        [canvas.width, canvas.height] = [w, h];
        canvas.style.height = `${(100 * width * (h / w)) / fig.height}%`;
      }
      const image = context.createImageData(w, h);
      for (let k = 0; k < w * h; k++) image.data.set([...GAP, 255], 4 * k);
      maps.forEach((map, m) => {
        const [x0, y0] = [(m % columns) * (cols + 1), Math.floor(m / columns) * (rows + 1)];
        map.forEach((row, i) => row.forEach((value, j) => {
          image.data.set([...color(value), 255], 4 * ((y0 + i) * w + x0 + j));
        }));
      });
      context.putImageData(image, 0, 0);
    },
  };
}
