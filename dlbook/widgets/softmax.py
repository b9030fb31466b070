r"""The softmax explorer: three logits and a temperature on sliders, the probabilities as bars.

The numbers come from :func:`softmax_readout`, which calls
:func:`dlbook.numpy.softmax` and :func:`dlbook.numpy.cross_entropy` on the
scaled logits :math:`z / T`; the explorer only wires the controls to it and
moves the bars.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from dlbook.numpy.losses import cross_entropy
from dlbook.numpy.softmax import softmax
from dlbook.widgets.view import Explorer

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


def _readout_html(probabilities: np.ndarray, loss: float, true_class: int) -> str:
    """The read-out line: the probabilities and the loss for the true class."""
    listed = ", ".join(f"{name} {p:.3f}" for name, p in zip(CLASS_NAMES, probabilities))
    return (
        f"softmax(z / T): {listed} &nbsp;&nbsp; "
        f"cross-entropy for true class {CLASS_NAMES[true_class]}: "
        f"−log {probabilities[true_class]:.3f} = <b>{loss:.3f}</b>"
    )


LABEL_STYLE = {"description_width": "initial"}
"""Show each control's full label instead of cutting it short."""


def _logit_slider(index: int, value: float) -> widgets.FloatSlider:
    low, high = LOGIT_RANGE
    return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=f"logit z{index + 1}",
                               continuous_update=True, readout_format=".1f", style=LABEL_STYLE)


class SoftmaxExplorer(Explorer):
    r"""Slide three logits :math:`z` and a temperature :math:`T`; watch :math:`\mathrm{softmax}(z / T)` and the loss.

    The bars are the probabilities, the true class's bar in red, each labelled
    with its value; the dashed line marks the uniform :math:`1/3`. The loss
    :math:`-\log \hat y_t` is written in the corner and in the read-out.
    """

    def __init__(self, logits: tuple[float, float, float] = (2.0, 1.0, 0.1), temperature: float = 1.0,
                 true_class: int = 0) -> None:
        low, high = TEMPERATURE_RANGE
        self.controls = {
            **{f"z{i + 1}": _logit_slider(i, value) for i, value in enumerate(logits)},
            "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=np.log10(low), max=np.log10(high),
                                                  step=0.05, description="temperature T", readout_format=".2f",
                                                  style=LABEL_STYLE),
            "true_class": widgets.Dropdown(options=[(name, i) for i, name in enumerate(CLASS_NAMES)],
                                           value=true_class, description="true class", style=LABEL_STYLE),
        }
        super().__init__(figsize=(6.0, 3.6))

    def draw(self) -> None:
        self.ax = self.figure.subplots()
        positions = np.arange(len(CLASS_NAMES))
        self.bars = [self.animate(bar) for bar in self.ax.bar(positions, np.zeros(len(CLASS_NAMES)), width=0.6)]
        self.labels = [self.animate(self.ax.text(x, 0.0, "", ha="center", va="bottom", fontsize=10))
                       for x in positions]
        self.loss_text = self.animate(self.ax.text(0.98, 0.95, "", transform=self.ax.transAxes, ha="right",
                                                   va="top", fontsize=10))
        self.ax.axhline(1 / len(CLASS_NAMES), color="0.5", linestyle="--", linewidth=1.0, label="uniform 1/3")
        self.ax.set(xticks=positions, xticklabels=CLASS_NAMES, ylim=(0.0, 1.12), ylabel="probability $\\hat y_i$")
        self.ax.legend(loc="upper left", fontsize=8)

    def update(self) -> str:
        v = self.values()
        logits = [v[f"z{i + 1}"] for i in range(len(CLASS_NAMES))]
        probabilities, loss = softmax_readout(logits, v["temperature"], v["true_class"])
        for i, (bar, label, p) in enumerate(zip(self.bars, self.labels, probabilities)):
            bar.set_height(p)
            bar.set_color("C3" if i == v["true_class"] else "C0")
            label.set_y(p + 0.01)
            label.set_text(f"{p:.3f}")
        self.loss_text.set_text(f"cross-entropy for {CLASS_NAMES[v['true_class']]}: {loss:.3f}")  # no mathtext: slow
        return _readout_html(probabilities, loss, v["true_class"])
