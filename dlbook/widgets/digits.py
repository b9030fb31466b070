"""The draw-a-digit explorer: draw on a pad, and the chapter's trained network reads it as you draw.

In the browser (``js/explorers/digits.js``) the reader draws on a 32 x 32 pad
with the mouse, a finger or the keyboard. The pad becomes the 8 x 8 image the
network reads as the book's data were made (:func:`dlbook.digits.image_from_bitmap`,
ported: the drawing scaled to fill the pad's height, then each pixel counts
the inked pad pixels of one 4 x 4 block, 0 to 16), and the network's ten
probabilities (:func:`dlbook.digits.digit_probabilities`, ported) are redrawn
at every stroke. The trained weights travel in the widget state, so this works on the
website with no kernel. :attr:`DigitExplorer.image` holds what the reader drew.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook.digits import N_CLASSES, N_PIXELS, PIXEL_MAX, digit_probabilities
from dlbook._validate import check_count, check_finite, check_labelled_data, describe, lookup
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.numpy.activations import DERIVATIVES
from dlbook.numpy.mlp import check_params
from dlbook.numpy.training import Params
from dlbook.widgets.explorer import Control, Explorer


def digit_readout(pixels: ArrayLike, probabilities: ArrayLike) -> str:
    """The explorer's read-out: the digit the network reads, and all ten probabilities."""
    pixels, probabilities = as_float_array(pixels, "pixels"), as_float_array(probabilities, "probabilities")
    if pixels.size != N_PIXELS:
        raise ValueError(f"pixels must be one image of {N_PIXELS} values, got shape {pixels.shape}")
    if probabilities.shape != (N_CLASSES,):
        raise ValueError(f"probabilities must be {N_CLASSES} numbers, one per digit, got shape {probabilities.shape}")
    check_finite("pixels", pixels)
    check_finite("probabilities", probabilities)
    listed = ", ".join(f"{digit}: {p:.3f}" for digit, p in enumerate(probabilities))
    if not pixels.any():
        return f"The pad is empty: draw a digit. Probabilities: {listed}"
    best = int(np.argmax(probabilities))
    return f"The network reads a {best} (probability {probabilities[best]:.3f}). Probabilities: {listed}"


def _is_image(proposal: dict[str, Any]) -> list[int]:
    image = proposal["value"]
    if len(image) != N_PIXELS or any(not 0 <= p <= PIXEL_MAX or p != int(p) for p in image):
        raise traitlets.TraitError(
            f"image must be {N_PIXELS} whole intensities from 0 to {PIXEL_MAX:g} (8 x 8, row by row), got {describe(image)}"
        )
    return [int(p) for p in image]


class DigitExplorer(Explorer):
    """Draw a digit; a trained two-layer network's ten probabilities follow every stroke.

    ``params`` is the trained network (64 inputs, 10 outputs, ``activation``
    hidden), ``X``, ``y`` a set of raw test images and their digits: the
    explorer offers the first image of each digit to load. ``start`` is the
    digit whose test image is on the pad at first.
    """

    MODULE = "digits"

    params = traitlets.Dict(read_only=True).tag(sync=True)
    activation = traitlets.Unicode("tanh", read_only=True).tag(sync=True)
    examples = traitlets.List(read_only=True).tag(sync=True)
    example = traitlets.Enum(list(range(N_CLASSES)), default_value=0).tag(sync=True)
    image = traitlets.List(traitlets.Int(), default_value=[0] * N_PIXELS).tag(sync=True)

    CONTROLS = (
        Control("example", "load a test image", kind="menu", labels=tuple(f"a test {d}" for d in range(N_CLASSES))),
    )

    def __init__(self, params: Params, X: ArrayLike, y: ArrayLike, activation: str = "tanh", start: int = 0) -> None:
        W1, b1, W2, b2 = check_params(params)
        if W1.shape[0] != N_PIXELS or W2.shape[1] != N_CLASSES:
            raise ValueError(f"params must map {N_PIXELS} pixels to {N_CLASSES} digits, got W1 {W1.shape}, W2 {W2.shape}")
        lookup("activation", activation, DERIVATIVES)
        start = check_count("start", start, 0, N_CLASSES - 1)
        X, y = as_float_array(X, "X"), as_numeric_array(y, "y")
        check_labelled_data(X, y)
        if X.shape[1] != N_PIXELS or not ((X >= 0) & (X <= PIXEL_MAX) & (X == np.round(X))).all():
            raise ValueError(
                f"X must hold raw test images, {N_PIXELS} whole intensities from 0 to {PIXEL_MAX:g} per row, "
                f"got shape {X.shape} with values from {X.min():g} to {X.max():g}"
            )
        missing = sorted(set(range(N_CLASSES)) - set(y.tolist()))
        if missing:
            raise ValueError(f"y has no test image of the digits {missing}: the explorer offers one of each")
        examples = [{"image": X[np.flatnonzero(y == digit)[0]].astype(int).tolist(), "label": digit}
                    for digit in range(N_CLASSES)]
        super().__init__(example=start)
        self.set_trait("params", {name: np.asarray(value, dtype=np.float64).tolist()
                                  for name, value in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2))})
        self.set_trait("activation", activation)
        self.set_trait("examples", examples)
        self.image = examples[start]["image"]

    @traitlets.validate("image")
    def _valid_image(self, proposal: dict[str, Any]) -> list[int]:
        return _is_image(proposal)

    @traitlets.observe("example")
    def _load_example(self, change: dict[str, Any]) -> None:
        if self.examples:
            self.image = self.examples[change["new"]]["image"]

    def clear(self) -> None:
        """Empty the pad, as the Clear button does."""
        self.image = [0] * N_PIXELS

    def probabilities(self) -> np.ndarray:
        """The network's ten probabilities for the image on the pad (:func:`dlbook.digits.digit_probabilities`)."""
        network = {name: np.asarray(value, dtype=np.float64) for name, value in self.params.items()}
        return digit_probabilities(network, np.asarray([self.image], dtype=np.float64), self.activation)[0]

    def readout(self) -> str:
        """The read-out for the image on the pad, as the browser shows it."""
        return digit_readout(self.image, self.probabilities())
