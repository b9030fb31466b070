"""Figures of computational graphs and networks: the layouts, and what gets drawn (headless)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle
from matplotlib.text import Annotation

from dlbook.autograd import Value
from dlbook.network_diagram import LAYER_GAP, draw_graph, draw_network, graph_layout, network_positions


def neuron() -> tuple[Value, list[Value]]:
    leaves = [Value(v, label=name) for v, name in ((2.0, "x1"), (0.5, "w1"), (-1.0, "x2"), (-0.3, "w2"), (0.1, "b"))]
    x1, w1, x2, w2, b = leaves
    y = (x1 * w1 + x2 * w2 + b).tanh()
    y.backward()
    return y, leaves


def test_graph_layout_puts_inputs_left_of_outputs_and_root_alone_at_the_right() -> None:
    y, leaves = neuron()
    pos = graph_layout(y)
    assert set(pos) == set(y.topological_order())
    for node in pos:
        for parent in node.parents:
            assert pos[parent][0] < pos[node][0]
    right = max(x for x, _ in pos.values())
    assert [node for node, (x, _) in pos.items() if x == right] == [y]
    assert len(set(pos.values())) == len(pos), "no two nodes share a position"
    b = leaves[-1]
    (consumer,) = [n for n in pos if b in n.parents]
    assert pos[b][0] == pos[consumer][0] - 1, "a leaf sits just left of the operation that uses it"


def test_draw_graph_writes_values_forward_and_gradients_backward() -> None:
    y, leaves = neuron()
    n_nodes, n_edges = len(graph_layout(y)), sum(len(n.parents) for n in y.topological_order())
    fig, (ax_f, ax_b) = plt.subplots(1, 2)
    draw_graph(ax_f, y, "forward")
    draw_graph(ax_b, y, "backward")
    fig.canvas.draw()
    forward_text = [t.get_text() for t in ax_f.texts if not isinstance(t, Annotation)]
    backward_text = [t.get_text() for t in ax_b.texts if not isinstance(t, Annotation)]
    assert len(forward_text) == n_nodes
    assert len(backward_text) == n_nodes + n_edges, "one label per arrow with its local derivative"
    assert sum(isinstance(t, Annotation) for t in ax_f.texts) == n_edges, "one arrow per edge"
    assert f"tanh\n{y.data:.4g}" in forward_text
    assert f"w1\ngrad {leaves[1].grad:.4g}" in backward_text
    assert f"×{leaves[0].data:.3g}" in backward_text, "d(x1 w1)/d w1 = x1 labels the arrow to w1"
    plt.close(fig)


def test_network_positions() -> None:
    pos = network_positions([2, 3, 1])
    assert [p.shape for p in pos] == [(2, 2), (3, 2), (1, 2)]
    np.testing.assert_allclose(pos[1], [[LAYER_GAP, 1.0], [LAYER_GAP, 0.0], [LAYER_GAP, -1.0]])
    np.testing.assert_allclose(pos[0][:, 1], [0.5, -0.5])


def test_draw_network_draws_every_neuron_and_connection() -> None:
    fig, ax = plt.subplots()
    values = [np.array([1.0, -0.5]), np.array([0.25, 0.5, 0.75]), np.array([[2.0]])]
    draw_network(ax, [2, 3, 1], values, mode="backward", layer_names=["in", "hidden", "out"])
    assert sum(isinstance(p, Circle) for p in ax.patches) == 6
    assert len(ax.lines) == 2 * 3 + 3 * 1
    texts = [t.get_text() for t in ax.texts]
    assert {"1.00", "-0.50", "0.75", "2.00", "hidden", "backward"} <= set(texts)
    plt.close(fig)


def test_bad_arguments_are_named() -> None:
    fig, ax = plt.subplots()
    y, _ = neuron()
    with pytest.raises(ValueError, match="mode must be 'forward' or 'backward'"):
        draw_graph(ax, y, "sideways")
    with pytest.raises(ValueError, match="layer_sizes needs at least two positive sizes"):
        network_positions([3])
    with pytest.raises(ValueError, match="layer_sizes needs at least two positive sizes"):
        network_positions([2, 0])
    with pytest.raises(ValueError, match="values needs one entry per layer"):
        draw_network(ax, [2, 1], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"one number per neuron, \[2, 1\], got sizes \[2, 2\]"):
        draw_network(ax, [2, 1], [np.zeros(2), np.zeros(2)])
    plt.close(fig)
