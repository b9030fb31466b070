r"""A tiny reverse-mode automatic differentiation engine for scalars.

A :class:`Value` wraps one number (``.data``) and remembers the operation that
produced it, its inputs (``.parents``) and the local derivative of the output
with respect to each input (``.local_grads``). Every expression built from
Values is therefore a computational graph. Calling :meth:`Value.backward` on
the final node fills ``.grad`` of every node with
:math:`\partial\,\mathrm{out} / \partial\,\mathrm{node}` by the chain rule,
visiting the nodes in reverse topological order:

.. math::

    \bar v = \sum_{c \,\in\, \mathrm{children}(v)} \bar c \; \frac{\partial c}{\partial v},
    \qquad \bar{\mathrm{out}} = 1 .

Usage, with Python numbers on either side of an operator::

    a, b = Value(2.0), Value(-3.0)
    out = (a * b + 1).tanh() + a ** 2 / 3 - (1 - b).exp().log()
    out.backward()
    print(a.grad, b.grad)  # d out / d a and d out / d b

Supported: ``+ - * / **`` and unary ``-`` (a Python ``int`` or ``float`` may
stand on either side, e.g. ``2 * a``, ``1 - a``, ``a / 3``, ``2 ** a``), and
the methods ``exp``, ``log``, ``tanh``, ``sigmoid`` and ``relu``; the built-in
``sum`` works on a list of Values. These are the names of the same operations
on ``torch.Tensor``, so one Python function can build the same graph from
Values and from tensors, and the tests compare the gradients with
``torch.autograd``.

Arithmetic follows IEEE 754 as PyTorch does: ``Value(0.0).log()`` is
``-inf``, ``Value(1000.0).exp()`` is ``inf``, ``Value(-1.0).log()`` is
``nan``; nothing raises and nothing warns. What is not a real number is
refused: ``Value("2")``, ``Value(True)`` and ``Value(2.0) + "1"`` raise an
error that is both a ``TypeError`` and a ``ValueError``, and an integer too
large for a float a ``ValueError``.
"""

from __future__ import annotations

import math
from typing import Callable, Union

import numpy as np

from dlbook._validate import ArgumentTypeError, describe

Number = Union[int, float]


def _ieee(f: Callable[..., np.floating], *xs: float) -> float:
    """``f(*xs)`` in float64 with IEEE results (``inf``, ``nan``) where plain Python would raise."""
    with np.errstate(all="ignore"):
        return float(f(*(np.float64(x) for x in xs)))


class Value:
    r"""A scalar node of a computational graph: its value, its gradient and how it was made.

    Attributes:
        data: the number this node holds (a Python ``float``).
        grad: :math:`\partial\,\mathrm{out} / \partial\,\mathrm{self}` after
            ``out.backward()``; 0 before. Gradients of leaves accumulate over
            several ``backward`` calls, as in PyTorch.
        parents: the input nodes of the operation that made this node (empty for a leaf).
        local_grads: :math:`\partial\,\mathrm{self} / \partial\,\mathrm{parent}`
            for each parent, computed during the forward pass.
        op: the operation's symbol (``"+"``, ``"*"``, ``"tanh"``, ...), ``""`` for a leaf.
        label: an optional name, used by figures of the graph.
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(
        self,
        data: Number,
        parents: tuple[Value, ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        if isinstance(data, (bool, np.bool_)) or not isinstance(data, (int, float, np.integer, np.floating)):
            raise ArgumentTypeError(f"Value(data) holds one real number, got {describe(data)} ({type(data).__name__})")
        if len(parents) != len(local_grads):
            raise ValueError(f"need one local gradient per parent, got {len(parents)} parents and {len(local_grads)}")
        try:
            self.data = float(data)
        except OverflowError:
            raise ValueError(f"Value(data) holds one real number, but {describe(data)} is too large for a float") from None
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ----- binary operations ---------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        r""":math:`a + b`; :math:`\partial/\partial a = \partial/\partial b = 1`."""
        other = _as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | Number) -> Value:
        r""":math:`a b`; :math:`\partial/\partial a = b`, :math:`\partial/\partial b = a`."""
        other = _as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, other: Value | Number) -> Value:
        r""":math:`a^b`; :math:`\partial/\partial a = b\,a^{b-1}`, :math:`\partial/\partial b = a^b \ln a`.

        With a Python number as exponent only :math:`a` is a parent. As in
        PyTorch, :math:`b\,a^{b-1}` is 0 when :math:`b = 0`, and
        :math:`a^b \ln a` is 0 when :math:`a = 0` and :math:`b \ge 0`.
        """
        a, b = self.data, float(other.data if isinstance(other, Value) else other)
        out = _ieee(np.power, a, b)
        d_base = 0.0 if b == 0 else _ieee(lambda base, exponent: exponent * base ** (exponent - 1), a, b)
        if not isinstance(other, Value):
            return Value(out, (self,), (d_base,), f"**{other:g}")
        d_exponent = 0.0 if (a == 0 and b >= 0) else _ieee(lambda base, power: power * np.log(base), a, out)
        return Value(out, (self, other), (d_base, d_exponent), "**")

    def __neg__(self) -> Value:
        """:math:`-a`, written as :math:`(-1) a`."""
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        """:math:`a - b = a + (-b)`."""
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | Number) -> Value:
        r""":math:`a / b = a\,b^{-1}`."""
        return self * _as_value(other) ** -1

    # Python number on the left: 2 * a calls a.__rmul__(2), and so on.
    def __radd__(self, other: Number) -> Value:
        return _as_value(other) + self

    def __rmul__(self, other: Number) -> Value:
        return _as_value(other) * self

    def __rsub__(self, other: Number) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return _as_value(other) / self

    def __rpow__(self, other: Number) -> Value:
        return _as_value(other) ** self

    # ----- functions of one variable -------------------------------------------

    def exp(self) -> Value:
        r""":math:`e^a`; its derivative is :math:`e^a` itself."""
        e = _ieee(np.exp, self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self) -> Value:
        r"""Natural logarithm :math:`\ln a`; derivative :math:`1 / a`."""
        return Value(_ieee(np.log, self.data), (self,), (_ieee(np.divide, 1.0, self.data),), "log")

    def tanh(self) -> Value:
        r""":math:`\tanh a`; derivative :math:`1 - \tanh^2 a`."""
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        r""":math:`\sigma(a) = 1 / (1 + e^{-a})`; derivative :math:`\sigma(a)(1 - \sigma(a))`.

        Only :math:`e^{-|a|}` is computed, so no input overflows.
        """
        e = math.exp(-abs(self.data)) if not math.isnan(self.data) else math.nan
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        r""":math:`\max(0, a)`; derivative 1 for :math:`a > 0`, else 0 (also at the kink, as in PyTorch)."""
        passes = not self.data <= 0  # NaN passes, as in PyTorch
        return Value(self.data if passes else 0.0, (self,), (1.0 if passes else 0.0,), "relu")

    # ----- the backward pass ---------------------------------------------------

    def topological_order(self) -> list[Value]:
        """Every node this one depends on, each listed after all of its parents; ``self`` comes last.

        An iterative depth-first search, so long chains do not hit Python's recursion limit.
        """
        order: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents)
        return order

    def backward(self) -> None:
        r"""Fill ``.grad`` of every node in the graph with :math:`\partial\,\mathrm{self} / \partial\,\mathrm{node}`.

        Seeds :math:`\partial\,\mathrm{self}/\partial\,\mathrm{self} = 1`, then walks
        the nodes from ``self`` back to the leaves; each node passes
        ``node.grad * local_grad`` to each parent (chain rule), and a parent
        reached along several paths sums what it receives. Gradients of
        intermediate nodes are recomputed on every call; those of leaves add up.
        """
        order = self.topological_order()
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad


def _as_value(x: Value | Number) -> Value:
    """``x`` itself if it is a :class:`Value`, else a new constant leaf holding ``x``."""
    return x if isinstance(x, Value) else Value(x)
