"""Figures of networks and computational graphs, drawn with matplotlib.

Two kinds of picture:

* :func:`draw_graph` draws the computational graph behind a
  :class:`~dlbook.autograd.Value`: one box per node, arrows from inputs to
  outputs for the forward pass (values), or from outputs back to inputs for
  the backward pass (gradients, each arrow labelled with its local derivative).
* :func:`draw_network` draws a layered network as circles and connections,
  optionally with a number in every neuron (activations going forward,
  gradients going back).

Layouts are plain functions (:func:`graph_layout`, :func:`network_positions`)
so they can be tested without drawing. Everything draws on an ``Axes`` the
caller provides.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from dlbook._validate import ArgumentTypeError, check_entries, check_sequence, describe, is_integer
from dlbook.autograd import Value
from dlbook.numpy._arrays import as_float_array

FORWARD_COLOR = "#1f77b4"
BACKWARD_COLOR = "#d62728"
Mode = Literal["forward", "backward"]
LAYER_GAP = 1.6
"""Horizontal distance between the layers of :func:`draw_network`, in units of the neuron spacing."""


def graph_layout(root: Value) -> dict[Value, tuple[float, float]]:
    """Positions ``(x, y)`` of every node of the graph that ends in ``root``.

    ``x`` of an operation node is its depth, the length of the longest path
    from a leaf to it; a leaf sits one column left of its first consumer. So
    every arrow points to the right and ``root`` is alone in the last column.
    Within a column, nodes are spread evenly around ``y = 0``, from the top in
    the order a breadth-first walk from ``root`` meets them, which keeps the
    inputs of one operation next to each other.
    """
    if not isinstance(root, Value):
        raise ArgumentTypeError(f"root must be a Value (the output of a graph), got {describe(root)}")
    order = root.topological_order()
    depth: dict[Value, int] = {}
    for node in order:  # parents come first, so their depth is known
        depth[node] = 1 + max((depth[p] for p in node.parents if p.parents), default=0) if node.parents else 0
    for node in reversed(order):  # a leaf moves right up to its first consumer
        for parent in node.parents:
            if not parent.parents:
                depth[parent] = max(depth[parent], depth[node] - 1)
    rank: dict[Value, int] = {root: 0}
    queue = [root]
    for node in queue:  # the list grows while we walk it: breadth first
        for parent in node.parents:
            if parent not in rank:
                rank[parent] = len(rank)
                queue.append(parent)
    columns: dict[int, list[Value]] = {}
    for node in sorted(order, key=rank.__getitem__):
        columns.setdefault(depth[node], []).append(node)
    return {
        node: (float(x), (len(nodes) - 1) / 2 - i)
        for x, nodes in columns.items()
        for i, node in enumerate(nodes)
    }


def _node_text(node: Value, mode: Mode) -> str:
    """What a box says: the node's name, then its value (forward) or its gradient (backward)."""
    name = node.label or node.op or f"{node.data:g}"
    number = f"{node.data:.4g}" if mode == "forward" else f"grad {node.grad:.4g}"
    return f"{name}\n{number}"


def draw_graph(ax: Axes, root: Value, mode: Mode = "forward") -> None:
    """Draw the computational graph ending in ``root`` on ``ax``.

    ``mode="forward"`` shows each node's value with arrows from inputs to
    outputs; ``mode="backward"`` shows each node's ``grad`` (call
    ``root.backward()`` first) with arrows from outputs back to inputs, each
    labelled with the local derivative the gradient is multiplied by.
    """
    if mode not in ("forward", "backward"):
        raise ValueError(f"mode must be 'forward' or 'backward', got {describe(mode)}")
    color = FORWARD_COLOR if mode == "forward" else BACKWARD_COLOR
    positions = graph_layout(root)
    boxes = {
        node: ax.text(
            x, y, _node_text(node, mode), ha="center", va="center", fontsize=9, zorder=2,
            bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=color, lw=1.2),
        )
        for node, (x, y) in positions.items()
    }
    for node, (x, y) in positions.items():
        for parent, local in zip(node.parents, node.local_grads):
            # from the right edge of the input's box to the left edge of the output's box, or back
            tail, head = (boxes[parent], (1.0, 0.5)), (boxes[node], (0.0, 0.5))
            if mode == "backward":
                tail, head = head, tail
            ax.annotate(
                "", xy=head[1], xycoords=head[0], xytext=tail[1], textcoords=tail[0], zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.2, shrinkA=2, shrinkB=2),
            )
            if mode == "backward":
                px, py = positions[parent]
                ax.text((x + px) / 2, (y + py) / 2 + 0.1, f"×{local:.3g}", color=color, fontsize=8,
                        ha="center", va="bottom", zorder=3)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set(xlim=(min(xs) - 0.6, max(xs) + 0.6), ylim=(min(ys) - 0.7, max(ys) + 0.7))
    ax.set_axis_off()
    ax.set_title("forward pass: values" if mode == "forward" else "backward pass: gradients", color=color)


def network_positions(layer_sizes: Sequence[int]) -> list[np.ndarray]:
    """Neuron centres of a layered network: one ``(size, 2)`` array per layer.

    Layer ``l`` sits at ``x = LAYER_GAP * l``; its neurons are one unit apart, centred on ``y = 0``.
    """
    check_sequence("layer_sizes", layer_sizes, "[2, 3, 1]")
    message = f"layer_sizes needs at least two positive sizes, got {describe(layer_sizes)}"
    if any(not is_integer(size) for size in layer_sizes):
        raise ArgumentTypeError(message)
    if len(layer_sizes) < 2 or any(size < 1 for size in layer_sizes):
        raise ValueError(message)
    layer_sizes = [int(size) for size in layer_sizes]
    for layer, size in enumerate(layer_sizes):
        check_entries(f"layer {layer}", size, "check layer_sizes")
    return [
        np.column_stack([np.full(size, LAYER_GAP * layer), (size - 1) / 2 - np.arange(size, dtype=float)])
        for layer, size in enumerate(layer_sizes)
    ]


def draw_network(
    ax: Axes,
    layer_sizes: Sequence[int],
    values: Sequence[np.ndarray] | None = None,
    mode: Mode = "forward",
    layer_names: Sequence[str] | None = None,
) -> None:
    """Draw a fully connected network with ``layer_sizes`` neurons per layer on ``ax``.

    ``values`` (optional) holds one array per layer, written into the neurons:
    activations for ``mode="forward"`` (blue, arrows to the right) or
    gradients for ``mode="backward"`` (red, arrows to the left).
    ``layer_names`` are written under the layers.
    """
    if mode not in ("forward", "backward"):
        raise ValueError(f"mode must be 'forward' or 'backward', got {describe(mode)}")
    positions = network_positions(layer_sizes)
    layer_sizes = [len(layer) for layer in positions]
    for name, seq in (("values", values), ("layer_names", layer_names)):
        if seq is not None:
            check_sequence(name, seq, "one entry per layer")
        if seq is not None and len(seq) != len(layer_sizes):
            raise ValueError(f"{name} needs one entry per layer ({len(layer_sizes)}), got {len(seq)}")
    if values is not None:
        values = [as_float_array(v, f"values[{layer}]").reshape(-1) for layer, v in enumerate(values)]
        sizes = [v.size for v in values]
        if sizes != [int(n) for n in layer_sizes]:
            raise ValueError(f"values must hold one number per neuron, {list(layer_sizes)}, got sizes {sizes}")
    color = FORWARD_COLOR if mode == "forward" else BACKWARD_COLOR
    for left, right in zip(positions, positions[1:]):
        for a in left:
            for b in right:
                ax.plot([a[0], b[0]], [a[1], b[1]], color="0.75", lw=0.8, zorder=1)
    for layer, centres in enumerate(positions):
        for i, (x, y) in enumerate(centres):
            ax.add_patch(Circle((x, y), 0.3, fc="white", ec=color, lw=1.5, zorder=3))
            if values is not None:
                ax.text(x, y, f"{values[layer][i]:.2f}", ha="center", va="center", fontsize=8, zorder=4)
        if layer_names is not None:
            ax.text(LAYER_GAP * layer, -max(layer_sizes) / 2 - 0.2, layer_names[layer], ha="center", va="top",
                    fontsize=10)
    top = max(layer_sizes) / 2 + 0.1
    width = LAYER_GAP * (len(layer_sizes) - 1)
    start, end = (0.0, width) if mode == "forward" else (width, 0.0)
    ax.annotate("", xy=(end, top), xytext=(start, top), arrowprops=dict(arrowstyle="-|>", color=color, lw=2))
    ax.text((start + end) / 2, top + 0.1, "forward" if mode == "forward" else "backward", color=color,
            ha="center", va="bottom", fontsize=10)
    ax.set(xlim=(-0.7, width + 0.7), ylim=(-max(layer_sizes) / 2 - 0.8, top + 0.6), aspect="equal")
    ax.set_axis_off()

