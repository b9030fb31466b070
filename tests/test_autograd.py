"""The tiny autograd engine against ``torch.autograd``, on single operations and random expression trees.

Every expression is written once as a Python function of its inputs; because
:class:`dlbook.autograd.Value` uses the operator and method names of
``torch.Tensor``, the same function builds the graph from Values and from
float64 tensors, and the gradients must agree.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

from dlbook.autograd import Value
from dlbook.gradcheck import TOLERANCE, gradcheck

Expression = Callable[..., Any]


def gradients(expr: Expression, xs: list[float]) -> tuple[float, list[float], float, list[float]]:
    """``expr`` at ``xs`` and its gradient, by the book's engine and by ``torch.autograd`` (float64)."""
    values = [Value(x) for x in xs]
    out = expr(*values)
    out.backward()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    t_out = expr(*tensors)
    t_grads = torch.autograd.grad(t_out, tensors, allow_unused=True)
    return (
        out.data,
        [v.grad for v in values],
        t_out.item(),
        [0.0 if g is None else g.item() for g in t_grads],
    )


def assert_same_as_torch(expr: Expression, xs: list[float], rtol: float = 1e-10) -> None:
    data, grads, t_data, t_grads = gradients(expr, xs)
    np.testing.assert_allclose(data, t_data, rtol=rtol, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(grads, t_grads, rtol=rtol, atol=1e-12, equal_nan=True)


# Each operation alone, with Python numbers on either side.
SINGLE_OPS: dict[str, Expression] = {
    "a + b": lambda a, b: a + b,
    "a - b": lambda a, b: a - b,
    "a * b": lambda a, b: a * b,
    "a / b": lambda a, b: a / b,
    "a ** 2": lambda a, b: a ** 2,
    "a ** 3.5 (a > 0)": lambda a, b: (a * a + 0.1) ** 3.5,
    "a ** -1": lambda a, b: a ** -1,
    "a ** 0": lambda a, b: a ** 0 * b,
    "a ** b": lambda a, b: (a * a + 0.5) ** b,
    "2 ** a": lambda a, b: 2 ** a,
    "-a": lambda a, b: -a,
    "2 * a": lambda a, b: 2 * a,
    "a * 2": lambda a, b: a * 2,
    "1 + a": lambda a, b: 1 + a,
    "a + 1": lambda a, b: a + 1,
    "1 - a": lambda a, b: 1 - a,
    "a - 1": lambda a, b: a - 1,
    "a / 3": lambda a, b: a / 3,
    "3 / a": lambda a, b: 3 / a,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: (a * a + 0.1).log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "a used twice": lambda a, b: a * a + a,
    "diamond": lambda a, b: (a * b).tanh() * (a * b).exp(),
}


@pytest.mark.parametrize("name", SINGLE_OPS)
@pytest.mark.parametrize("xs", [[0.7, -1.3], [-2.5, 0.4], [1.9, 2.2]])
def test_each_operation_matches_torch(name: str, xs: list[float]) -> None:
    assert_same_as_torch(SINGLE_OPS[name], xs)


def random_expression(rng: np.random.Generator, n_inputs: int, depth: int) -> Expression:
    """A random expression tree over ``n_inputs`` inputs, as a function usable on Values and tensors.

    The tree mixes every supported operation; arguments of ``log``, of ``/`` and
    of a real power are first made positive (``x * x + c``, ``sigmoid``, ``exp``)
    so the expression is defined everywhere.
    """
    if depth == 0 or rng.random() < 0.2:
        if rng.random() < 0.8:
            i = int(rng.integers(n_inputs))
            return lambda *xs: xs[i]
        c = float(np.round(rng.uniform(-2, 2), 2))
        i = int(rng.integers(n_inputs))
        return lambda *xs: xs[i] * c
    left = random_expression(rng, n_inputs, depth - 1)
    right = random_expression(rng, n_inputs, depth - 1)
    c = float(np.round(rng.uniform(0.5, 2.0), 2))
    k = int(rng.integers(1, 4))
    ops: list[Expression] = [
        lambda *xs: left(*xs) + right(*xs),
        lambda *xs: left(*xs) - right(*xs),
        lambda *xs: left(*xs) * right(*xs),
        lambda *xs: left(*xs) / (right(*xs) * right(*xs) + c),
        lambda *xs: c - left(*xs),
        lambda *xs: c * left(*xs) / 3,
        lambda *xs: -left(*xs),
        lambda *xs: left(*xs) ** k,
        lambda *xs: (left(*xs) * left(*xs) + c) ** (k / 2),
        lambda *xs: left(*xs).sigmoid() ** right(*xs).tanh(),
        lambda *xs: c ** left(*xs).tanh(),
        lambda *xs: left(*xs).tanh().exp(),
        lambda *xs: (left(*xs) * left(*xs) + c).log(),
        lambda *xs: left(*xs).sigmoid().log(),
        lambda *xs: left(*xs).tanh(),
        lambda *xs: left(*xs).sigmoid(),
        lambda *xs: left(*xs).relu(),
    ]
    return ops[int(rng.integers(len(ops)))]


@pytest.mark.parametrize("seed", range(200))
def test_random_expressions_match_torch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_inputs = int(rng.integers(1, 5))
    expr = random_expression(rng, n_inputs, depth=int(rng.integers(2, 6)))
    xs = [float(x) for x in rng.uniform(-2, 2, size=n_inputs)]
    assert_same_as_torch(expr, xs, rtol=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_random_expressions_pass_gradcheck(seed: int) -> None:
    """The engine's gradient agrees with central differences, an oracle independent of torch."""
    rng = np.random.default_rng(1000 + seed)
    n_inputs = int(rng.integers(1, 5))
    expr = random_expression(rng, n_inputs, depth=3)
    xs = rng.uniform(-2, 2, size=n_inputs)
    values = [Value(float(x)) for x in xs]
    expr(*values).backward()
    analytic = [v.grad for v in values]

    def f(x: np.ndarray) -> float:
        return expr(*(Value(float(v)) for v in x)).data

    assert gradcheck(f, xs, analytic) < TOLERANCE


def test_the_neuron_of_the_chapter_by_hand() -> None:
    """y = tanh(x1 w1 + x2 w2 + b); the derivatives follow from the chain rule written out here."""
    x1, x2, w1, w2, b = (Value(v) for v in (2.0, -1.0, 0.5, -0.3, 0.1))
    y = (x1 * w1 + x2 * w2 + b).tanh()
    y.backward()
    z = 2.0 * 0.5 + (-1.0) * (-0.3) + 0.1
    dz = 1 - math.tanh(z) ** 2
    assert y.data == pytest.approx(math.tanh(z))
    assert [w1.grad, w2.grad, b.grad, x1.grad] == pytest.approx([dz * 2.0, dz * -1.0, dz, dz * 0.5])


def test_extreme_inputs_follow_ieee_like_torch_without_warnings() -> None:
    cases: dict[str, tuple[Expression, float]] = {
        "exp overflow": (lambda a: a.exp(), 1000.0),
        "log of 0": (lambda a: a.log(), 0.0),
        "log of a negative": (lambda a: a.log(), -1.0),
        "divide by 0": (lambda a: 1 / a, 0.0),
        "negative base, real power": (lambda a: a ** 0.5, -4.0),
        "sigmoid far left": (lambda a: a.sigmoid(), -1000.0),
        "sigmoid far right": (lambda a: a.sigmoid(), 1000.0),
        "tanh saturates": (lambda a: a.tanh(), 1e4),
        "relu at its kink": (lambda a: a.relu(), 0.0),
        "relu of nan": (lambda a: a.relu(), math.nan),
        "0 ** b at b = 2": (lambda a: 0.0 ** (a + 2), 0.0),
    }
    for name, (expr, x) in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data, grads, t_data, t_grads = gradients(expr, [x])
        assert data == pytest.approx(t_data, nan_ok=True), name
        assert grads == pytest.approx(t_grads, nan_ok=True), name


def test_leaf_gradients_accumulate_and_inner_ones_are_recomputed_like_torch() -> None:
    a = Value(1.5)
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    out, t_out = (a * a).tanh(), (t * t).tanh()
    for _ in range(3):
        out.backward()
        t_out.backward(retain_graph=True)
        assert a.grad == pytest.approx(t.grad.item())
    inner = out.parents[0]
    assert inner.grad == pytest.approx(1 - math.tanh(1.5 ** 2) ** 2), "an inner node holds one pass's gradient"


def test_backward_of_a_leaf_gives_one() -> None:
    a = Value(3.0)
    a.backward()
    assert a.grad == 1.0


def test_a_long_chain_does_not_hit_the_recursion_limit() -> None:
    xs = [Value(float(i)) for i in range(5000)]
    total = sum(xs)
    total.backward()
    assert total.data == sum(range(5000))
    assert all(x.grad == 1.0 for x in xs)


def test_topological_order_lists_parents_first() -> None:
    a, b = Value(1.0), Value(2.0)
    out = ((a * b).exp() + a).log() * (b - a)
    order = out.topological_order()
    assert order[-1] is out
    assert len(order) == len({id(node) for node in order}), "each node once"
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_nodes_record_op_parents_and_local_gradients() -> None:
    a, b = Value(2.0, label="a"), Value(5.0, label="b")
    c = a * b
    assert c.op == "*" and c.parents == (a, b) and c.local_grads == (5.0, 2.0)
    assert "a" in repr(a) and "data=2" in repr(a)


@pytest.mark.parametrize("bad", ["1.0", [1.0], None, np.array([1.0, 2.0])])
def test_a_value_holds_one_real_number(bad: Any) -> None:
    with pytest.raises(ValueError, match="one real number"):
        Value(bad)


def test_operands_must_be_numbers_or_values() -> None:
    with pytest.raises(ValueError, match="one real number"):
        Value(1.0) + "2"
    with pytest.raises(ValueError, match="one local gradient per parent"):
        Value(1.0, parents=(Value(2.0),), local_grads=())
