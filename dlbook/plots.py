"""Plotting helpers shared by the chapters.

Decision regions over 2-D data; digit images, weight images, learning
curves, confusion matrices and probability bars for the digits chapter.

Everything here draws on a matplotlib ``Axes`` handed in by the caller
(``plt.subplots``). The explorers draw in the browser instead
(``js/ui/figure.js``), with the same colours, markers and region colour map.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path

from dlbook._validate import (
    ArgumentTypeError,
    MAX_ENTRIES,
    check_count,
    check_entries,
    check_finite,
    check_function,
    check_labelled_data,
    check_ndim,
    check_not_empty,
    check_real,
    check_sequence,
    describe,
)
from dlbook.digits import IMAGE_SHAPE, N_CLASSES, N_PIXELS, PIXEL_MAX
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.numpy.training import EpochHistory

#: Colour of class k, then k + 4, ...: Okabe and Ito's blue, vermillion, green and reddish purple,
#: told apart with the common forms of colour blindness.
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
#: Marker of class k (circle, square, triangle, diamond): the class shows without its colour too.
CLASS_MARKERS = ("o", "s", "^", "D")
#: The background of decision regions: blue where the model says 0, red where it says 1
#: (the explorers draw the same map, js/ui/figure.js).
REGION_CMAP = "RdBu_r"
#: How opaque decision regions are over the white background.
REGION_ALPHA = 0.45


def _points(X: np.ndarray, name: str = "X") -> np.ndarray:
    """``X`` checked to be points of the plane: a non-empty ``(n, 2)`` float array without NaN or inf."""
    X = as_float_array(X, name)
    check_ndim(name, X, (2,))
    if X.shape[1] != 2:
        raise ValueError(f"{name} must hold points of the plane, shape (n, 2), got shape {X.shape}")
    check_not_empty(name, X)
    check_finite(name, X)
    return X


def _extent(extent: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``extent`` checked to be four finite numbers ``(xmin, xmax, ymin, ymax)`` with ``xmin < xmax``, ``ymin < ymax``."""
    box = as_float_array(extent, "extent")
    if box.shape != (4,):
        raise ValueError(f"extent must be four numbers (xmin, xmax, ymin, ymax), got {describe(extent)}")
    check_finite("extent", box)
    xmin, xmax, ymin, ymax = (float(v) for v in box)
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"extent must have xmin < xmax and ymin < ymax, got {describe(extent)}")
    return xmin, xmax, ymin, ymax


def plot_extent(X: np.ndarray, margin: float = 0.5) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` of the 2-D points ``X``, padded by ``margin``."""
    X = _points(X)
    margin = check_real("margin", margin, low=0.0)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def grid_points(extent: tuple[float, float, float, float], resolution: int = 100) -> np.ndarray:
    """A ``resolution x resolution`` grid over ``extent`` as ``(resolution**2, 2)`` points, row by row."""
    xmin, xmax, ymin, ymax = _extent(extent)
    resolution = check_count("resolution", resolution, 2, MAX_ENTRIES)
    check_entries(f"a grid of {resolution} x {resolution} points", 2 * resolution**2, "check resolution")
    xs, ys = np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])


def _marker_path(marker: str) -> Path:
    """The outline of ``marker`` at the size ``ax.scatter`` draws it (scaled by its ``s``)."""
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


def scatter_classes(ax: Axes, X: np.ndarray, y: np.ndarray) -> PathCollection:
    """Scatter the points ``X`` (``(n, 2)``), each in the colour and marker of its integer label ``y``.

    Class ``k`` gets ``CLASS_COLORS[k % 4]`` and ``CLASS_MARKERS[k % 4]``. All
    points are one collection, the one artist returned. Raises ``ValueError``
    unless ``y`` holds one integer class label from 0 up per point.
    """
    X, y = _points(X), as_numeric_array(y, "y")
    check_labelled_data(X, y)
    labels = (y % len(CLASS_COLORS)).astype(int)
    points = ax.scatter(X[:, 0], X[:, 1], c=np.asarray(CLASS_COLORS)[labels], s=18,
                        edgecolors="white", linewidths=0.5, zorder=3)
    paths = [_marker_path(marker) for marker in CLASS_MARKERS]
    points.set_paths([paths[label] for label in labels])
    return points


def class_legend(ax: Axes, names: Sequence[str], **legend_options: object) -> Legend:
    """A legend naming the classes, ``names[k]`` beside class ``k``'s marker in its colour."""
    check_sequence("names", names, "['class 0', 'class 1']")
    handles = [
        Line2D([], [], linestyle="none", marker=CLASS_MARKERS[k % len(CLASS_MARKERS)],
               markerfacecolor=CLASS_COLORS[k % len(CLASS_COLORS)], markeredgecolor="white",
               markersize=7, label=name)
        for k, name in enumerate(names)
    ]
    return ax.legend(handles=handles, **legend_options)


def show_regions(
    ax: Axes, values: np.ndarray, extent: tuple[float, float, float, float], vmin: float = 0.0, vmax: float = 1.0
) -> AxesImage:
    """Show ``values`` (one per grid point, from :func:`grid_points`) as a coloured background.

    Returns the image: an explorer updates it in place with ``image.set_data``,
    much faster than drawing new contours.
    """
    values = as_float_array(values, "values")
    extent = _extent(extent)
    vmin, vmax = check_real("vmin", vmin), check_real("vmax", vmax)
    resolution = int(round(np.sqrt(values.size)))
    if values.size < 4 or resolution**2 != values.size:
        raise ValueError(
            f"values must hold one number per point of a square grid (grid_points), got {values.size} numbers"
        )
    check_finite("values", values)
    return ax.imshow(
        values.reshape(resolution, resolution), extent=extent, origin="lower", cmap=REGION_CMAP,
        vmin=vmin, vmax=vmax, alpha=REGION_ALPHA, aspect="auto", interpolation="bilinear", zorder=1,
    )


def plot_decision_regions(
    ax: Axes,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 150,
) -> AxesImage:
    """Colour the plane by ``predict`` (points ``(m, 2)`` to values in [0, 1]) and scatter the data on top."""
    check_function("predict", predict)
    extent = plot_extent(X)
    grid = grid_points(extent, resolution)
    values = as_float_array(predict(grid), "the values predict returned")
    if values.size != len(grid):
        raise ValueError(
            f"predict must return one value per point, {len(grid)} for a grid of shape {grid.shape}, "
            f"got shape {values.shape}"
        )
    image = show_regions(ax, values, extent)
    scatter_classes(ax, X, y)
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_1$", ylabel="$x_2$")
    return image


def decision_line(
    w: np.ndarray, b: float, extent: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two end points of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` across ``extent``.

    Returns ``(xs, ys)``, each of length 2, or two empty arrays when
    :math:`w = 0` (then no line exists: every point gets the same output) or
    when the line lies beyond the range of floats (a weight near 0 against a
    large bias), far outside any plot.
    """
    weights = as_float_array(w, "w")
    if weights.shape != (2,):
        raise ValueError(f"w must hold two weights (w1, w2), one per input, got shape {weights.shape}")
    check_finite("w", weights)
    w1, w2 = float(weights[0]), float(weights[1])
    b = check_real("b", b)
    xmin, xmax, ymin, ymax = _extent(extent)
    if w1 == 0.0 and w2 == 0.0:
        return np.array([]), np.array([])
    with np.errstate(over="ignore"):  # a line beyond the float range: checked below
        if abs(w2) >= abs(w1):
            xs = np.array([xmin, xmax])
            xs, ys = xs, -(w1 * xs + b) / w2
        else:
            ys = np.array([ymin, ymax])
            xs, ys = -(w2 * ys + b) / w1, ys
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return np.array([]), np.array([])
    return xs, ys


# --- digits --------------------------------------------------------------

#: Raw digits: white paper (0), dark ink (16).
DIGIT_CMAP = "gray_r"
#: Weights: negative blue, zero white, positive red.
WEIGHT_CMAP = "RdBu_r"
#: Line styles of the data sets in :func:`plot_history`, with CLASS_COLORS.
HISTORY_STYLES = ("-", "--", ":", "-.")
#: The gaps between the pictures of a grid (:func:`tile_images`).
GAP_COLOR = "0.7"


def _bare(ax: Axes) -> None:
    """No ticks or tick labels: for pictures, whose axes carry no scale."""
    ax.set_xticks([])
    ax.set_yticks([])


def _images(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as float64 images of shape ``(k, 8, 8)``, from rows of 64 finite pixels; ``name`` names them."""
    images = as_float_array(values, name).astype(np.float64)
    if images.size == 0 or images.size % N_PIXELS:
        raise ValueError(
            f"{name} must hold flattened 8 x 8 images, {N_PIXELS} values each, got shape {images.shape}"
        )
    check_finite(name, images)  # NaN marks the gaps of a grid
    return images.reshape((-1, *IMAGE_SHAPE))


def tile_images(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Lay out flattened 8 x 8 images (rows of ``images``) in a grid, by rows.

    Returns one 2-D array: ``columns`` pictures across, as many rows as
    needed, ``gap`` pixels of NaN between neighbours and in unused places
    (``imshow`` draws NaN in the colour map's "bad" colour). One picture of
    many images draws much faster than one ``Axes`` per image.
    """
    images = _images(images, "images")
    columns = check_count("columns", columns, 1, MAX_ENTRIES)
    gap = check_count("gap", gap, 0, MAX_ENTRIES)
    height, width = IMAGE_SHAPE
    rows = -(-len(images) // columns)
    check_entries(
        f"a grid of {len(images)} images in {columns} columns with gaps of {gap}",
        rows * columns * (height + gap) * (width + gap), "check columns and gap",
    )
    grid = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan
    )
    for k, image in enumerate(images):
        top = (k // columns) * (height + gap)
        left = (k % columns) * (width + gap)
        grid[top : top + height, left : left + width] = image
    return grid


def _show_tiles(
    ax: Axes,
    images: np.ndarray,
    columns: int,
    cmap: str,
    vmin: float,
    vmax: float,
) -> AxesImage:
    """``imshow`` of :func:`tile_images` with gaps in :data:`GAP_COLOR`."""
    colormap = colormaps[cmap].with_extremes(bad=GAP_COLOR)
    image = ax.imshow(
        tile_images(images, columns), cmap=colormap, vmin=vmin, vmax=vmax
    )
    _bare(ax)
    return image


def show_digit(
    ax: Axes, pixels: np.ndarray, title: str | None = None
) -> AxesImage:
    """Draw one flattened 8 x 8 digit of raw intensities (0 to 16)."""
    image = show_digits(ax, pixels, columns=1)
    if title is not None:
        ax.set_title(title)
    return image


def show_digits(ax: Axes, pixels: np.ndarray, columns: int) -> AxesImage:
    """Draw many digits, one per row of ``pixels``, ``columns`` across.

    ``pixels`` holds raw intensities (0 to 16), as :func:`show_digit`;
    ``ValueError`` for values outside that range (scaled pixels, say).
    """
    raw = _images(pixels, "pixels")
    if not ((raw >= 0) & (raw <= PIXEL_MAX)).all():
        raise ValueError(
            f"pixels must be raw intensities from 0 to {PIXEL_MAX:g} (not scaled ones), got values from "
            f"{raw.min():g} to {raw.max():g}"
        )
    return _show_tiles(ax, raw, columns, DIGIT_CMAP, 0, PIXEL_MAX)


def show_weights(
    ax: Axes, weights: np.ndarray, limit: float, columns: int = 1
) -> AxesImage:
    """Draw a unit's 64 weights as an 8 x 8 picture, one weight per pixel.

    ``weights`` is one unit's ``(64,)`` weights, or a matrix ``(64, k)``
    such as ``W1`` whose column ``j`` belongs to unit ``j``: then the ``k``
    pictures are laid out in a grid of ``columns``. The colour scale runs
    from ``-limit`` (blue) through 0 (white) to ``+limit`` (red); give every
    picture of a figure the same ``limit``.
    """
    weights = as_float_array(weights, "weights")
    if weights.ndim not in (1, 2) or weights.shape[0] != N_PIXELS:
        raise ValueError(
            f"weights must be one unit's {N_PIXELS} weights or a ({N_PIXELS}, k) matrix, got shape {weights.shape}"
        )
    check_finite("weights", weights)
    limit = check_real("limit", limit, positive=True)
    units = np.reshape(weights, (N_PIXELS, -1)).T
    return _show_tiles(ax, units, columns, WEIGHT_CMAP, -limit, limit)


def plot_history(
    axes: tuple[Axes, Axes], history: EpochHistory, best_of: str | None = None
) -> None:
    """Loss (left, log scale) and accuracy (right) per epoch, one line per set.

    With ``best_of``, the name of one of the history's data sets, a dotted
    vertical line in both panels marks the epoch of that set's lowest loss.
    """
    if not isinstance(history, EpochHistory):
        raise ArgumentTypeError(f"history must be an EpochHistory, got {describe(history)}")
    check_sequence("axes", axes, "plt.subplots(1, 2)[1]")
    if len(axes) != 2:
        raise ValueError(f"axes must be two Axes (loss, accuracy), got {len(axes)}")
    ax_loss, ax_accuracy = axes
    for k, name in enumerate(history.loss):
        style = {
            "color": CLASS_COLORS[k % len(CLASS_COLORS)],
            "linestyle": HISTORY_STYLES[k % len(HISTORY_STYLES)],
            "label": name,
        }
        epochs = np.arange(1, len(history.loss[name]) + 1)
        ax_loss.plot(epochs, history.loss[name], **style)
        ax_accuracy.plot(epochs, history.accuracy[name], **style)
    if best_of is not None:
        if best_of not in history.loss:
            raise ValueError(
                f"best_of must name a data set of the history, one of "
                f"{list(history.loss)}, got {describe(best_of)}"
            )
        best = int(np.argmin(history.loss[best_of])) + 1
        for ax in axes:
            ax.axvline(
                best, color="gray", linestyle=":",
                label=f"lowest {best_of} loss (epoch {best})",
            )
    ax_loss.set(xlabel="epoch", ylabel="loss (cross-entropy)", yscale="log")
    ax_accuracy.set(xlabel="epoch", ylabel="accuracy")
    ax_loss.legend()


def plot_confusion_matrix(ax: Axes, matrix: np.ndarray) -> AxesImage:
    """A confusion matrix (rows: true class, columns: predicted) as cells.

    Every non-zero count is written in its cell; the mistakes, off the
    diagonal, in bold. ``matrix`` must be a square array of counts (integers from 0).
    """
    matrix = as_numeric_array(matrix, "matrix")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"matrix must be a square confusion matrix, got shape {matrix.shape}")
    if matrix.dtype.kind not in "iu" or matrix.min() < 0:
        raise ValueError(f"matrix must hold counts, integers from 0, got dtype {matrix.dtype}")
    image = ax.imshow(matrix, cmap="Blues")
    middle = matrix.max() / 2
    for (i, j), count in np.ndenumerate(matrix):
        if count == 0:
            continue
        ax.text(
            j, i, str(count), ha="center", va="center", fontsize=8,
            color="white" if count > middle else "black",
            fontweight="normal" if i == j else "bold",
        )
    ticks = np.arange(matrix.shape[0])
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true")
    return image


def plot_probabilities(
    ax: Axes, probabilities: np.ndarray, label: int
) -> BarContainer:
    """Bars of a classifier's probabilities for one example of class ``label``.

    The true class is blue (``CLASS_COLORS[0]``); when the largest
    probability belongs to another class, that bar is vermillion
    (``CLASS_COLORS[1]``); the rest are grey. ``probabilities`` is one row,
    each in [0, 1]; ``label`` a class index into it.
    """
    probabilities = as_float_array(probabilities, "probabilities")
    check_ndim("probabilities", probabilities, (1,))
    check_not_empty("probabilities", probabilities)
    if not ((probabilities >= 0) & (probabilities <= 1)).all():
        raise ValueError(f"probabilities must lie in [0, 1], got {describe(probabilities)}")
    label = check_count("label", label, 0, len(probabilities) - 1)
    colors = ["lightgray"] * len(probabilities)
    colors[int(probabilities.argmax())] = CLASS_COLORS[1]
    colors[int(label)] = CLASS_COLORS[0]
    bars = ax.bar(np.arange(len(probabilities)), probabilities, color=colors)
    ax.set(ylim=(0, 1), xticks=np.arange(N_CLASSES))
    ax.tick_params(axis="x", labelsize=7)
    return bars
