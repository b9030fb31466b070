r"""The feature-map explorer: the chapter's trained convolutional network reads a digit you draw.

The reader draws a digit or loads a test image (``js/ui/pad.js``) and may
shift it by whole pixels; the browser (``js/explorers/featuremaps.js``) runs
the trained network of :mod:`dlbook.numpy.cnn` on it at every stroke, ported
to ``js/compute/cnn.js``, and draws what each layer computes: the image as the
network reads it (shifted, :func:`dlbook.digits.shift_pixels`, then scaled,
:func:`dlbook.digits.scale_pixels`), the first layer's feature maps (after
ReLU, before pooling), the second layer's, and the ten probabilities. The
trained weights travel in the widget state, so this works on the website
with no kernel.
"""

from __future__ import annotations

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook._validate import check_integer
from dlbook.digits import N_CLASSES, N_PIXELS, scale_pixels, shift_pixels
from dlbook.numpy.cnn import CNN_PARAM_NAMES, check_cnn_params, cnn_forward, cnn_predict_proba, image_side
from dlbook.widgets.digits import digit_readout
from dlbook.widgets.explorer import Control
from dlbook.widgets.pad import EXAMPLE_CONTROL, PadExplorer

#: How far the image may be shifted, in pixels, either way.
MAX_SHIFT = 2


def feature_map_readout(pixels: ArrayLike, probabilities: ArrayLike, down: int, right: int) -> str:
    """The explorer's read-out: the network's reading of the drawn image, then the shift it was read with."""
    down, right = check_integer("down", down), check_integer("right", right)
    moves = [f"{abs(n)} pixel{'s' if abs(n) > 1 else ''} {way}"
             for n, way in ((right, "right" if right > 0 else "left"), (down, "down" if down > 0 else "up")) if n]
    shifted = f"Shifted {' and '.join(moves)}." if moves else "Not shifted."
    return f"{digit_readout(pixels, probabilities)}. {shifted}"


class FeatureMapExplorer(PadExplorer):
    """Draw a digit and see what the trained convolutional network computes from it, layer by layer.

    ``params`` is the trained network (:func:`dlbook.numpy.cnn.init_cnn`
    layout, 8 x 8 images, 10 digits); ``X``, ``y`` raw test images and their
    digits (the first of each digit can be loaded); ``start`` the digit on
    the pad at first.
    """

    MODULE = "featuremaps"

    params = traitlets.Dict(read_only=True).tag(sync=True)
    right = traitlets.Enum(list(range(-MAX_SHIFT, MAX_SHIFT + 1)), default_value=0).tag(sync=True)
    down = traitlets.Enum(list(range(-MAX_SHIFT, MAX_SHIFT + 1)), default_value=0).tag(sync=True)

    CONTROLS = (
        EXAMPLE_CONTROL,
        Control("right", "shift right", kind="choices"),
        Control("down", "shift down", kind="choices"),
    )

    def __init__(self, params: dict[str, np.ndarray], X: ArrayLike, y: ArrayLike, start: int = 0) -> None:
        arrays = check_cnn_params(params)
        K2, W3 = arrays[2], arrays[4]
        if image_side(W3, K2.shape[0]) ** 2 != N_PIXELS or W3.shape[1] != N_CLASSES:
            raise ValueError(f"params must read 8 x 8 images and give {N_CLASSES} logits, got W3 {W3.shape} "
                             f"after {K2.shape[0]} channels")
        super().__init__(X, y, start)
        self.set_trait("params", {name: np.asarray(value, dtype=np.float64).tolist()
                                  for name, value in zip(CNN_PARAM_NAMES, arrays)})

    def network(self) -> dict[str, np.ndarray]:
        """The trained parameters as NumPy arrays."""
        return {name: np.asarray(value, dtype=np.float64) for name, value in self.params.items()}

    def inputs(self) -> np.ndarray:
        """The network's input: the image on the pad shifted and scaled, one row of 64 values."""
        return scale_pixels(shift_pixels(self.pixels(), self.down, self.right))[None]

    def feature_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """The two layers' feature maps the figure shows: after ReLU, before pooling, ``(c1, 8, 8)`` and ``(c2, 4, 4)``."""
        _, cache = cnn_forward(self.network(), self.inputs())
        return cache["A1"][0], cache["A2"][0]

    def probabilities(self) -> np.ndarray:
        """The network's ten probabilities for the shifted image (:func:`dlbook.numpy.cnn.cnn_predict_proba`)."""
        return cnn_predict_proba(self.network(), self.inputs())[0]

    def readout(self) -> str:
        """The read-out for the image on the pad and the shift, as the browser shows it."""
        return feature_map_readout(self.image, self.probabilities(), self.down, self.right)
