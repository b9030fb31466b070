r"""The softmax explorer: three logits and a temperature on sliders, the probabilities as bars.

In the browser (``js/explorers/softmax.js``) the bars are the probabilities
:math:`\mathrm{softmax}(z / T)`, the true class's bar in red, the dashed line
the uniform :math:`1/3`. The numbers are :func:`softmax_readout`, which calls
:func:`dlbook.numpy.softmax` and :func:`dlbook.numpy.cross_entropy`, ported.
"""

from __future__ import annotations

import numpy as np
import traitlets
from numpy.typing import ArrayLike

from dlbook.numpy.losses import cross_entropy
from dlbook.numpy.softmax import softmax
from dlbook.widgets.explorer import Control, Explorer

LOGIT_RANGE = (-10.0, 10.0)
"""The range of the logit sliders."""

TEMPERATURE_RANGE = (0.1, 10.0)
"""The range of the temperature slider (a log scale: 1 sits in the middle)."""

CLASS_NAMES = ("cat", "dog", "bird")
"""The three classes of the explorer's made-up classifier."""


def softmax_readout(logits: ArrayLike, temperature: float, true_class: int) -> tuple[np.ndarray, float]:
    r"""Probabilities :math:`\hat y = \mathrm{softmax}(z / T)` and the loss :math:`-\log \hat y_t`.

    Dividing the logits by a temperature :math:`T > 0` before the softmax
    sharpens the distribution (:math:`T < 1`) or flattens it towards uniform
    (:math:`T > 1`); the cross-entropy is that of the scaled logits for the
    true class :math:`t`. Raises ``ValueError`` unless :math:`T > 0`.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    return softmax(scaled), float(cross_entropy(scaled, true_class))


def softmax_readout_text(logits: ArrayLike, temperature: float, true_class: int) -> str:
    """The explorer's read-out: the probabilities and the loss for the true class."""
    probabilities, loss = softmax_readout(logits, temperature, true_class)
    listed = ", ".join(f"{name} {p:.3f}" for name, p in zip(CLASS_NAMES, probabilities))
    return (f"softmax(z / T): {listed}; cross-entropy for true class {CLASS_NAMES[true_class]}: "
            f"−log {probabilities[true_class]:.3f} = {loss:.3f}")


def _logit_trait(value: float) -> traitlets.Float:
    return traitlets.Float(value, min=LOGIT_RANGE[0], max=LOGIT_RANGE[1]).tag(sync=True)


class SoftmaxExplorer(Explorer):
    r"""Slide three logits :math:`z` and a temperature :math:`T`; watch :math:`\mathrm{softmax}(z / T)` and the loss."""

    MODULE = "softmax"

    z1 = _logit_trait(2.0)
    z2 = _logit_trait(1.0)
    z3 = _logit_trait(0.1)
    temperature = traitlets.Float(1.0, min=TEMPERATURE_RANGE[0], max=TEMPERATURE_RANGE[1]).tag(sync=True)
    true_class = traitlets.Enum(list(range(len(CLASS_NAMES))), default_value=0).tag(sync=True)
    class_names = traitlets.List(list(CLASS_NAMES), read_only=True).tag(sync=True)

    CONTROLS = (
        *(Control(f"z{i}", f"logit z{i} ({name})") for i, name in enumerate(CLASS_NAMES, start=1)),
        Control("temperature", "temperature T", step=0.05, scale="log", digits=2),
        Control("true_class", "true class", kind="menu", labels=CLASS_NAMES),
    )

    def __init__(self, logits: tuple[float, float, float] = (2.0, 1.0, 0.1), temperature: float = 1.0,
                 true_class: int = 0) -> None:
        z1, z2, z3 = logits
        super().__init__(z1=z1, z2=z2, z3=z3, temperature=temperature, true_class=true_class)

    @property
    def logits(self) -> tuple[float, float, float]:
        """The three logits :math:`z_1, z_2, z_3`."""
        return self.z1, self.z2, self.z3

    def readout(self) -> str:
        """The read-out for the current settings, as the browser shows it."""
        return softmax_readout_text(self.logits, self.temperature, self.true_class)
