"""Plotting helpers shared by the chapters: decision regions over 2-D data.

Everything here draws on a matplotlib ``Axes`` handed in by the caller, so it
serves static figures (``plt.subplots``) and explorers (an Agg ``Figure``) alike.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.image import AxesImage

CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
REGION_CMAP = "RdBu_r"


def plot_extent(X: np.ndarray, margin: float = 0.5) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` of the 2-D points ``X``, padded by ``margin``."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def grid_points(extent: tuple[float, float, float, float], resolution: int = 100) -> np.ndarray:
    """A ``resolution x resolution`` grid over ``extent`` as ``(resolution**2, 2)`` points, row by row."""
    xmin, xmax, ymin, ymax = extent
    xs, ys = np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])


def scatter_classes(ax: Axes, X: np.ndarray, y: np.ndarray) -> PathCollection:
    """Scatter the points ``X`` coloured by their integer labels ``y``."""
    colors = np.asarray(CLASS_COLORS)[np.asarray(y) % len(CLASS_COLORS)]
    return ax.scatter(X[:, 0], X[:, 1], c=colors, s=18, edgecolors="white", linewidths=0.5, zorder=3)


def show_regions(
    ax: Axes, values: np.ndarray, extent: tuple[float, float, float, float], vmin: float = 0.0, vmax: float = 1.0
) -> AxesImage:
    """Show ``values`` (one per grid point, from :func:`grid_points`) as a coloured background.

    Returns the image: an explorer updates it in place with ``image.set_data``,
    much faster than drawing new contours.
    """
    resolution = int(round(np.sqrt(values.size)))
    return ax.imshow(
        values.reshape(resolution, resolution), extent=extent, origin="lower", cmap=REGION_CMAP,
        vmin=vmin, vmax=vmax, alpha=0.45, aspect="auto", interpolation="bilinear", zorder=1,
    )


def plot_decision_regions(
    ax: Axes,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 150,
) -> AxesImage:
    """Colour the plane by ``predict`` (points ``(m, 2)`` to values in [0, 1]) and scatter the data on top."""
    extent = plot_extent(X)
    image = show_regions(ax, np.asarray(predict(grid_points(extent, resolution))), extent)
    scatter_classes(ax, X, y)
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_1$", ylabel="$x_2$")
    return image


def decision_line(
    w: np.ndarray, b: float, extent: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two end points of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` across ``extent``.

    Returns ``(xs, ys)``, each of length 2, or two empty arrays when
    :math:`w = 0` (then no line exists: every point gets the same output).
    """
    w1, w2 = float(w[0]), float(w[1])
    xmin, xmax, ymin, ymax = extent
    if w1 == 0.0 and w2 == 0.0:
        return np.array([]), np.array([])
    if abs(w2) >= abs(w1):
        xs = np.array([xmin, xmax])
        return xs, -(w1 * xs + b) / w2
    ys = np.array([ymin, ymax])
    return -(w2 * ys + b) / w1, ys
