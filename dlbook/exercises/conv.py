r"""Exercises of the chapter "Convolutional networks": a convolution's geometry and its arithmetic.

* :func:`check_conv_output_size`: the reader writes
  ``conv_output_size(size, kernel, stride=1, padding=0, dilation=1)``, the
  number of positions of a window along one axis,
  :math:`\lfloor (n + 2p - d (k - 1) - 1) / s \rfloor + 1`.
* :func:`check_conv2d_single`: ``conv2d_single(image, kernel)``, one kernel
  slid over one image without padding (the "valid" positions), as every
  deep-learning library computes it: no flipping,
  :math:`y_{ij} = \sum_{a,b} K_{ab}\, x_{i+a,\, j+b}`.
* :func:`check_max_pool`: ``max_pool(image, size)``, the largest value of every
  ``size`` x ``size`` block, blocks side by side (stride ``size``).

The expected results come from :mod:`dlbook.numpy.conv` and
:mod:`dlbook.numpy.pooling` run on the same input (for the output size: the
shape of a convolution's result), never from the formulas above.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.numpy.conv import conv2d
from dlbook.numpy.pooling import max_pool2d

SIZE_HINT = (
    "the window spans d * (k - 1) + 1 pixels; it fits at every s-th position of the padded length n + 2p, "
    "from 0 while it still fits: (n + 2p - d * (k - 1) - 1) // s + 1, an integer"
)
SLIDE_HINT = (
    "place the kernel's top-left corner at every position (i, j) where the whole kernel fits on the image, "
    "and add up kernel[a, b] * image[i + a, j + b] over the kernel"
)
POOL_HINT = (
    "cut the image into size x size blocks, side by side, and keep the largest value of each; "
    "rows and columns that do not fill a whole block are dropped"
)


def conv_output_size_reference(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The output length along one axis, read off the shape of :func:`dlbook.numpy.conv.conv2d`'s result."""
    out = conv2d(np.zeros((1, 1, size, 1)), np.zeros((1, 1, kernel, 1)), stride=(stride, 1), padding=(padding, 0),
                 dilation=(dilation, 1))
    return out.shape[2]


def _exact_integer(actual: Any, expected: int) -> bool:
    """True when ``actual`` is an integer (Python or NumPy, not a bool or a float) equal to ``expected``."""
    return isinstance(actual, numbers.Integral) and not isinstance(actual, bool) and actual == expected


def conv_output_size_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    prepared: list[tuple[str, tuple[int, ...], dict[str, int], str]] = [
        ("8 pixels, a 3-pixel kernel: conv_output_size(8, 3)", (8, 3), {}, SIZE_HINT),
        ("padding 1 keeps 8 pixels: conv_output_size(8, 3, padding=1)", (8, 3), {"padding": 1},
         "padding adds p pixels on each side: 2p in all"),
        ("stride 2: conv_output_size(8, 3, stride=2, padding=1)", (8, 3), {"stride": 2, "padding": 1},
         "with stride s the window moves s pixels at a time: divide the room it has to move by s"),
        ("a stride that does not divide: conv_output_size(7, 2, stride=2)", (7, 2), {"stride": 2},
         "round down: a window that would stick out past the end is not placed (use //, not /)"),
        ("dilation 2: conv_output_size(9, 3, dilation=2)", (9, 3), {"dilation": 2},
         "with dilation d the kernel's k taps lie d pixels apart and span d * (k - 1) + 1 pixels"),
        ("a kernel as long as the input: conv_output_size(5, 5)", (5, 5), {},
         "a kernel that just fits has exactly one position"),
        ("a 1-pixel kernel: conv_output_size(6, 1, stride=3)", (6, 1), {"stride": 3}, SIZE_HINT),
    ]
    cases = [Case(description, args, conv_output_size_reference(*args, **kwargs), hint, kwargs=kwargs)
             for description, args, kwargs, hint in prepared]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        kernel, stride, padding, dilation = (int(v) for v in rng.integers((1, 1, 0, 1), (6, 4, 3, 3)))
        size = int(rng.integers(dilation * (kernel - 1) + 1, 30))
        kwargs = {"stride": stride, "padding": padding, "dilation": dilation}
        cases.append(Case(f"random case {k + 1}: conv_output_size({size}, {kernel}, stride={stride}, "
                          f"padding={padding}, dilation={dilation})", (size, kernel),
                          conv_output_size_reference(size, kernel, **kwargs), SIZE_HINT, kwargs=kwargs))
    return cases


def conv2d_single_reference(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """One channel, one kernel, no padding: :func:`dlbook.numpy.conv.conv2d` on a batch of one."""
    return conv2d(np.asarray(image, dtype=float)[None, None], np.asarray(kernel, dtype=float)[None, None])[0, 0]


def conv2d_single_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    image = np.arange(16.0).reshape(4, 4)
    prepared = [
        ("a 3 x 3 image of 0 to 8 and a 2 x 2 kernel of ones", np.arange(9.0).reshape(3, 3), np.ones((2, 2)),
         SLIDE_HINT),
        ("an asymmetric kernel [[1, 2], [3, 4]] on a 4 x 4 image", image, np.array([[1.0, 2.0], [3.0, 4.0]]),
         "do not flip the kernel: deep learning's 'convolution' multiplies kernel[a, b] with image[i + a, j + b]"),
        ("a vertical edge kernel [[-1, 1]] on a 3 x 5 image", np.array([[0, 0, 1, 1, 1]] * 3, dtype=float),
         np.array([[-1.0, 1.0]]),
         "the output has (H - kH + 1) rows and (W - kW + 1) columns: height and width differ here"),
        ("a 1 x 1 kernel [[2]]", image, np.array([[2.0]]), "a 1 x 1 kernel scales every pixel"),
        ("a kernel as large as the image", image, np.ones((4, 4)),
         "a kernel that just fits has one position: a 1 x 1 output, still 2-D"),
        ("a tall kernel, 3 x 1, on a 4 x 4 image", image, np.array([[1.0], [0.0], [-1.0]]), SLIDE_HINT),
    ]
    cases = [Case(description, (x, k), conv2d_single_reference(x, k), hint) for description, x, k, hint in prepared]
    rng = np.random.default_rng(seed)
    for n in range(n_random):
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        h, w = int(rng.integers(kh, 8)), int(rng.integers(kw, 8))
        x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
        cases.append(Case(f"random case {n + 1}: a {h} x {w} image, a {kh} x {kw} kernel", (x, k),
                          conv2d_single_reference(x, k), SLIDE_HINT))
    return cases


def max_pool_reference(image: np.ndarray, size: int) -> np.ndarray:
    """:func:`dlbook.numpy.pooling.max_pool2d` with ``size`` x ``size`` windows and stride ``size``, one channel."""
    return max_pool2d(np.asarray(image, dtype=float)[None, None], size)[0, 0]


def max_pool_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    prepared = [
        ("a 4 x 4 image of 0 to 15, 2 x 2 blocks", np.arange(16.0).reshape(4, 4), 2, POOL_HINT),
        ("only negative values", -np.arange(1.0, 17.0).reshape(4, 4), 2,
         "start each block's maximum from its own values, not from 0: all of them may be negative"),
        ("a 6 x 4 image", np.arange(24.0).reshape(6, 4)[::-1].copy(), 2,
         "the image need not be square: the result has H // size rows and W // size columns"),
        ("a 5 x 5 image: the last row and column fill no block", np.arange(25.0).reshape(5, 5), 2,
         "rows and columns left over after the last whole block are dropped: 5 // 2 = 2 blocks"),
        ("3 x 3 blocks on a 6 x 6 image", np.random.default_rng(1).integers(0, 9, (6, 6)).astype(float), 3,
         "each block is size x size: use the argument size, not 2"),
        ("blocks of 1 x 1", np.arange(6.0).reshape(2, 3), 1, "1 x 1 blocks leave the image as it is"),
    ]
    cases = [Case(description, (x, size), max_pool_reference(x, size), hint) for description, x, size, hint in prepared]
    rng = np.random.default_rng(seed)
    for n in range(n_random):
        size = int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(size, 9, 2))
        x = rng.standard_normal((h, w))
        cases.append(Case(f"random case {n + 1}: a {h} x {w} image, {size} x {size} blocks", (x, size),
                          max_pool_reference(x, size), POOL_HINT))
    return cases


def check_conv_output_size(fn: Callable[..., Any]) -> CheckResult:
    r"""Check the reader's ``fn(size, kernel, stride=1, padding=0, dilation=1)``: an exact integer.

    Expected: the length of a convolution's output along that axis, as
    :func:`dlbook.numpy.conv.conv2d` makes it.
    """
    return run_checks("conv_output_size", fn, conv_output_size_cases(), matches=_exact_integer)


def check_conv2d_single(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    r"""Check the reader's ``fn(image, kernel)``: 2-D arrays in, the 2-D valid cross-correlation out."""
    return run_checks("conv2d_single", fn, conv2d_single_cases())


def check_max_pool(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    r"""Check the reader's ``fn(image, size)``: the maximum of every ``size`` x ``size`` block."""
    return run_checks("max_pool", fn, max_pool_cases(), rtol=0, atol=0)
