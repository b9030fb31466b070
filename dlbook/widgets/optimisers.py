r"""The optimiser explorer: SGD, momentum, RMSProp and Adam racing on a loss surface from one start.

In the browser (``js/explorers/optimisers.js``) a surface of
:mod:`dlbook.numpy.surfaces` is drawn as contour lines, and four optimisers
of :mod:`dlbook.numpy.optim` start from the point the reader picks (clicking
or dragging on the plot, or the start sliders), with one learning rate
:math:`\eta`, one :math:`\beta` and a number of steps:

* SGD: ``SGD(lr=η)``;
* momentum: ``SGD(lr=η, momentum=β)``, the heavy ball;
* RMSProp: ``RMSprop(lr=η)`` (:math:`\alpha = 0.99`);
* Adam: ``Adam(lr=η, betas=(β, 0.999))``.

The paths are :func:`explorer_paths` and the read-out is
:func:`optimiser_readout`; ``js/compute/optim.js`` and
``js/compute/surfaces.js`` are their ports.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import traitlets

from dlbook._validate import check_count, check_learning_rate, check_real
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.optim import SGD, Adam, Optimizer, RMSprop
from dlbook.numpy.optim.optimizer import Params
from dlbook.numpy.surfaces import EXTENT, SURFACES, descent_path, get_surface
from dlbook.widgets.explorer import Control, Explorer, slider_trait

#: The learning rates to choose from: 1-2-5 steps, and around the quadratic's best rate 2/11 and limit 2/10.
LEARNING_RATES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.18, 0.2, 0.21, 0.5, 1.0)
#: RMSProp's alpha and Adam's beta2: torch's defaults.
ALPHA, BETA2 = 0.99, 0.999
#: The most steps a run takes.
MAX_STEPS = 300
#: The default start: on every surface something to see (the quadratic's zig-zag, Rosenbrock's wall).
START = (-1.5, 1.0)
#: The surfaces as the menu names them (short: the figure's title gives the full name and the formula).
MENU_LABELS = {"quadratic": "quadratic", "rosenbrock": "Rosenbrock's valley", "saddle": "saddle"}


def explorer_optimizers(lr: float, beta: float) -> dict[str, Callable[[Params], Optimizer]]:
    """The explorer's four optimisers, by the name the read-out gives them, as makers of ``params``."""
    return {
        "SGD": lambda params: SGD(params, lr=lr),
        "momentum": lambda params: SGD(params, lr=lr, momentum=beta),
        "RMSProp": lambda params: RMSprop(params, lr=lr, alpha=ALPHA),
        "Adam": lambda params: Adam(params, lr=lr, betas=(beta, BETA2)),
    }


def explorer_paths(
    surface: str, start: tuple[float, float], lr: float, beta: float, steps: int
) -> dict[str, tuple[np.ndarray, int | None]]:
    """Each optimiser's ``(points, diverged_at)`` (:func:`dlbook.numpy.surfaces.descent_path`).

    ``lr`` must be positive and finite, ``beta`` a finite number from 0 (errors name them).
    """
    lr, beta = check_learning_rate(lr), check_real("beta", beta, low=0)
    return {name: descent_path(surface, make, start, steps)
            for name, make in explorer_optimizers(lr, beta).items()}


def optimiser_readout(surface: str, start: tuple[float, float], lr: float, beta: float, steps: int) -> str:
    """The explorer's read-out: where each optimiser ended after ``steps`` steps and its loss there."""
    loss = get_surface(surface).loss
    ends = []
    for name, (points, diverged_at) in explorer_paths(surface, start, lr, beta, steps).items():
        if diverged_at is not None:
            ends.append(f"{name} diverged at step {diverged_at}")
        else:
            x, y = points[-1]
            ends.append(f"{name} at ({x:.2f}, {y:.2f}), loss {float(loss(points[-1])):.4f}")
    return f"After {steps} steps from ({start[0]:.2f}, {start[1]:.2f}): " + "; ".join(ends)


def _start_trait(value: float, low: float, high: float) -> traitlets.Float:
    return slider_trait(value, (low, high))


class OptimiserExplorer(Explorer):
    r"""Pick a surface, a start, the learning rate :math:`\eta`, :math:`\beta` and the steps; four paths follow."""

    MODULE = "optimisers"

    surface = traitlets.Enum(list(SURFACES), default_value="quadratic").tag(sync=True)
    lr = traitlets.Enum(list(LEARNING_RATES), default_value=0.1).tag(sync=True)
    beta = slider_trait(0.9, (0.0, 0.99))
    steps = traitlets.Int(50, min=1, max=MAX_STEPS).tag(sync=True)
    start_x = _start_trait(START[0], EXTENT[0], EXTENT[1])
    start_y = _start_trait(START[1], EXTENT[2], EXTENT[3])
    #: What the browser needs of each surface: its title, contour levels, minima and saddles.
    surfaces = traitlets.Dict(read_only=True).tag(sync=True)
    extent = traitlets.Tuple(*(traitlets.Float(),) * 4, default_value=EXTENT, read_only=True).tag(sync=True)

    CONTROLS = (
        Control("surface", "surface", kind="menu", labels=tuple(MENU_LABELS[name] for name in SURFACES)),
        Control("lr", "learning rate η", kind="choices"),
        Control("beta", "momentum β", step=0.01, digits=2),
        Control("steps", "steps", step=1, digits=0),
        Control("start_x", "start x", step=0.05, digits=2),
        Control("start_y", "start y", step=0.05, digits=2),
    )

    def __init__(self, surface: str = "quadratic", start: tuple[float, float] = START, lr: float = 0.1,
                 beta: float = 0.9, steps: int = 50) -> None:
        start = as_float_array(start, "start")
        if start.shape != (2,):
            raise ValueError(f"start must be a point (x, y), got shape {start.shape}")
        steps = check_count("steps", steps, 1, MAX_STEPS)
        super().__init__(surface=surface, start_x=float(start[0]), start_y=float(start[1]),
                         lr=check_learning_rate(lr), beta=beta, steps=steps)
        self.set_trait("surfaces", {name: {"title": s.title, "formula": s.formula, "levels": list(s.levels),
                                           "minima": [list(p) for p in s.minima],
                                           "saddles": [list(p) for p in s.saddles]}
                                    for name, s in SURFACES.items()})

    @property
    def start(self) -> tuple[float, float]:
        """The start point :math:`(x, y)`."""
        return self.start_x, self.start_y

    def paths(self) -> dict[str, tuple[np.ndarray, int | None]]:
        """Each optimiser's points and the step it diverged at (or ``None``), as drawn."""
        return explorer_paths(self.surface, self.start, self.lr, self.beta, self.steps)

    def readout(self) -> str:
        """The read-out for the current settings, as the browser shows it."""
        return optimiser_readout(self.surface, self.start, self.lr, self.beta, self.steps)
