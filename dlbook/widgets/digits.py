"""The draw-a-digit explorer: draw on a pad, and the chapter's trained network reads it as you draw.

In the browser (``js/explorers/digits.js``) the reader draws on a 32 x 32 pad
with the mouse, a finger or the keyboard. The pad becomes the 8 x 8 image the
network reads as the book's data were made (:func:`dlbook.digits.image_from_bitmap`,
ported: the drawing scaled until its longer side spans the pad, then each pixel counts
the inked pad pixels of one 4 x 4 block, 0 to 16), and the network's ten
probabilities (:func:`dlbook.digits.digit_probabilities`, ported) are redrawn
at every stroke. The trained weights travel in the widget state, so this works on the
website with no kernel. :attr:`DigitExplorer.image` holds what the reader drew.
"""

from __future__ import annotations

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook.digits import N_CLASSES, N_PIXELS, digit_probabilities
from dlbook._validate import check_finite, lookup
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import DERIVATIVES
from dlbook.numpy.mlp import check_params
from dlbook.numpy.training import Params
from dlbook.widgets.pad import EXAMPLE_CONTROL, PadExplorer


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


class DigitExplorer(PadExplorer):
    """Draw a digit; a trained two-layer network's ten probabilities follow every stroke.

    ``params`` is the trained network (64 inputs, 10 outputs, ``activation``
    hidden), ``X``, ``y`` a set of raw test images and their digits: the
    explorer offers the first image of each digit to load. ``start`` is the
    digit whose test image is on the pad at first.
    """

    MODULE = "digits"

    params = traitlets.Dict(read_only=True).tag(sync=True)
    activation = traitlets.Unicode("tanh", read_only=True).tag(sync=True)

    CONTROLS = (EXAMPLE_CONTROL,)

    def __init__(self, params: Params, X: ArrayLike, y: ArrayLike, activation: str = "tanh", start: int = 0) -> None:
        W1, b1, W2, b2 = check_params(params)
        if W1.shape[0] != N_PIXELS or W2.shape[1] != N_CLASSES:
            raise ValueError(f"params must map {N_PIXELS} pixels to {N_CLASSES} digits, got W1 {W1.shape}, W2 {W2.shape}")
        lookup("activation", activation, DERIVATIVES)
        super().__init__(X, y, start)
        self.set_trait("params", {name: np.asarray(value, dtype=np.float64).tolist()
                                  for name, value in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2))})
        self.set_trait("activation", activation)

    def probabilities(self) -> np.ndarray:
        """The network's ten probabilities for the image on the pad (:func:`dlbook.digits.digit_probabilities`)."""
        network = {name: np.asarray(value, dtype=np.float64) for name, value in self.params.items()}
        return digit_probabilities(network, self.pixels()[None], self.activation)[0]

    def readout(self) -> str:
        """The read-out for the image on the pad, as the browser shows it."""
        return digit_readout(self.image, self.probabilities())
