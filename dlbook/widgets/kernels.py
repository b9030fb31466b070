r"""The kernel explorer: slide a 3 x 3 kernel of your own over a digit, see the feature map and its pooling.

The reader loads a test digit or draws one (``js/ui/pad.js``), sets the nine
weights of a kernel with sliders or loads a named one (identity, blur,
sharpen, vertical or horizontal edges), and chooses the padding, the stride,
an activation and the pooling. The browser (``js/explorers/kernels.js``)
recomputes, at every move, what :func:`kernel_maps` computes here with
:mod:`dlbook.numpy`: the image as ink, :math:`x = p / 16` (paper 0, full ink
1), its feature map :math:`K \star x` (:func:`~dlbook.numpy.conv.conv2d`),
the activation, and 2 x 2 pooling with stride 2
(:func:`~dlbook.numpy.pooling.max_pool2d` or
:func:`~dlbook.numpy.pooling.avg_pool2d`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook._validate import lookup
from dlbook.numpy._arrays import as_float_array
from dlbook.digits import IMAGE_SHAPE, PIXEL_MAX
from dlbook.numpy.conv import conv2d
from dlbook.numpy.pooling import avg_pool2d, max_pool2d
from dlbook.widgets.explorer import Control
from dlbook.widgets.pad import EXAMPLE_CONTROL, PadExplorer

#: The named kernels, row by row. Edges: Sobel's kernels, positive where the ink
#: grows to the right (vertical edges) or downwards (horizontal edges).
KERNELS: dict[str, tuple[float, ...]] = {
    "vertical edges": (-1.0, 0.0, 1.0, -2.0, 0.0, 2.0, -1.0, 0.0, 1.0),
    "horizontal edges": (-1.0, -2.0, -1.0, 0.0, 0.0, 0.0, 1.0, 2.0, 1.0),
    "blur": (0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1),
    "sharpen": (0.0, -1.0, 0.0, -1.0, 5.0, -1.0, 0.0, -1.0, 0.0),
    "identity": (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
}
#: The traits of the nine weights, row by row: ``k11`` is row 1, column 1.
WEIGHTS = tuple(f"k{row}{col}" for row in (1, 2, 3) for col in (1, 2, 3))
#: The largest weight either way; the sliders move in steps of 0.1.
WEIGHT_LIMIT = 5.0
#: What follows the convolution before pooling.
ACTIVATIONS = {"none": lambda z: z, "relu": lambda z: np.maximum(z, 0)}
POOLINGS = {"max": max_pool2d, "average": avg_pool2d}
POOL = 2


def _sized(values: ArrayLike, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` as float64 numbers, as many as ``shape`` holds; an error naming ``name`` otherwise."""
    array = as_float_array(values, name).astype(np.float64, copy=False)
    if array.size != math.prod(shape):
        raise ValueError(f"{name} must hold {math.prod(shape)} numbers ({' x '.join(map(str, shape))}), "
                         f"got shape {array.shape}")
    return array


def kernel_maps(pixels: ArrayLike, kernel: ArrayLike, padding: int, stride: int, activation: str,
                pool: str) -> tuple[np.ndarray, np.ndarray]:
    r"""The feature map of ``kernel`` on the ink of an image, and its 2 x 2 pooling with stride 2.

    ``pixels`` are 64 raw intensities (0 to 16), ``kernel`` nine weights (or
    3 x 3). The image enters as ink :math:`x = p / 16`; the feature map is
    :math:`z = K \star x` with ``padding`` and ``stride``; then ``activation``
    (``"none"`` or ``"relu"``) and ``pool`` (``"max"`` or ``"average"``).
    Returns ``(z, pooled)``, 2-D arrays.
    """
    ink = _sized(pixels, "pixels", IMAGE_SHAPE).reshape(1, *IMAGE_SHAPE) / PIXEL_MAX
    weights = _sized(kernel, "kernel", (3, 3)).reshape(1, 1, 3, 3)
    feature = conv2d(ink, weights, padding=padding, stride=stride)
    pooled = lookup("pool", pool, POOLINGS)(lookup("activation", activation, ACTIVATIONS)(feature), POOL)
    return feature[0], pooled[0]


def kernel_name(kernel: ArrayLike) -> str | None:
    """The name of the named kernel with exactly these nine weights, or ``None``."""
    weights = tuple(float(w) for w in np.ravel(kernel))
    return next((name for name, values in KERNELS.items() if values == weights), None)


def _article(size: int) -> str:
    """"a" or "an" before a number written in digits: "an 8 x 8 map", "a 6 x 6 map"."""
    return "an" if str(size).startswith("8") or size in (11, 18) else "a"


def _two_decimals(value: float) -> str:
    """``value`` to two decimals, after rounding it to nine: the last bits of a sum, which differ between
    NumPy's matrix products and the browser's loops, must not tip a rounding (0.425 is often 0.42499...).
    """
    return f"{round(float(value), 9) + 0.0:.2f}"


def _range(a: np.ndarray) -> str:
    low, high = _two_decimals(a.min()), _two_decimals(a.max())
    return f"all {low}" if low == high else f"from {low} to {high}"


def kernel_readout(pixels: ArrayLike, kernel: ArrayLike, padding: int, stride: int, activation: str,
                   pool: str) -> str:
    """The explorer's read-out: the kernel, and the range of the feature map and of the pooled map."""
    feature, pooled = kernel_maps(pixels, kernel, padding, stride, activation, pool)
    rows = np.reshape(kernel, (3, 3))
    matrix = "; ".join(" ".join(f"{w:.1f}" for w in row) for row in rows)
    name = kernel_name(kernel)
    then = "no activation" if activation == "none" else "ReLU"
    text = (f"{'The ' + name if name else 'Your'} kernel [{matrix}], padding {padding}, stride {stride}: "
            f"{_article(feature.shape[0])} {feature.shape[0]} x {feature.shape[1]} feature map {_range(feature)}; {then} and 2 x 2 {pool} "
            f"pooling leave {pooled.shape[0]} x {pooled.shape[1]} {_range(pooled)}.")
    return text if np.any(pixels) else f"The pad is empty: draw a digit. {text}"


class KernelExplorer(PadExplorer):
    """A 3 x 3 kernel slid over a digit: its feature map and the pooled map follow every weight and stroke.

    ``X``, ``y`` are raw test images and their digits (the first image of each
    digit can be loaded); ``start`` is the digit on the pad at first, and
    ``kernel`` the named kernel the weights start from.
    """

    MODULE = "kernels"

    kernel = traitlets.Enum(list(KERNELS), default_value="vertical edges").tag(sync=True)
    k11 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k12 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k13 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k21 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k22 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k23 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k31 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k32 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    k33 = traitlets.Float(0.0, min=-WEIGHT_LIMIT, max=WEIGHT_LIMIT).tag(sync=True)
    padding = traitlets.Enum([0, 1], default_value=1).tag(sync=True)
    stride = traitlets.Enum([1, 2], default_value=1).tag(sync=True)
    activation = traitlets.Enum(list(ACTIVATIONS), default_value="none").tag(sync=True)
    pool = traitlets.Enum(list(POOLINGS), default_value="max").tag(sync=True)

    CONTROLS = (
        EXAMPLE_CONTROL,
        Control("kernel", "load a named kernel", kind="menu"),
        *(Control(name, f"weight ({name[1]}, {name[2]})", step=0.1) for name in WEIGHTS),
        Control("padding", "padding", kind="choices"),
        Control("stride", "stride", kind="choices"),
        Control("activation", "activation", kind="menu", labels=("none", "ReLU")),
        Control("pool", "2 x 2 pooling", kind="menu", labels=("max", "average")),
    )

    def __init__(self, X: ArrayLike, y: ArrayLike, start: int = 0, kernel: str = "vertical edges") -> None:
        lookup("kernel", kernel, KERNELS)
        super().__init__(X, y, start, kernel=kernel, **dict(zip(WEIGHTS, KERNELS[kernel])))

    @traitlets.observe("kernel")
    def _load_kernel(self, change: dict[str, Any]) -> None:
        with self.hold_trait_notifications():
            for name, value in zip(WEIGHTS, KERNELS[change["new"]]):
                setattr(self, name, value)

    def weights(self) -> np.ndarray:
        """The kernel the sliders set, 3 x 3."""
        return np.array([getattr(self, name) for name in WEIGHTS]).reshape(3, 3)

    def maps(self) -> tuple[np.ndarray, np.ndarray]:
        """The feature map and the pooled map the figure shows (:func:`kernel_maps`)."""
        return kernel_maps(self.pixels(), self.weights(), self.padding, self.stride, self.activation, self.pool)

    def readout(self) -> str:
        """The read-out for the image on the pad and the settings, as the browser shows it."""
        return kernel_readout(self.pixels(), self.weights(), self.padding, self.stride, self.activation, self.pool)
