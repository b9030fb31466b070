"""What every explorer with a drawing pad shares: test images to load, the image drawn, a Clear button.

In the browser the pad is ``js/ui/pad.js``: the reader draws on 32 x 32 pad
pixels with the mouse, a finger or the keyboard, and the drawing becomes the
8 x 8 image the book's data are made of (:func:`dlbook.digits.image_from_bitmap`,
ported: scaled until its longer side spans the pad, then each pixel counts the inked pad
pixels of one 4 x 4 block, 0 to 16). :attr:`PadExplorer.image` holds it, so
Python sees what the reader drew. A menu (the trait ``example``) loads the
first test image of a digit; :meth:`PadExplorer.clear` empties the pad.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook.digits import N_CLASSES, N_PIXELS, PIXEL_MAX
from dlbook._validate import check_count, check_labelled_data, describe
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.widgets.explorer import Control, Explorer

#: The first control of every pad explorer: load a test image.
EXAMPLE_CONTROL = Control("example", "load a test image", kind="menu",
                          labels=tuple(f"a test {digit}" for digit in range(N_CLASSES)))


def first_examples(X: ArrayLike, y: ArrayLike) -> list[dict[str, Any]]:
    """The first image of each digit in ``(X, y)``, raw intensities as whole numbers: ``[{"image", "label"}]``.

    Raises ``ValueError`` on images that are not raw intensities (64 whole
    numbers from 0 to 16 per row) and naming the digits that have no image.
    """
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
    return [{"image": X[np.flatnonzero(y == digit)[0]].astype(int).tolist(), "label": digit}
            for digit in range(N_CLASSES)]


class PadExplorer(Explorer):
    """An explorer whose input is a digit the reader draws or loads; subclasses read :attr:`image`."""

    examples = traitlets.List(read_only=True).tag(sync=True)
    example = traitlets.Enum(list(range(N_CLASSES)), default_value=0).tag(sync=True)
    image = traitlets.List(traitlets.Int(), default_value=[0] * N_PIXELS).tag(sync=True)

    def __init__(self, X: ArrayLike, y: ArrayLike, start: int = 0, **state: Any) -> None:
        start = check_count("start", start, 0, N_CLASSES - 1)
        examples = first_examples(X, y)
        super().__init__(example=start, **state)
        self.set_trait("examples", examples)
        self.image = examples[start]["image"]

    @traitlets.validate("image")
    def _valid_image(self, proposal: dict[str, Any]) -> list[int]:
        image = proposal["value"]
        if len(image) != N_PIXELS or any(not 0 <= p <= PIXEL_MAX or p != int(p) for p in image):
            raise traitlets.TraitError(
                f"image must be {N_PIXELS} whole intensities from 0 to {PIXEL_MAX:g} (8 x 8, row by row), "
                f"got {describe(image)}"
            )
        return [int(p) for p in image]

    @traitlets.observe("example")
    def _load_example(self, change: dict[str, Any]) -> None:
        if self.examples:
            self.image = self.examples[change["new"]]["image"]

    def clear(self) -> None:
        """Empty the pad, as the Clear button does."""
        self.image = [0] * N_PIXELS

    def pixels(self) -> np.ndarray:
        """The image on the pad as 64 raw intensities, float64, row by row."""
        return np.asarray(self.image, dtype=np.float64)
