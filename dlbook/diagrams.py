"""Diagrams drawn by code: the perceptron as inputs, weights, a sum and an activation."""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch

from dlbook._validate import check_sequence

NODE_STYLE = {"facecolor": "#f5f5f5", "edgecolor": "#333333", "linewidth": 1.5, "zorder": 2}


def _node(ax: Axes, xy: tuple[float, float], label: str, radius: float = 0.32, color: str | None = None) -> None:
    style = dict(NODE_STYLE, facecolor=color or NODE_STYLE["facecolor"])
    ax.add_patch(Circle(xy, radius, **style))
    ax.text(*xy, label, ha="center", va="center", fontsize=13, zorder=3)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], shrink: float = 22.0) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#555555",
                                 shrinkA=shrink, shrinkB=shrink, linewidth=1.3, zorder=1))


def draw_perceptron(
    ax: Axes,
    inputs: Sequence[str] = ("$x_1$", "$x_2$", "$x_3$"),
    weights: Sequence[str] = ("$w_1$", "$w_2$", "$w_3$"),
    bias: str = "$b$",
    activation: str = "$f$",
    output: str = r"$\hat y$",
) -> None:
    r"""Draw a perceptron: inputs :math:`x_j`, weighted by :math:`w_j`, summed with the bias :math:`b`
    into :math:`z`, passed through the activation :math:`f` to give :math:`\hat y = f(z)`.

    Labels may be symbols (the defaults) or numbers, for a worked example.
    """
    check_sequence("inputs", inputs, "['$x_1$', '$x_2$']")
    check_sequence("weights", weights, "['$w_1$', '$w_2$']")
    if len(inputs) == 0:
        raise ValueError("inputs is empty: a perceptron needs at least one input")
    if len(inputs) != len(weights):
        raise ValueError(f"got {len(inputs)} inputs but {len(weights)} weights; they must match")
    n = len(inputs)
    sum_xy, act_xy, out_xy = (3.0, 0.0), (5.0, 0.0), (6.9, 0.0)
    for i, (x_label, w_label) in enumerate(zip(inputs, weights)):
        y = (n - 1) / 2 - i
        _node(ax, (0.0, y * 1.2), x_label, radius=0.4, color="#dbe9f6")
        _arrow(ax, (0.0, y * 1.2), sum_xy)
        ax.text(1.5, y * 0.6 + 0.18, w_label, ha="center", va="bottom", fontsize=12, color="#1f4e79")
    bias_xy = (3.0, -1.7)
    ax.text(*bias_xy, bias, ha="center", va="center", fontsize=13,
            bbox={"boxstyle": "round", "facecolor": "#fde9d9", "edgecolor": "#a0522d"})
    _arrow(ax, bias_xy, sum_xy, shrink=14.0)
    _node(ax, sum_xy, r"$\Sigma$", radius=0.45)
    ax.text(4.0, 0.15, "$z$", ha="center", va="bottom", fontsize=12)
    _arrow(ax, sum_xy, act_xy, shrink=24.0)
    _node(ax, act_xy, activation, radius=0.45, color="#e2f0d9")
    _arrow(ax, act_xy, out_xy, shrink=24.0)
    ax.text(out_xy[0] + 0.1, 0.0, output, ha="left", va="center", fontsize=14)
    height = max(1.2 * (n - 1) / 2 + 0.6, 2.2)
    ax.set(xlim=(-0.6, 8.0), ylim=(-height, height), aspect="equal")
    ax.axis("off")
