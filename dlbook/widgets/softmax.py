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

from dlbook._validate import check_count, check_finite, check_real
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.losses import cross_entropy
from dlbook.numpy.softmax import softmax
from dlbook.widgets.explorer import Control, Explorer, slider_trait

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
    true class :math:`t`. Raises ``ValueError`` unless :math:`T > 0`, the
    logits are finite numbers and ``true_class`` indexes one of them.
    """
    temperature = check_real("temperature", temperature, positive=True)
    z = _logits(logits)
    true_class = check_count("true_class", true_class, 0, len(z) - 1)
    scaled = z / temperature
    return softmax(scaled), float(cross_entropy(scaled, true_class))


def _logits(logits: ArrayLike) -> np.ndarray:
    """``logits`` as a non-empty 1-D float64 array of finite numbers."""
    z = as_float_array(logits, "logits").astype(np.float64)
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"logits must be a list of numbers, one per class, got shape {z.shape}")
    check_finite("logits", z)
    return z


def softmax_readout_text(logits: ArrayLike, temperature: float, true_class: int) -> str:
    """The explorer's read-out: the probabilities and the loss for the true class."""
    probabilities, loss = softmax_readout(logits, temperature, true_class)
    listed = ", ".join(f"{name} {p:.3f}" for name, p in zip(CLASS_NAMES, probabilities))
    return (f"softmax(z / T): {listed}; cross-entropy for true class {CLASS_NAMES[true_class]}: "
            f"−log {probabilities[true_class]:.3f} = {loss:.3f}")


class SoftmaxExplorer(Explorer):
    r"""Slide three logits :math:`z` and a temperature :math:`T`; watch :math:`\mathrm{softmax}(z / T)` and the loss."""

    MODULE = "softmax"

    z1 = slider_trait(2.0, LOGIT_RANGE)
    z2 = slider_trait(1.0, LOGIT_RANGE)
    z3 = slider_trait(0.1, LOGIT_RANGE)
    temperature = slider_trait(1.0, TEMPERATURE_RANGE)
    true_class = traitlets.Enum(list(range(len(CLASS_NAMES))), default_value=0).tag(sync=True)
    class_names = traitlets.List(list(CLASS_NAMES), read_only=True).tag(sync=True)

    CONTROLS = (
        *(Control(f"z{i}", f"logit z{i} ({name})") for i, name in enumerate(CLASS_NAMES, start=1)),
        Control("temperature", "temperature T", step=0.05, scale="log", digits=2),
        Control("true_class", "true class", kind="menu", labels=CLASS_NAMES),
    )

    def __init__(self, logits: tuple[float, float, float] = (2.0, 1.0, 0.1), temperature: float = 1.0,
                 true_class: int = 0) -> None:
        z = _logits(logits)
        if z.shape != (len(CLASS_NAMES),):
            raise ValueError(f"logits must be {len(CLASS_NAMES)} numbers, one per class, got {z.size}")
        true_class = check_count("true_class", true_class, 0, len(CLASS_NAMES) - 1)
        z1, z2, z3 = z
        super().__init__(z1=z1, z2=z2, z3=z3, temperature=temperature, true_class=true_class)

    @property
    def logits(self) -> tuple[float, float, float]:
        """The three logits :math:`z_1, z_2, z_3`."""
        return self.z1, self.z2, self.z3

    def readout(self) -> str:
        """The read-out for the current settings, as the browser shows it."""
        return softmax_readout_text(self.logits, self.temperature, self.true_class)
