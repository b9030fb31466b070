r"""Handwritten digits: 1,797 images of 8 x 8 pixels inside scikit-learn.

They come from the UCI "optical recognition of handwritten digits" data:
digits were written on forms, the forms were scanned, and NIST's programs
extracted a normalised 32 x 32 black-and-white bitmap of each digit; each
pixel here counts the inked pixels of one 4 x 4 block of that bitmap, an
integer from 0 (no ink) to 16 (all ink). Nothing is downloaded: scikit-learn
installs the file with the package.

The pipeline of the chapter "Handwritten digits", in three functions:
:func:`load_digits` gives the raw images, :func:`scale_pixels` turns raw
intensities into network inputs, and :func:`digit_probabilities` gives a
trained network's ten probabilities for raw images, the path a digit drawn
by the reader takes too. scikit-learn is imported only inside
:func:`load_digits`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_ndim, check_no_nan, check_not_empty
from dlbook.numpy._arrays import as_float_array, as_numeric_array
from dlbook.numpy.training import Params, predict_proba

#: Height and width of an image, in pixels.
IMAGE_SHAPE = (8, 8)
#: Pixels per image: the length of a flattened image, row by row.
N_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
#: The largest raw intensity: 16 inked bitmap pixels out of a 4 x 4 block.
PIXEL_MAX = 16.0
#: The classes, the digits 0 to 9.
N_CLASSES = 10
#: Height and width of the scanned bitmaps the images were counted from.
BITMAP_SIDE = 32
#: Each image pixel counts the inked pixels of one BLOCK x BLOCK block of the bitmap.
BLOCK = BITMAP_SIDE // IMAGE_SHAPE[0]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as ``(X, y)``, in scikit-learn's order.

    ``X`` has shape ``(1797, 64)`` and dtype float64: each row is one image
    read row by row (``X[i].reshape(8, 8)`` is the picture), with raw
    intensities from 0 to :data:`PIXEL_MAX`. ``y`` holds the digits, int64.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits

    digits = sklearn_load_digits()
    return digits.data.astype(np.float64), digits.target.astype(np.int64)


def normalize_bitmap(bitmap: ArrayLike) -> np.ndarray:
    r"""A drawing scaled as the data set's digits were: its inked box, scaled to span the bitmap along its longer side, centred.

    ``bitmap`` is a :data:`BITMAP_SIDE` x :data:`BITMAP_SIDE` array of 0 (blank)
    and 1 (ink). The smallest box around the ink, :math:`h` rows by :math:`w`
    columns, is scaled by :math:`s = \min(32/h, 32/w)`, keeping its aspect ratio,
    to :math:`H \times W` pixels (rounded, halves up) and centred. Output pixel
    :math:`(i, j)` of that box copies the source pixel nearest its centre,
    :math:`(r_0 + \lfloor (2i + 1) h / 2H \rfloor,\ c_0 + \lfloor (2j + 1) w / 2W \rfloor)`,
    in whole numbers only, so the browser's port gives the very same bitmap. The
    scanned digits of the data set all reach from the top row to the bottom one,
    as a tall drawing does once scaled (a wide one fills the width instead); a
    digit drawn small or off-centre is read like them only after this. An
    empty bitmap is returned as it is. Raises ``ValueError`` on a wrong shape,
    NaN or values other than 0 and 1.
    """
    bitmap = as_numeric_array(bitmap, "bitmap")
    if bitmap.shape != (BITMAP_SIDE, BITMAP_SIDE):
        raise ValueError(f"bitmap must have shape ({BITMAP_SIDE}, {BITMAP_SIDE}), got {bitmap.shape}")
    check_no_nan("bitmap", bitmap)
    if not np.isin(bitmap, (0, 1)).all():
        raise ValueError("bitmap must hold 0 (blank) and 1 (ink) only")
    bitmap = bitmap.astype(np.uint8)
    rows, cols = np.flatnonzero(bitmap.any(axis=1)), np.flatnonzero(bitmap.any(axis=0))
    if rows.size == 0:
        return bitmap
    r0, c0 = int(rows[0]), int(cols[0])
    h, w = int(rows[-1]) - r0 + 1, int(cols[-1]) - c0 + 1
    side = BITMAP_SIDE
    if h >= w:
        H, W = side, (2 * w * side + h) // (2 * h)
    else:
        H, W = (2 * h * side + w) // (2 * w), side
    source_rows = r0 + (2 * np.arange(H) + 1) * h // (2 * H)
    source_cols = c0 + (2 * np.arange(W) + 1) * w // (2 * W)
    top, left = (side - H) // 2, (side - W) // 2
    normalized = np.zeros_like(bitmap)
    normalized[top:top + H, left:left + W] = bitmap[np.ix_(source_rows, source_cols)]
    return normalized


def image_from_bitmap(bitmap: ArrayLike) -> np.ndarray:
    """The 8 x 8 image of a drawing: :func:`normalize_bitmap`, then the inked pixels of each 4 x 4 block counted.

    Returns the 64 raw intensities (0 to 16, float64), row by row, as the
    images of :func:`load_digits` were made from the scanned forms: what the
    draw-a-digit explorer hands the network.
    """
    blocks = normalize_bitmap(bitmap).reshape(IMAGE_SHAPE[0], BLOCK, IMAGE_SHAPE[1], BLOCK)
    return blocks.sum(axis=(1, 3)).ravel().astype(np.float64)


def shift_pixels(pixels: ArrayLike, down: int, right: int) -> np.ndarray:
    """Images moved by whole pixels: ``down`` rows and ``right`` columns (negative: up, left).

    ``pixels`` is one flattened 8 x 8 image, ``(64,)``, or a batch ``(n, 64)``
    of raw intensities; the result has its shape and dtype. Blank paper (0)
    comes in at the edge left behind, and what is pushed past the other edge
    is lost. Raises ``ValueError`` on a wrong shape or a shift that is not a
    whole number of pixels within the image.
    """
    pixels = np.asarray(pixels)
    if pixels.shape[-1:] != (N_PIXELS,) or pixels.ndim not in (1, 2):
        raise ValueError(f"pixels must be one 8 x 8 image (64,) or a batch (n, 64), got shape {pixels.shape}")
    height, width = IMAGE_SHAPE
    for name, step, size in (("down", down, height), ("right", right, width)):
        if not isinstance(step, (int, np.integer)) or isinstance(step, bool) or abs(step) >= size:
            raise ValueError(f"{name} must be a whole number of pixels from {1 - size} to {size - 1}, got {step!r}")
    planes = pixels.reshape(-1, height, width)
    moved = np.zeros_like(planes)
    rows, cols = slice(max(down, 0), height + min(down, 0)), slice(max(right, 0), width + min(right, 0))
    moved[:, rows, cols] = planes[:, max(-down, 0):height - max(down, 0), max(-right, 0):width - max(right, 0)]
    return moved.reshape(pixels.shape)


def scale_pixels(pixels: ArrayLike) -> np.ndarray:
    r"""Map raw intensities :math:`p \in [0, 16]` onto :math:`[-1, 1]`.

    The map is linear, :math:`x = p / 8 - 1`: blank paper becomes -1, full
    ink +1.

    ``pixels`` is one flattened image, shape ``(64,)``, or a batch
    ``(n, 64)``; the result has its shape (float64 for integer input, float
    dtypes kept). A fixed map, not statistics of the training set: the
    same function serves the training, validation and test images and a
    digit drawn by the reader. Raises ``ValueError`` on a wrong shape, empty
    input, NaN or intensities outside :math:`[0, 16]`.
    """
    pixels = as_float_array(pixels, "pixels")
    check_ndim("pixels", pixels, (1, 2))
    if pixels.shape[-1] != N_PIXELS:
        raise ValueError(
            f"pixels must have {N_PIXELS} values per image (an 8 x 8 image "
            f"read row by row), got shape {pixels.shape}"
        )
    check_not_empty("pixels", pixels)
    check_no_nan("pixels", pixels)
    if pixels.min() < 0 or pixels.max() > PIXEL_MAX:
        raise ValueError(
            f"pixels must be raw intensities from 0 to {PIXEL_MAX:g}, got "
            f"values from {pixels.min():g} to {pixels.max():g}"
        )
    return pixels / (PIXEL_MAX / 2) - 1


def _shift_axis(pictures: np.ndarray, amounts: np.ndarray, axis: int, blank: float) -> np.ndarray:
    r"""Move every picture by ``amounts[i]`` pixels along ``axis`` (1: down, 2: right), interpolating linearly.

    Pixel :math:`j` of the result takes the value at :math:`j - s` of the
    picture, :math:`s` the amount: with :math:`k = \lfloor -s \rfloor` and
    :math:`f = -s - k`, that is :math:`(1 - f)\, P_{j + k} + f\, P_{j + k + 1}`,
    where pixels outside the picture are ``blank``.
    """
    lines = pictures if axis == 2 else pictures.transpose(0, 2, 1)  # the axis to move along, last
    n, count, side = lines.shape
    row = 3 * side + 2  # each line with side + 1 blank pixels on either side: j + k, j + k + 1 lie in it
    padded = np.full((n, count, row), blank, dtype=lines.dtype)
    padded[:, :, side + 1:2 * side + 1] = lines
    whole = np.floor(-amounts)
    fraction = (-amounts - whole).reshape(-1, 1, 1)
    # Where each line's pixel j + k lies in the padded pictures, flattened: one lookup for all of them.
    first = (whole + side + 1).astype(np.int64).reshape(-1, 1, 1) + row * np.arange(n * count).reshape(n, count, 1)
    index = first + np.arange(side)
    flat = padded.reshape(-1)
    moved = (1 - fraction) * flat[index] + fraction * flat[index + 1]
    return moved if axis == 2 else moved.transpose(0, 2, 1)


def shift_images(images: ArrayLike, shifts: ArrayLike, blank: float = -1.0) -> np.ndarray:
    r"""Every 8 x 8 image moved by ``shifts[i] = (down, right)`` pixels, a fraction of a pixel included.

    ``images`` has shape ``(n, 64)``, each row an image read row by row, raw
    or scaled; ``shifts`` has shape ``(n, 2)``, numbers from -7 to 7
    (negative: up, left). Pixel :math:`(r, c)` of a moved image holds the
    value the image had at :math:`(r - \Delta r, c - \Delta c)`, found by
    linear interpolation between the nearest pixels, row-wise and then
    column-wise (bilinear); whatever lies outside the image is ``blank`` (-1,
    blank paper on the scaled :math:`[-1, 1]` range of :func:`scale_pixels`;
    0 for raw intensities). A whole-number shift moves the pixels exactly;
    half a pixel averages neighbours, as moving the scanned
    :data:`BITMAP_SIDE` x :data:`BITMAP_SIDE` bitmap by two of its pixels
    would, were the ink spread evenly within each 4 x 4 block. Returns a new
    array of the images' shape and float dtype. Raises ``ValueError`` on
    mismatched shapes, NaN or shifts out of range.
    """
    images = as_float_array(images)
    check_ndim("images", images, (2,))
    if images.shape[1] != N_PIXELS:
        raise ValueError(
            f"images must have {N_PIXELS} pixels per row (8 x 8 images), "
            f"got shape {images.shape}"
        )
    shifts = as_float_array(shifts)
    if shifts.shape != (len(images), 2):
        raise ValueError(
            f"shifts must have shape ({len(images)}, 2), one (down, right) "
            f"per image, got {shifts.shape}"
        )
    check_no_nan("shifts", shifts)
    limit = IMAGE_SHAPE[0] - 1
    if np.abs(shifts).max(initial=0) > limit:
        raise ValueError(f"shifts must lie from {-limit} to {limit} pixels")
    pictures = images.reshape(-1, *IMAGE_SHAPE)
    moved = _shift_axis(pictures, shifts[:, 0], 1, blank)
    moved = _shift_axis(moved, shifts[:, 1], 2, blank)
    return moved.reshape(images.shape).astype(images.dtype, copy=False)


def random_shifts(
    images: ArrayLike, rng: np.random.Generator, max_shift: float = 0.5, blank: float = -1.0
) -> np.ndarray:
    r"""Data augmentation: every image moved by its own random shift, up to ``max_shift`` pixels each way.

    Both components of each image's shift are drawn uniformly from
    :math:`[-\text{max\_shift}, \text{max\_shift}]` with ``rng`` (a NumPy
    ``Generator``), then :func:`shift_images` moves it (``blank`` fills).
    Called on every training batch, each epoch shows the network new
    versions of its images. Raises ``ValueError`` unless
    :math:`0 \le \text{max\_shift} \le 7`.
    """
    images = as_float_array(images)
    if not 0 <= max_shift <= IMAGE_SHAPE[0] - 1:
        raise ValueError(f"max_shift must lie from 0 to {IMAGE_SHAPE[0] - 1}, got {max_shift!r}")
    shifts = rng.uniform(-max_shift, max_shift, size=(len(images), 2))
    return shift_images(images, shifts, blank)


def digit_probabilities(
    params: Params, pixels: ArrayLike, activation: str = "tanh"
) -> np.ndarray:
    r"""A trained network's ten probabilities for each image of raw ``pixels``.

    ``pixels`` has shape ``(n, 64)`` with intensities from 0 to 16; the
    result, shape ``(n, 10)``, is
    :func:`~dlbook.numpy.training.predict_proba` of
    :func:`scale_pixels` ``(pixels)``: raw image in, probabilities out.
    ``params`` are a two-layer network's (:func:`~dlbook.numpy.mlp.init_mlp`
    layout) with 64 inputs and ``activation`` its hidden nonlinearity.
    """
    scaled = scale_pixels(pixels)
    check_ndim("pixels", scaled, (2,))
    return predict_proba(params, scaled, activation)
