r"""Loss surfaces of two parameters, on which optimisers can be watched: a quadratic, a valley, a saddle.

Each surface is a loss :math:`L(w)` of :math:`w = (x, y)` with its gradient
written out:

* ``"quadratic"``, ill-conditioned: :math:`L = \tfrac12 (\mu x^2 + \lambda y^2)`
  with curvatures :math:`\mu = 1` and :math:`\lambda = 10`, condition number
  :math:`\kappa = \lambda / \mu = 10`; minimum 0 at the origin.
* ``"rosenbrock"``, Rosenbrock's curved valley:
  :math:`L = (1 - x)^2 + 100 (y - x^2)^2`, whose floor follows the parabola
  :math:`y = x^2` down to the minimum 0 at :math:`(1, 1)`.
* ``"saddle"``: :math:`L = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2`, a saddle
  point at the origin between two minima, :math:`-\tfrac14` at
  :math:`(0, \pm 1)`; along :math:`y = 0` every path runs into the saddle.

:func:`descent_path` runs any optimiser of :mod:`dlbook.numpy.optim` on a
surface and returns the points it visits: what the optimiser explorer draws
(``js/compute/surfaces.js`` is its port).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_count, check_function, lookup
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.optim.optimizer import Optimizer, Params

#: The quadratic's curvatures (mu, lambda): the loss is steep in y and flat in x.
CURVATURES = (1.0, 10.0)
#: The most steps :func:`descent_path` takes (one optimiser step each, in Python).
MAX_STEPS = 10**5
#: A path whose coordinate leaves [-DIVERGED, DIVERGED] (or is not finite) has diverged and stops.
DIVERGED = 1e3


def _overflowing(function: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``function`` computing silently past the float range: inf where the value overflows, NaN from inf - inf."""
    @functools.wraps(function)
    def quiet(*args: Any, **kwargs: Any) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return function(*args, **kwargs)

    return quiet


def _points(w: ArrayLike, size: int = 2) -> np.ndarray:
    """``w`` as float64 points of ``size`` coordinates on its last axis; an error naming ``w`` otherwise."""
    w = as_float_array(w, "w").astype(np.float64, copy=False)
    if w.ndim == 0 or w.shape[-1] != size:
        raise ValueError(f"w must hold points of {size} coordinates on its last axis, got shape {w.shape}")
    return w


@_overflowing
def quadratic_loss(w: ArrayLike, curvatures: ArrayLike = CURVATURES) -> np.ndarray:
    r""":math:`L(w) = \tfrac12 \sum_i h_i w_i^2` over the last axis of ``w``, curvatures :math:`h`."""
    w = _points(w, np.size(curvatures))
    return 0.5 * np.sum(np.asarray(curvatures) * w * w, axis=-1)


@_overflowing
def quadratic_gradient(w: ArrayLike, curvatures: ArrayLike = CURVATURES) -> np.ndarray:
    r""":math:`\nabla L = (h_1 w_1, h_2 w_2, \dots)`."""
    return np.asarray(curvatures) * _points(w, np.size(curvatures))


@_overflowing
def rosenbrock_loss(w: ArrayLike) -> np.ndarray:
    r""":math:`L = (1 - x)^2 + 100 (y - x^2)^2` for points ``w = (x, y)`` on the last axis."""
    x, y = np.moveaxis(_points(w), -1, 0)
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


@_overflowing
def rosenbrock_gradient(w: ArrayLike) -> np.ndarray:
    r""":math:`\nabla L = \big(-2 (1 - x) - 400 x (y - x^2),\ 200 (y - x^2)\big)`."""
    x, y = np.moveaxis(_points(w), -1, 0)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


@_overflowing
def saddle_loss(w: ArrayLike) -> np.ndarray:
    r""":math:`L = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2` for points ``w = (x, y)`` on the last axis."""
    x, y = np.moveaxis(_points(w), -1, 0)
    return 0.5 * x * x + 0.25 * (y * y) * (y * y) - 0.5 * y * y


@_overflowing
def saddle_gradient(w: ArrayLike) -> np.ndarray:
    r""":math:`\nabla L = (x,\ y^3 - y)`: zero at the saddle (0, 0) and the minima (0, ±1)."""
    x, y = np.moveaxis(_points(w), -1, 0)
    return np.stack([x, y * y * y - y], axis=-1)


#: The part of the plane the explorer shows, ``(xmin, xmax, ymin, ymax)``: every surface's minima and saddle
#: and Rosenbrock's valley from x = -1.58 to 1.58.
EXTENT = (-2.0, 2.0, -1.5, 2.5)


@dataclass(frozen=True)
class Surface:
    """A loss of two parameters: its name for readers, loss and gradient, contour levels and marked points."""

    title: str
    #: The loss as a reader writes it.
    formula: str
    loss: Callable[[ArrayLike], np.ndarray]
    gradient: Callable[[ArrayLike], np.ndarray]
    #: The loss values the explorer draws contour lines at, increasing.
    levels: tuple[float, ...]
    #: The minima, marked with a cross.
    minima: tuple[tuple[float, float], ...]
    #: The saddle points, marked with a circle.
    saddles: tuple[tuple[float, float], ...] = ()


#: The explorer's surfaces, by the name its menu uses.
SURFACES: dict[str, Surface] = {
    "quadratic": Surface("ill-conditioned quadratic", "L = ½(x² + 10y²)", quadratic_loss, quadratic_gradient,
                         (0.05, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0), ((0.0, 0.0),)),
    "rosenbrock": Surface("Rosenbrock's valley", "L = (1 − x)² + 100(y − x²)²", rosenbrock_loss, rosenbrock_gradient,
                          (0.1, 0.5, 2.0, 5.0, 20.0, 50.0, 200.0, 500.0, 2000.0), ((1.0, 1.0),)),
    "saddle": Surface("saddle", "L = ½x² + ¼y⁴ − ½y²", saddle_loss, saddle_gradient,
                      (-0.2, -0.1, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0), ((0.0, -1.0), (0.0, 1.0)), ((0.0, 0.0),)),
}


def get_surface(name: str) -> Surface:
    """The surface called ``name`` (``ValueError`` listing the names otherwise)."""
    return lookup("surface", name, SURFACES)


def descent_path(
    surface: str, make_optimizer: Callable[[Params], Optimizer], start: ArrayLike, steps: int
) -> tuple[np.ndarray, int | None]:
    r"""The points :math:`w_0, w_1, \dots` an optimiser visits on ``surface`` from ``start``.

    ``make_optimizer(params)`` builds the optimiser for ``params = {"w": w}``
    (e.g. ``lambda p: SGD(p, lr=0.1)``); each of the ``steps`` steps hands it
    the surface's gradient at the current point. Returns ``(points,
    diverged_at)``: ``points`` of shape ``(k + 1, 2)`` from ``start`` on, and
    ``diverged_at`` the step at which a coordinate left
    :math:`[-10^3, 10^3]` (:data:`DIVERGED`) or stopped being finite, the run
    ending before it, or ``None`` when all ``steps`` (at most :data:`MAX_STEPS`)
    were taken.
    """
    gradient = get_surface(surface).gradient
    check_count("steps", steps, 0, MAX_STEPS)
    check_function("make_optimizer", make_optimizer)
    params = {"w": as_float_array(start, "start").astype(np.float64)}
    if params["w"].shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {params['w'].shape}")
    optimizer = make_optimizer(params)
    points = [params["w"].copy()]
    for step in range(1, steps + 1):
        optimizer.step({"w": gradient(params["w"])})
        w = params["w"]
        if not (np.all(np.isfinite(w)) and np.abs(w).max() <= DIVERGED):
            return np.array(points), step
        points.append(w.copy())
    return np.array(points), None
