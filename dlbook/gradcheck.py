r"""Gradient checking: compare a hand-written gradient with central finite differences.

For a scalar function :math:`f` of an array :math:`x`, the central difference

.. math::

    \frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon}

has error :math:`O(\varepsilon^2)` (the one-sided difference only
:math:`O(\varepsilon)`). In float64 with :math:`\varepsilon = 10^{-6}` a correct
gradient agrees to a relative error far below :math:`10^{-6}`; a wrong formula
is typically off by :math:`10^{-2}` or more. The book checks every gradient it
derives by hand with :func:`gradcheck`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_no_nan

TOLERANCE = 1e-6
"""A float64 gradient passes the check when its relative error is below this."""


def _scalar(value: object, what: str) -> float:
    """``value`` as a Python float, or a ``ValueError`` saying that ``what`` must return a scalar."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"{what} must return a scalar, got shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    r"""The gradient of the scalar function ``f`` at ``x`` by central differences.

    Entry :math:`i` is :math:`(f(x + \varepsilon e_i) - f(x - \varepsilon e_i)) / (2\varepsilon)`.
    ``x`` (any shape) is copied to float64, so ``f`` sees float64 arrays; the
    result has the shape of ``x``. Costs two calls of ``f`` per entry.
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    x = np.array(x, dtype=np.float64)
    check_no_nan("x", x)
    grad = np.empty_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = _scalar(f(x), "f")
        flat[i] = original - eps
        f_minus = _scalar(f(x), "f")
        flat[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    r"""Size of the difference relative to the sizes of the two arrays:
    :math:`\lVert a - b \rVert / (\lVert a \rVert + \lVert b \rVert)`, 0 when both are zero.

    Unlike an entry-by-entry ratio it stays meaningful when some entries are 0.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def gradcheck(f: Callable[[np.ndarray], float], x: ArrayLike, analytic_grad: ArrayLike, eps: float = 1e-6) -> float:
    r"""Relative error between ``analytic_grad`` and the central-difference gradient of ``f`` at ``x``.

    ``analytic_grad`` is the gradient :math:`\nabla f(x)` computed by the
    formula under test; it must have the shape of ``x``. Returns
    :func:`relative_error` of the two; below :data:`TOLERANCE` (:math:`10^{-6}`)
    the formula is right.
    """
    analytic = np.asarray(analytic_grad, dtype=np.float64)
    if analytic.shape != np.shape(x):
        raise ValueError(f"analytic_grad has shape {analytic.shape} but x has shape {np.shape(x)}; they must match")
    check_no_nan("analytic_grad", analytic)
    return relative_error(analytic, numerical_gradient(f, x, eps))


def gradcheck_params(
    loss: Callable[[dict[str, np.ndarray]], float],
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, float]:
    r""":func:`gradcheck` for every array of a parameter dict, one relative error per name.

    ``loss(params)`` returns a scalar and ``grads[name]`` is its hand-written
    gradient with respect to ``params[name]``. Each array is varied in turn
    (in a float64 copy of ``params``; the caller's arrays are not touched).
    """
    if set(grads) != set(params):
        raise ValueError(f"grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    base = {name: np.array(p, dtype=np.float64) for name, p in params.items()}

    def loss_of(name: str) -> Callable[[np.ndarray], float]:
        return lambda value: loss({**base, name: value})

    return {name: gradcheck(loss_of(name), base[name], grads[name], eps) for name in params}
