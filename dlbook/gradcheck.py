r"""Gradient checking: compare a hand-written gradient with central finite differences.

For a scalar function :math:`f` of an array :math:`x`, the central difference

.. math::

    \frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

has error :math:`O(\varepsilon^2)` (the one-sided difference only
:math:`O(\varepsilon)`). In float64 with :math:`\varepsilon = 10^{-6}` a correct
gradient agrees to a relative error far below :math:`10^{-6}`; a wrong formula
is typically off by :math:`10^{-2}` or more. The book checks every gradient it
derives by hand with :func:`gradcheck`.

A relative error alone fails gradients near zero: a correct :math:`2 \cdot 10^{-30}`
against a numerical 0 is 100% off. So, as ``torch.autograd.gradcheck`` does
with its ``atol`` beside ``rtol``, the check also has an absolute tolerance
(:data:`ATOL`): gradients pass when
:math:`\lVert a - n \rVert \le \mathrm{atol} + \mathrm{rtol}\,(\lVert a \rVert + \lVert n \rVert)`.
NaN and infinities never pass: they raise ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import (
    ArgumentTypeError,
    check_finite,
    check_function,
    check_mapping,
    check_real,
    describe,
)
from dlbook.numpy._arrays import as_float_array, as_numeric_array

TOLERANCE = 1e-6
"""The relative tolerance (torch's ``rtol``): a float64 gradient passes when its error is below this."""

ATOL = 1e-8
"""The absolute tolerance (torch's ``atol``): gradients closer than this (in norm) agree, however small.

A central difference in float64 with :math:`\varepsilon = 10^{-6}` carries
rounding noise of about :math:`10^{-16} |f| / \varepsilon = 10^{-10} |f|`, so
two correct gradients of a function of moderate size stay well inside it.
"""


def _scalar(value: Any, what: str, where: str) -> float:
    """``value`` as a Python float, or an error saying that ``what`` must return one finite number (at ``where``)."""
    try:
        arr = as_numeric_array(value, f"the value of {what}")
    except TypeError:
        raise ArgumentTypeError(f"{what} must return a number, got {describe(value)}") from None
    if arr.size != 1:
        raise ValueError(f"{what} must return a scalar, got shape {arr.shape}")
    number = float(arr.reshape(()))
    if not np.isfinite(number):
        raise ValueError(
            f"{what} returned {number} at {where}; a gradient check needs finite values of {what}"
        )
    return number


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    r"""The gradient of the scalar function ``f`` at ``x`` by central differences.

    Entry :math:`i` is :math:`(f(x + \varepsilon e_i) - f(x - \varepsilon e_i)) / (2\varepsilon)`.
    ``x`` (any shape) is copied to float64, so ``f`` sees float64 arrays; the
    result has the shape of ``x``. Costs two calls of ``f`` per entry. Raises
    ``ValueError`` when ``x`` or a value of ``f`` is NaN or infinite.
    """
    check_function("f", f)
    eps = check_real("eps", eps, positive=True)
    x = np.array(as_float_array(x, "x"), dtype=np.float64)
    check_finite("x", x)
    grad = np.empty_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = _scalar(f(x), "f", f"x with entry {i} nudged by +eps")
        flat[i] = original - eps
        f_minus = _scalar(f(x), "f", f"x with entry {i} nudged by -eps")
        flat[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike, *, atol: float = 0.0, rtol: float = TOLERANCE) -> float:
    r"""Size of the difference relative to the sizes of the two arrays:
    :math:`\lVert a - b \rVert / (\lVert a \rVert + \lVert b \rVert)`, 0 when both are zero.

    Unlike an entry-by-entry ratio it stays meaningful when some entries are 0.
    With an absolute tolerance ``atol`` the denominator grows by
    ``atol / rtol``: then the error is below ``rtol`` exactly when
    :math:`\lVert a - b \rVert < \mathrm{atol} + \mathrm{rtol}\,(\lVert a \rVert + \lVert b \rVert)`,
    and two gradients that are both nearly zero agree. Raises ``ValueError``
    when either array holds NaN or an infinity: such a gradient is never right.
    """
    a, b = as_float_array(a, "a").astype(np.float64), as_float_array(b, "b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}: a and b must have one shape")
    check_finite("a", a)
    check_finite("b", b)
    atol = check_real("atol", atol, low=0.0)
    rtol = check_real("rtol", rtol, positive=True)
    # Both divided by the largest entry m first: the ratio is the same, and no
    # square of a huge entry (1e200) overflows nor of a tiny one underflows.
    m = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    if m == 0:
        return 0.0
    floor = atol / rtol / m  # Python floats: inf, not an error, for a tiny m (then the error is 0)
    a, b = a / m, b / m
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + floor))


def gradcheck(
    f: Callable[[np.ndarray], float],
    x: ArrayLike,
    analytic_grad: ArrayLike,
    eps: float = 1e-6,
    *,
    atol: float = ATOL,
    rtol: float = TOLERANCE,
) -> float:
    r"""The error of ``analytic_grad`` against the central-difference gradient of ``f`` at ``x``.

    ``analytic_grad`` is the gradient :math:`a = \nabla f(x)` computed by the
    formula under test; it must have the shape of ``x``. With :math:`n` the
    numerical gradient, the result is the relative error with an absolute
    tolerance (:func:`relative_error`),

    .. math:: e = \frac{\lVert a - n \rVert}{\lVert a \rVert + \lVert n \rVert + \mathrm{atol} / \mathrm{rtol}},

    and the formula is right when :math:`e` is below ``rtol``
    (:data:`TOLERANCE`, :math:`10^{-6}`), that is when
    :math:`\lVert a - n \rVert < \mathrm{atol} + \mathrm{rtol}\,(\lVert a \rVert + \lVert n \rVert)`:
    the rule of ``torch.autograd.gradcheck`` (``atol``, ``rtol``), with norms
    in place of single entries. ``atol`` (:data:`ATOL`, :math:`10^{-8}`) lets a
    correct gradient near zero pass, where the relative error of two tiny
    numbers means nothing; for gradients of ordinary size it changes
    :math:`e` by a fraction of a percent. NaN or infinities in ``analytic_grad``
    or in the values of ``f`` raise ``ValueError``: they never pass.
    """
    x = as_float_array(x, "x")
    analytic = as_float_array(analytic_grad, "analytic_grad").astype(np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic.shape} but x has shape {x.shape}; they must match")
    check_finite("analytic_grad", analytic)
    return relative_error(analytic, numerical_gradient(f, x, eps), atol=atol, rtol=rtol)


def gradcheck_params(
    loss: Callable[[dict[str, np.ndarray]], float],
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    eps: float = 1e-6,
    *,
    atol: float = ATOL,
    rtol: float = TOLERANCE,
) -> dict[str, float]:
    r""":func:`gradcheck` for every array of a parameter dict, one error per name.

    ``loss(params)`` returns a scalar and ``grads[name]`` is its hand-written
    gradient with respect to ``params[name]``. Each array is varied in turn
    (in a float64 copy of ``params``; the caller's arrays are not touched).
    """
    check_function("loss", loss)
    if set(check_mapping("grads", grads)) != set(check_mapping("params", params)):
        raise ValueError(
            f"grads must have the keys of params {sorted(map(str, params))}, got {sorted(map(str, grads))}"
        )
    base = {name: np.array(as_float_array(p, f"params[{describe(name)}]"), dtype=np.float64) for name, p in params.items()}
    for name in params:
        check_finite(f"params[{describe(name)}]", base[name])
        check_finite(f"grads[{describe(name)}]", as_float_array(grads[name], f"grads[{describe(name)}]"))

    def loss_of(name: str) -> Callable[[np.ndarray], float]:
        return lambda value: loss({**base, name: value})

    return {
        name: gradcheck(loss_of(name), base[name], grads[name], eps, atol=atol, rtol=rtol) for name in params
    }
