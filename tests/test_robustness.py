"""The contract every public function of ``dlbook`` keeps with a learner's bad or extreme input (issue #29).

* **Bad input** (what is not numbers, a string or ``None`` where a number is
  needed, a count below its minimum, a negative seed, ...): a ``ValueError``
  or ``TypeError`` whose message names the argument.
* **Extreme but well-typed input** (huge and tiny numbers, NaN and
  infinities, empty arrays, float32, Python lists, NumPy integers, reversed,
  non-contiguous and read-only arrays): either such a named error, or an
  answer without NaN or infinities (they pass through only the functions
  that mirror ``torch.nn.functional``, as there); where a function exists in
  both backends, both give the same answer in the same dtype, or both raise
  the same kind of error.

Every function is one row of :data:`API`. To cover a new public function,
add a row: its name, the function (and its ``dlbook.torch`` twin), the
arguments of one valid call, and the kind of each argument to vary, one of
the kinds below (``FLOATS``, ``LABELS``, ``COUNT``, ``SEED``, ``REAL``, ...).
A new kind of argument needs an entry in :data:`BAD` (values to refuse) and,
where valid extremes exist, in :data:`EXTREME`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import dlbook.numpy as dn
import dlbook.torch as dt
from dlbook import batches, data, digits, gradcheck, intervals, plots, splits
from dlbook.autograd import Value
from dlbook.diagrams import draw_perceptron
from dlbook.exercises import (
    CheckResult,
    check_adam_step,
    check_add_weight_decay,
    check_batch_accuracy,
    check_batch_norm,
    check_confusion_matrix,
    check_conv2d_single,
    check_conv_output_size,
    check_cosine_lr,
    check_count_parameters,
    check_cross_entropy,
    check_dropout,
    check_linear_backward,
    check_max_pool,
    check_momentum_step,
    check_one_hot,
    check_perceptron,
    check_sgd_step,
    check_sigmoid,
    check_softmax,
    check_weighted_sum,
)
from dlbook.network_diagram import draw_graph, draw_network, network_positions
from dlbook._validate import describe
from dlbook.numpy import init, linear, mlp, optim, surfaces, training
from dlbook.numpy.optim import lr_scheduler
from dlbook.widgets.activations import ActivationExplorer
from dlbook.widgets.digits import DigitExplorer
from dlbook.widgets.feature_maps import FeatureMapExplorer, feature_map_readout
from dlbook.widgets.kernels import KernelExplorer, kernel_maps, kernel_readout
from dlbook.widgets.optimisers import OptimiserExplorer, explorer_paths, optimiser_readout
from dlbook.widgets.pad import PadExplorer
from dlbook.widgets.perceptron import PerceptronExplorer
from dlbook.widgets.playground import TrainingPlayground
from dlbook.widgets.softmax import SoftmaxExplorer, softmax_readout

# ---------------------------------------------------------------------------------------------- kinds of arguments

FLOATS = "floats"  # an array of floats (data): anything NumPy reads as numbers is fine
WEIGHTS = "weights"  # an optional array of floats (None allowed)
PROBABILITIES = "probabilities"  # an array of numbers in [0, 1]
LABELS = "labels"  # integer class indices
GROUPS = "groups"  # integer labels of any sign (a split's classes)
COUNT = "count"  # a positive integer (a size, a number of steps)
COUNT_OR_NONE = "count or None"  # a positive integer, or None for none (a patience)
INDEX = "index"  # a non-negative integer (an index, a gap)
LIST = "list"  # a list of labels
SEED = "seed"  # a non-negative integer for numpy.random.default_rng
REAL = "real"  # one finite number
SLOPE = "slope"  # one number, NaN and infinities included (as torch.nn.functional takes them)
NAME = "name"  # one of a fixed set of strings
FUNCTION = "function"  # a callable
PARAMS = "params"  # a dict of arrays
AXIS = "axis"  # an axis of an array
HYPER = "hyper"  # a hyperparameter of torch.optim / torch.nn.init: any real number, NaN and infinities included
SLOPE_OR_NONE = "slope or None"  # torch.nn.init's negative slope: a number as HYPER, or None for its default
SHAPE = "shape"  # a tuple of sizes (an array's shape, channel counts)
PAIR = "pair"  # a kernel size, stride or dilation: a positive int or a pair of them
GENERATOR = "generator"  # a NumPy Generator (or a seed), or None for a fresh one


class BrokenRepr:
    """An object whose ``repr`` raises: error messages must not."""

    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")


def _not_numbers() -> list[Any]:
    """Values that hold no numbers, or none NumPy can read as one array of real numbers."""
    return [
        None, "abc", ["a", "b"], np.array([None, 1.0], dtype=object), [[1.0, 2.0], [3.0]], 10**400,
        [10**400, 1], np.array([1 + 2j, 3j]), {"a": 1}, object(), BrokenRepr(),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
    ]


#: Values each kind of argument must refuse with an error naming the argument.
BAD: dict[str, st.SearchStrategy[Any]] = {
    FLOATS: st.sampled_from(_not_numbers()),
    WEIGHTS: st.sampled_from(_not_numbers()[1:]),
    PROBABILITIES: st.sampled_from(_not_numbers()),
    LABELS: st.sampled_from(_not_numbers()) | st.sampled_from([np.array([0.5, 1.0]), np.array([-1, 0])]),
    GROUPS: st.sampled_from(_not_numbers()) | st.just(np.array([0.5, 1.0])),
    COUNT: st.sampled_from([0, -3, 2.5, 3.0, True, None, "3", float("nan"), BrokenRepr()]),
    COUNT_OR_NONE: st.sampled_from([0, -3, 2.5, 3.0, True, "3", float("nan"), BrokenRepr()]),
    INDEX: st.sampled_from([-1, -3, 2.5, 0.0, True, None, "3", float("nan"), BrokenRepr()]),
    LIST: st.sampled_from([None, "ab", 3, {"a": 1}, object(), BrokenRepr()]),
    SEED: st.sampled_from([-1, 2.5, True, None, "0", float("nan"), np.int64(-1), [1, 2]]) | st.integers(max_value=-1),
    REAL: st.sampled_from([None, "0.5", float("nan"), float("inf"), -float("inf"), 10**400, 1j, [0.5], True,
                           BrokenRepr()]),
    SLOPE: st.sampled_from([None, "0.5", 10**400, 1j, [0.5], True, BrokenRepr()]),
    NAME: st.sampled_from([None, 3, "nope", ["sigmoid"], "SIGMOID", "", BrokenRepr()]),
    FUNCTION: st.sampled_from([None, 3, "f", [len]]),
    PARAMS: st.sampled_from([None, [1.0], "W", 3, np.ones(2), BrokenRepr()]),
    AXIS: st.sampled_from([0.0, "0", True, [0], 10**400, 7, -9]),
    HYPER: st.sampled_from([None, "0.5", 10**400, 1j, [0.5], BrokenRepr()]),
    SLOPE_OR_NONE: st.sampled_from(["0.5", 10**400, 1j, [0.5], BrokenRepr()]),
    SHAPE: st.sampled_from([None, "ab", 2.5, (2, -1), (2.5, 3), (2, None), (True, 3), [10**400, 2], BrokenRepr()]),
    PAIR: st.sampled_from([0, -1, 2.5, "2", (1, 2, 3), (0, 1), (2.0, 2), True, 10**400, BrokenRepr()]),
    GENERATOR: st.sampled_from(["rng", 2.5, [1, 2], np.random.RandomState(0), BrokenRepr()]),
}


def _layouts(arr: np.ndarray) -> st.SearchStrategy[Any]:
    """The numbers of ``arr`` in every form a reader might hand them over."""
    reversed_view = np.ascontiguousarray(arr[::-1])[::-1] if arr.ndim else arr
    wide = np.zeros(arr.shape + (2,), dtype=arr.dtype)
    wide[..., 0] = arr
    frozen = arr.copy()
    frozen.flags.writeable = False
    forms = [arr, arr.tolist(), reversed_view, wide[..., 0], frozen]
    if arr.dtype.kind == "f" and np.isfinite(arr).all() and np.abs(arr).max(initial=0) < 1e38:
        forms.append(arr.astype(np.float32))
    return st.sampled_from(forms)


def _extreme_floats(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    """Arrays of the good value's shape holding huge, tiny and (where the function mirrors torch) NaN or inf."""
    shape = np.shape(good)
    limit = 1e300 if mirror else 1e100  # a function of the book's own may overflow beyond that; it must not warn
    elements = st.floats(-limit, limit, allow_subnormal=True) | st.sampled_from([0.0, -0.0, 1e-300, -1e-300])
    if mirror:
        elements |= st.sampled_from([np.nan, np.inf, -np.inf])
    values = st.lists(elements, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
    arrays = values.map(lambda v: np.array(v, dtype=np.float64).reshape(shape))
    empty = st.just(np.zeros((0,) + shape[1:])) if shape else st.nothing()
    return arrays.flatmap(_layouts) | empty | st.just(np.asarray(good, dtype=np.float64).round().astype(np.int64))


def _extreme_labels(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    labels = np.asarray(good)
    return st.sampled_from([labels.astype(np.int32), labels.astype(np.uint8), labels.astype(np.uint64)]).flatmap(
        _layouts
    ) | st.just(labels[:0])


def _extreme_count(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    return st.sampled_from([np.int64(good), np.uint8(good), np.int32(good), 10**400])


def _extreme_real(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    return st.sampled_from([np.float32(good), np.float64(good), 1e-300, -1e300, 1e300, 0.0, -0.0])


def _extreme_slope(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    return st.sampled_from([np.float32(good), float("nan"), float("inf"), -float("inf"), 1e300, 0])


def _extreme_params(good: Any, mirror: bool) -> st.SearchStrategy[Any]:
    """The parameters with one entry NaN, huge, float32 or reversed."""
    name = sorted(good)[0]
    changed = [good[name] * np.nan, good[name] * 1e100, good[name].astype(np.float32),
               np.ascontiguousarray(good[name][::-1])[::-1]]
    return st.sampled_from([{**good, name: value} for value in changed])


#: Valid but extreme values of each kind, given the good value and whether NaN may pass through.
EXTREME: dict[str, Callable[[Any, bool], st.SearchStrategy[Any]]] = {
    FLOATS: _extreme_floats,
    WEIGHTS: _extreme_floats,
    PROBABILITIES: lambda good, mirror: st.sampled_from(
        [np.zeros_like(good), np.ones_like(good), np.full(np.shape(good), 1e-300), np.asarray(good) * 0.999]
    ).flatmap(_layouts),
    LABELS: _extreme_labels,
    GROUPS: _extreme_labels,
    COUNT: _extreme_count,
    INDEX: _extreme_count,
    COUNT_OR_NONE: _extreme_count,
    SEED: lambda good, mirror: st.sampled_from([10**400, np.uint64(2**63), np.int32(7), 0]),
    REAL: _extreme_real,
    SLOPE: _extreme_slope,
    PARAMS: _extreme_params,
    AXIS: lambda good, mirror: st.sampled_from([np.int64(good), -1, None]),
    HYPER: _extreme_slope,
    SLOPE_OR_NONE: _extreme_slope,
    SHAPE: lambda good, mirror: st.sampled_from([tuple(np.int64(n) for n in good), list(good), np.array(good),
                                                 tuple(np.uint8(n) for n in good)]),
    PAIR: lambda good, mirror: st.sampled_from([np.int64(good), np.uint8(good), (good, good), [good],
                                                (np.int32(good),) * 2]),
    GENERATOR: lambda good, mirror: st.sampled_from([None, np.random.default_rng(7)]),
}

# ------------------------------------------------------------------------------------------------ the public API


@dataclass(frozen=True)
class Api:
    """One public function: a valid call, the kind of each argument to vary, and its PyTorch twin if any."""

    name: str
    function: Callable[..., Any]
    args: dict[str, Any]
    kinds: dict[str, str]
    torch: Callable[..., Any] | None = None
    mirror: bool = False  # mirrors torch.nn.functional: NaN and infinities pass through
    aliases: tuple[str, ...] = ()  # other names its messages may use for an argument

    def implementations(self) -> list[Callable[..., Any]]:
        return [self.function] if self.torch is None else [self.function, self.torch]

    def __repr__(self) -> str:
        return self.name


def axes() -> Any:
    """A fresh Axes, outside pyplot's state."""
    return Figure().subplots()


RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(6, 2))
Y2 = np.array([0, 1, 0, 1, 1, 0])
X3 = RNG.normal(size=(4, 3))
LOGITS = RNG.normal(size=(4, 3))
TARGETS = np.array([0, 2, 1, 2])
P = 1 / (1 + np.exp(-RNG.normal(size=5)))
T = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
PARAMS2 = mlp.init_mlp(2, 3, 2, seed=1)
LINEAR = linear.init_linear(2, 2, seed=1)
DIGIT_NET = mlp.init_mlp(64, 4, 10, seed=0)
W3 = np.array([0.5, -1.0, 2.0])
CLASS_WEIGHTS = np.array([1.0, 2.0, 0.5])

ACTIVATIONS = [
    Api(name, getattr(dn, name), {"x": np.array([-2.0, 0.5, 3.0])}, {"x": FLOATS}, torch=getattr(dt, name), mirror=True)
    for name in ("sigmoid", "tanh", "relu", "step", "identity", "sigmoid_derivative", "tanh_derivative",
                 "relu_derivative")
] + [
    Api(name, getattr(dn, name), {"x": np.array([-2.0, 0.5, 3.0]), "negative_slope": 0.1},
        {"x": FLOATS, "negative_slope": SLOPE}, torch=getattr(dt, name), mirror=True)
    for name in ("leaky_relu", "leaky_relu_derivative")
]

API: list[Api] = ACTIVATIONS + [
    Api("get_activation", dn.get_activation, {"name": "relu"}, {"name": NAME}, torch=dt.get_activation,
        aliases=("activation",)),
    Api("neuron_curve", dn.neuron_curve, {"x": np.linspace(-1, 1, 5), "w": 2.0, "b": 0.5, "activation": "tanh"},
        {"x": FLOATS, "w": REAL, "b": REAL, "activation": NAME}, torch=dt.neuron_curve, mirror=True),
    Api("softmax", dn.softmax, {"z": LOGITS, "axis": 1}, {"z": FLOATS, "axis": AXIS}, torch=dt.softmax, mirror=True),
    Api("log_softmax", dn.log_softmax, {"z": LOGITS, "dim": 0}, {"z": FLOATS, "dim": AXIS}, torch=dt.log_softmax,
        mirror=True),
    Api("weighted_sum", dn.weighted_sum, {"x": X3, "w": W3, "b": 0.5}, {"x": FLOATS, "w": FLOATS, "b": REAL},
        torch=dt.weighted_sum),
    Api("perceptron", dn.perceptron, {"x": X3, "w": W3, "b": 0.5, "activation": "sigmoid"},
        {"x": FLOATS, "w": FLOATS, "b": REAL, "activation": NAME}, torch=dt.perceptron),
    Api("predict_class", dn.predict_class, {"x": X3, "w": W3, "b": 0.5}, {"x": FLOATS, "w": FLOATS, "b": REAL},
        torch=dt.predict_class),
    Api("mse_loss", dn.mse_loss, {"input": P, "target": T, "reduction": "mean"},
        {"input": FLOATS, "target": FLOATS, "reduction": NAME}, torch=dt.mse_loss, mirror=True),
    Api("binary_cross_entropy", dn.binary_cross_entropy, {"input": P, "target": T, "weight": np.full(5, 2.0)},
        {"input": PROBABILITIES, "target": PROBABILITIES, "weight": WEIGHTS}, torch=dt.binary_cross_entropy,
        mirror=True),
    Api("binary_cross_entropy_with_logits", dn.binary_cross_entropy_with_logits,
        {"input": np.log(P / (1 - P)), "target": T, "pos_weight": np.full(5, 3.0)},
        {"input": FLOATS, "target": PROBABILITIES, "pos_weight": WEIGHTS},
        torch=dt.binary_cross_entropy_with_logits, mirror=True),
    Api("nll_loss", dn.nll_loss, {"input": LOGITS, "target": TARGETS, "weight": CLASS_WEIGHTS, "ignore_index": 1},
        {"input": FLOATS, "target": LABELS, "weight": WEIGHTS}, torch=dt.nll_loss, mirror=True),
    Api("cross_entropy", dn.cross_entropy, {"input": LOGITS, "target": TARGETS, "label_smoothing": 0.1},
        {"input": FLOATS, "target": LABELS, "label_smoothing": REAL}, torch=dt.cross_entropy, mirror=True),
    Api("sgd_step", dn.sgd_step, {"params": PARAMS2, "grads": {k: np.full(v.shape, 0.1) for k, v in PARAMS2.items()},
                                  "lr": 0.1},
        {"params": PARAMS, "grads": PARAMS, "lr": REAL}, torch=dt.sgd_step),
    Api("train_mlp", dn.train_mlp, {"X": X2, "y": Y2, "n_hidden": 3, "lr": 0.5, "batch_size": 2, "epochs": 2,
                                    "seed": 0},
        {"X": FLOATS, "y": LABELS, "n_hidden": COUNT, "lr": REAL, "batch_size": COUNT, "epochs": COUNT,
         "seed": SEED}, torch=dt.train_mlp),
    Api("one_hot", dn.one_hot, {"labels": TARGETS, "num_classes": 3}, {"labels": LABELS, "num_classes": COUNT}),
    Api("batch_accuracy", dn.batch_accuracy, {"scores": LOGITS, "labels": TARGETS},
        {"scores": FLOATS, "labels": LABELS}),
    Api("confusion_matrix", dn.confusion_matrix, {"labels": TARGETS, "predictions": np.array([0, 1, 1, 2]),
                                                  "n_classes": 3},
        {"labels": LABELS, "predictions": LABELS, "n_classes": COUNT}),
    Api("init_mlp", dn.init_mlp, {"n_in": 2, "n_hidden": 3, "n_out": 2, "seed": 0},
        {"n_in": COUNT, "n_hidden": COUNT, "n_out": COUNT, "seed": SEED}),
    Api("init_linear", linear.init_linear, {"n_in": 2, "n_out": 3, "seed": 0},
        {"n_in": COUNT, "n_out": COUNT, "seed": SEED}),
    Api("mlp_forward", dn.mlp_forward, {"params": PARAMS2, "X": X2}, {"params": PARAMS, "X": FLOATS}),
    Api("mlp_backward", dn.mlp_backward, {"params": PARAMS2, "cache": dn.mlp_forward(PARAMS2, X2)[1],
                                          "grad_logits": np.ones((6, 2))},
        {"params": PARAMS, "cache": PARAMS, "grad_logits": FLOATS}),
    Api("linear_backward", linear.linear_backward, {"params": LINEAR, "cache": linear.linear_forward(LINEAR, X2)[1],
                                                    "grad_logits": np.ones((6, 2))},
        {"params": PARAMS, "cache": PARAMS, "grad_logits": FLOATS}),
    Api("softmax_cross_entropy", dn.softmax_cross_entropy, {"logits": LOGITS, "y": TARGETS},
        {"logits": FLOATS, "y": LABELS}),
    Api("predict_proba", dn.predict_proba, {"params": PARAMS2, "X": X2}, {"params": PARAMS, "X": FLOATS}),
    Api("train_classifier", training.train_classifier,
        {"forward": linear.linear_forward, "backward": linear.linear_backward, "params": LINEAR, "X": X2, "y": Y2,
         "lr": 0.5, "batch_size": 2, "epochs": 1, "seed": 0},
        {"forward": FUNCTION, "backward": FUNCTION, "params": PARAMS, "X": FLOATS, "y": LABELS, "lr": REAL,
         "batch_size": COUNT, "seed": SEED}),
    Api("MLP", dt.MLP, {"n_in": 2, "n_hidden": 3, "n_out": 2, "activation": "tanh"},
        {"n_in": COUNT, "n_hidden": COUNT, "n_out": COUNT, "activation": NAME}),
    Api("MLP.from_params", dt.MLP.from_params, {"params": PARAMS2}, {"params": PARAMS}),
    Api("make_xor", data.make_xor, {"n": 8, "noise": 0.1, "seed": 0}, {"n": COUNT, "noise": REAL, "seed": SEED}),
    Api("make_blobs", data.make_blobs, {"n": 8, "centers": 3, "spread": 3.0, "noise": 0.1, "seed": 0},
        {"n": COUNT, "centers": COUNT, "spread": REAL, "noise": REAL, "seed": SEED}),
    Api("make_moons", data.make_moons, {"n": 8, "noise": 0.1, "seed": 0}, {"n": COUNT, "noise": REAL, "seed": SEED}),
    Api("make_spirals", data.make_spirals, {"n": 9, "classes": 3, "turns": 1.0, "noise": 0.1, "seed": 0},
        {"n": COUNT, "classes": COUNT, "turns": REAL, "noise": REAL, "seed": SEED}),
    Api("stratified_split", splits.stratified_split, {"y": np.repeat([0, 1], 10), "fractions": (0.5, 0.5), "seed": 0},
        {"y": GROUPS, "fractions": PROBABILITIES, "seed": SEED}),
    Api("steps_per_epoch", batches.steps_per_epoch, {"n": 10, "batch_size": 3}, {"n": COUNT, "batch_size": COUNT}),
    Api("run_sgd", batches.run_sgd, {"update": lambda batch: 1.0, "n": 4, "batch_size": 2, "epochs": 1, "seed": 0},
        {"update": FUNCTION, "n": COUNT, "batch_size": COUNT, "epochs": COUNT, "seed": SEED}),
    Api("numerical_gradient", gradcheck.numerical_gradient, {"f": lambda v: float(np.sum(np.sin(v))),
                                                             "x": np.array([1.0, 2.0]), "eps": 1e-6},
        {"f": FUNCTION, "x": FLOATS, "eps": REAL}),
    Api("relative_error", gradcheck.relative_error, {"a": np.array([1.0, 2.0]), "b": np.array([1.0, 2.5])},
        {"a": FLOATS, "b": FLOATS}),
    Api("gradcheck", gradcheck.gradcheck, {"f": lambda v: float(np.sum(np.sin(v))), "x": np.array([1.0, 2.0]),
                                           "analytic_grad": np.cos([1.0, 2.0])},
        {"f": FUNCTION, "x": FLOATS, "analytic_grad": FLOATS}),
    Api("gradcheck_params", gradcheck.gradcheck_params, {"loss": lambda p: float(np.sum(p["w"] ** 2)),
                                                         "params": {"w": np.array([1.0])},
                                                         "grads": {"w": np.array([2.0])}},
        {"loss": FUNCTION, "params": PARAMS, "grads": PARAMS}),
    Api("Value", Value, {"data": 2.0}, {"data": SLOPE}),
    Api("normalize_bitmap", digits.normalize_bitmap, {"bitmap": np.eye(32)}, {"bitmap": LABELS}),
    Api("scale_pixels", digits.scale_pixels, {"pixels": np.full((2, 64), 8.0)}, {"pixels": FLOATS}),
    Api("digit_probabilities", digits.digit_probabilities, {"params": DIGIT_NET, "pixels": np.full((2, 64), 8.0)},
        {"params": PARAMS, "pixels": FLOATS}),
    Api("plot_extent", plots.plot_extent, {"X": X2, "margin": 0.5}, {"X": FLOATS, "margin": REAL}),
    Api("grid_points", plots.grid_points, {"extent": (0.0, 1.0, 0.0, 1.0), "resolution": 5},
        {"extent": FLOATS, "resolution": COUNT}),
    Api("scatter_classes", lambda X, y: plots.scatter_classes(axes(), X, y), {"X": X2, "y": Y2},
        {"X": FLOATS, "y": LABELS}),
    Api("decision_line", plots.decision_line, {"w": np.array([1.0, 2.0]), "b": 0.5, "extent": (0.0, 1.0, 0.0, 1.0)},
        {"w": FLOATS, "b": REAL, "extent": FLOATS}),
    Api("tile_images", plots.tile_images, {"images": np.ones((3, 64)), "columns": 2, "gap": 1},
        {"images": FLOATS, "columns": COUNT, "gap": INDEX}, mirror=True),  # its result has NaN gaps
    Api("show_weights", lambda weights, limit, columns: plots.show_weights(axes(), weights, limit, columns),
        {"weights": np.ones((64, 3)), "limit": 1.0, "columns": 2}, {"weights": FLOATS, "limit": REAL, "columns": COUNT}),
    Api("plot_probabilities", lambda probabilities, label: plots.plot_probabilities(axes(), probabilities, label),
        {"probabilities": np.full(10, 0.1), "label": 3}, {"probabilities": PROBABILITIES, "label": INDEX}),
    Api("plot_confusion_matrix", lambda matrix: plots.plot_confusion_matrix(axes(), matrix),
        {"matrix": np.array([[3, 1], [0, 2]])}, {"matrix": LABELS}),
    Api("draw_perceptron", lambda inputs, weights: draw_perceptron(axes(), inputs, weights),
        {"inputs": ("a", "b"), "weights": ("c", "d")}, {"inputs": LIST, "weights": LIST}),
    Api("network_positions", network_positions, {"layer_sizes": [2, 3, 1]}, {"layer_sizes": LABELS}),
    Api("draw_network", lambda layer_sizes, values: draw_network(axes(), layer_sizes, values),
        {"layer_sizes": [2, 1], "values": [np.ones(2), np.ones(1)]}, {"layer_sizes": LABELS}),
    Api("ActivationExplorer", ActivationExplorer, {"activation": "tanh", "w": 1.0, "b": 0.0},
        {"activation": NAME, "w": REAL, "b": REAL}),
    Api("PerceptronExplorer", PerceptronExplorer, {"X": X2, "y": Y2, "w": (1.0, -1.0), "b": 0.0},
        {"X": FLOATS, "y": LABELS, "w": FLOATS, "b": REAL}, aliases=("w1", "w2")),
    Api("SoftmaxExplorer", SoftmaxExplorer, {"logits": (2.0, 1.0, 0.1), "temperature": 1.0, "true_class": 0},
        {"logits": FLOATS, "temperature": REAL, "true_class": INDEX}, aliases=("z1", "z2", "z3")),
    Api("softmax_readout", softmax_readout, {"logits": (2.0, 1.0, 0.1), "temperature": 1.0, "true_class": 0},
        {"logits": FLOATS, "temperature": REAL, "true_class": INDEX}),
    Api("TrainingPlayground", TrainingPlayground, {"seed": 0, "resolution": 10}, {"seed": SEED, "resolution": COUNT}),
    Api("linear_forward", linear.linear_forward, {"params": LINEAR, "X": X2}, {"params": PARAMS, "X": FLOATS}),
    Api("accuracy", training.accuracy, {"params": PARAMS2, "X": X2, "y": Y2},
        {"params": PARAMS, "X": FLOATS, "y": LABELS}),
    Api("prob_class1", training.prob_class1, {"params": PARAMS2, "X": X2}, {"params": PARAMS, "X": FLOATS}),
    Api("EpochHistory", lambda logits, training: dn.EpochHistory(logits, training=training),
        {"logits": lambda p, X: dn.mlp_forward(p, X)[0], "training": (X2, Y2)},
        {"logits": FUNCTION, "training": LIST}),
    Api("minibatches", lambda **kwargs: list(batches.minibatches(**kwargs)),
        {"n": 10, "batch_size": 3, "epochs": 2, "seed": 0},
        {"n": COUNT, "batch_size": COUNT, "epochs": COUNT, "seed": SEED}),
    Api("image_from_bitmap", digits.image_from_bitmap, {"bitmap": np.eye(32)}, {"bitmap": LABELS}),
    Api("show_digits", lambda pixels, columns: plots.show_digits(axes(), pixels, columns),
        {"pixels": np.full((3, 64), 8.0), "columns": 2}, {"pixels": FLOATS, "columns": COUNT}),
    Api("plot_decision_regions", lambda predict, X, y: plots.plot_decision_regions(axes(), predict, X, y, 5),
        {"predict": lambda points: np.full(len(points), 0.5), "X": X2, "y": Y2},
        {"predict": FUNCTION, "X": FLOATS, "y": LABELS}),
    Api("class_legend", lambda names: plots.class_legend(axes(), names), {"names": ["a", "b"]}, {"names": LIST}),
    Api("draw_graph", lambda root, mode: draw_graph(axes(), root, mode), {"root": Value(2.0) * 3.0, "mode": "forward"},
        {"root": LIST, "mode": NAME}),
    Api("DigitExplorer", DigitExplorer, {"params": DIGIT_NET, "X": np.tile(np.arange(10.0)[:, None], (1, 64)),
                                         "y": np.arange(10), "start": 0},
        {"params": PARAMS, "X": FLOATS, "y": LABELS, "start": INDEX}),
]


# Chapters 8 to 10: optimisers, initialisation, regularisation, convolutional networks.


def fresh(params: Any) -> Any:
    """A copy of a dict of arrays (an optimiser or a training changes them in place); anything else as it is."""
    if isinstance(params, dict):
        return {name: p.copy() if isinstance(p, np.ndarray) else p for name, p in params.items()}
    return params


def optimised(optimizer: Callable[..., Any], **options: Any) -> Callable[..., Any]:
    """Two steps of ``optimizer`` on a copy of ``params`` with ``grads``; the parameters after them."""
    def run(params: Any, grads: Any, **hyper: Any) -> Any:
        moved = optimizer(fresh(params), **options, **hyper)
        moved.step(grads)
        moved.step(grads)
        return moved.params

    return run


def scheduled(scheduler: Callable[..., Any]) -> Callable[..., Any]:
    """The learning rates of the first four epochs of ``scheduler`` on SGD with ``lr``."""
    def run(lr: Any = 0.1, **options: Any) -> list[float]:
        sgd = optim.SGD(fresh(PARAMS2), lr=lr)
        schedule = scheduler(sgd, **options)
        rates = []
        for _ in range(4):
            sgd.step(GRADS2)
            schedule.step()
            rates += schedule.get_last_lr()
        return rates

    return run


def early_stopping(logits: Any, validation: Any, patience: Any) -> Any:
    """Three epochs of :class:`EarlyStopping` on the same network: its validation losses."""
    stopper = dn.EarlyStopping(logits, validation, patience)
    return [stopper(step, 1.0, PARAMS2) for step in range(3)], stopper.losses


GRADS2 = {k: np.full(v.shape, 0.1) for k, v in PARAMS2.items()}
IMAGES = RNG.normal(size=(2, 1, 5, 5))
KERNELS = RNG.normal(size=(2, 1, 3, 3))
POOLED = RNG.normal(size=(2, 1, 4, 4))
KEEP = RNG.random(size=(4, 3)) > 0.5
NETWORK = dn.init_regularised(2, 3, 2, batch_norm=True, seed=0)
PLAIN_NETWORK = dn.init_regularised(2, 3, 2, seed=0)
CNN_PARAMS = dn.init_cnn((2, 3), side=8, n_classes=10, seed=0)
DIGITS_X = np.tile(np.arange(10.0)[:, None] % 17, (1, 64))
VERTICAL = np.array([[1.0, 0.0, -1.0]] * 3)


def generator() -> np.random.Generator:
    return np.random.default_rng(0)


CHAPTERS_8_TO_10: list[Api] = [
    Api(name, optimised(cls, **options), {"params": PARAMS2, "grads": GRADS2, **hyper},
        {"params": PARAMS, "grads": PARAMS, **{h: HYPER for h in hyper}}, mirror=True, aliases=aliases)
    for name, cls, options, hyper, aliases in [
        ("SGD.step", optim.SGD, {"nesterov": True}, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
         ("learning rate",)),
        ("RMSprop.step", optim.RMSprop, {"centered": True}, {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "momentum": 0.5,
                                                            "weight_decay": 0.01}, ("learning rate", "epsilon")),
        ("Adam.step", optim.Adam, {"amsgrad": True}, {"lr": 0.01, "eps": 1e-8, "weight_decay": 0.01},
         ("learning rate", "epsilon")),
        ("AdamW.step", optim.AdamW, {}, {"lr": 0.01, "eps": 1e-8, "weight_decay": 0.01}, ("learning rate", "epsilon")),
    ]
] + [
    Api("StepLR", scheduled(lr_scheduler.StepLR), {"step_size": 2, "gamma": 0.5},
        {"step_size": COUNT, "gamma": HYPER}, mirror=True),
    Api("CosineAnnealingLR", scheduled(lr_scheduler.CosineAnnealingLR), {"lr": 0.1, "T_max": 3, "eta_min": 0.01},
        {"lr": HYPER, "T_max": COUNT, "eta_min": HYPER}, mirror=True, aliases=("learning rate",)),
    Api("LinearLR", scheduled(lr_scheduler.LinearLR), {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 3},
        {"start_factor": HYPER, "end_factor": HYPER, "total_iters": INDEX}, mirror=True),
    Api("calculate_gain", init.calculate_gain, {"nonlinearity": "leaky_relu", "param": 0.2},
        {"nonlinearity": NAME, "param": SLOPE_OR_NONE}, mirror=True, aliases=("negative_slope",)),
    Api("fan_in_and_fan_out", init.fan_in_and_fan_out, {"shape": (3, 4, 2, 2)}, {"shape": SHAPE}),
    Api("xavier_std", init.xavier_std, {"shape": (3, 4), "gain": 2.0}, {"shape": SHAPE, "gain": HYPER}, mirror=True),
    Api("kaiming_std", init.kaiming_std, {"shape": (3, 4), "a": 0.1, "mode": "fan_out", "nonlinearity": "leaky_relu"},
        {"shape": SHAPE, "a": SLOPE_OR_NONE, "mode": NAME, "nonlinearity": NAME}, mirror=True,
        aliases=("negative_slope", "Mode", "nonlinearity")),
] + [
    Api(name, getattr(init, name), {"shape": (3, 4, 2), "gain": 2.0, "rng": 0},
        {"shape": SHAPE, "gain": HYPER, "rng": GENERATOR}, mirror=True)
    for name in ("xavier_uniform", "xavier_normal")
] + [
    Api(name, getattr(init, name), {"shape": (3, 4, 2), "a": 0.1, "mode": "fan_in", "nonlinearity": "leaky_relu",
                                    "rng": 0},
        {"shape": SHAPE, "a": SLOPE_OR_NONE, "mode": NAME, "nonlinearity": NAME, "rng": GENERATOR}, mirror=True,
        aliases=("negative_slope", "Mode"))
    for name in ("kaiming_uniform", "kaiming_normal")
] + [
    Api("dropout", lambda **kwargs: dn.dropout(**kwargs, rng=generator()), {"input": X3, "p": 0.5, "training": True},
        {"input": FLOATS, "p": HYPER}, mirror=True),
    Api("dropout (rng)", dn.dropout, {"input": X3, "p": 0.5, "rng": generator()}, {"rng": GENERATOR}, mirror=True),
    Api("dropout_mask", dn.dropout_mask, {"shape": (4, 3), "p": 0.5, "rng": generator()},
        {"shape": SHAPE, "p": HYPER, "rng": GENERATOR}),
    Api("apply_dropout_mask", dn.apply_dropout_mask, {"input": X3, "mask": KEEP, "p": 0.5},
        {"input": FLOATS, "mask": LABELS, "p": HYPER}, mirror=True),
    Api("dropout_backward", dn.dropout_backward, {"grad_output": X3, "mask": KEEP, "p": 0.5},
        {"grad_output": FLOATS, "mask": LABELS, "p": HYPER}, mirror=True),
    Api("batch_norm", dn.batch_norm, {"input": X3, "running_mean": None, "running_var": None, "weight": np.ones(3),
                                      "bias": np.zeros(3), "training": True, "momentum": 0.1, "eps": 1e-5},
        {"input": FLOATS, "weight": WEIGHTS, "bias": WEIGHTS, "momentum": HYPER, "eps": HYPER}, mirror=True),
    Api("batch_norm (evaluation)", dn.batch_norm, {"input": X3, "running_mean": np.zeros(3),
                                                   "running_var": np.ones(3)},
        {"input": FLOATS, "running_mean": FLOATS, "running_var": FLOATS}, mirror=True),
    Api("batch_norm_backward", dn.batch_norm_backward, {"grad_output": np.ones((4, 3)), "input": X3,
                                                        "weight": np.full(3, 2.0), "eps": 1e-5},
        {"grad_output": FLOATS, "input": FLOATS, "weight": WEIGHTS, "eps": HYPER}, mirror=True),
    Api("l2_penalty", dn.l2_penalty, {"params": PARAMS2, "weight_decay": 0.01},
        {"params": PARAMS, "weight_decay": REAL}, mirror=True),  # arithmetic: NaN passes, as in torch's weight decay
    Api("add_weight_decay", dn.add_weight_decay, {"params": PARAMS2, "grads": GRADS2, "weight_decay": 0.01},
        {"params": PARAMS, "grads": PARAMS, "weight_decay": REAL}, mirror=True),
    Api("init_regularised", dn.init_regularised, {"n_in": 2, "n_hidden": 3, "n_out": 2, "batch_norm": True,
                                                  "seed": 0},
        {"n_in": COUNT, "n_hidden": COUNT, "n_out": COUNT, "seed": SEED}),
    Api("regularised_forward", lambda network, **kwargs: dn.regularised_forward(fresh(network), **kwargs),
        {"network": NETWORK, "X": X2, "training": True, "dropout": 0.5, "rng": generator()},
        {"network": PARAMS, "X": FLOATS, "dropout": HYPER, "rng": GENERATOR}, aliases=("params",)),
    Api("regularised_logits", dn.regularised_logits, {"network": NETWORK, "X": X2},
        {"network": PARAMS, "X": FLOATS}, aliases=("params",)),
    Api("regularised_backward", dn.regularised_backward,
        {"network": PLAIN_NETWORK, "cache": dn.regularised_forward(fresh(PLAIN_NETWORK), X2, True, 0.5, generator())[1],
         "grad_logits": np.ones((6, 2))},
        {"network": PARAMS, "grad_logits": FLOATS}, aliases=("params",)),
    Api("train_regularised", dn.train_regularised,
        {"X": X2, "y": Y2, "n_hidden": 3, "lr": 0.5, "batch_size": 2, "epochs": 2, "seed": 0, "weight_decay": 0.01,
         "dropout": 0.2, "batch_norm": True},
        {"X": FLOATS, "y": LABELS, "n_hidden": COUNT, "lr": REAL, "batch_size": COUNT, "epochs": COUNT,
         "seed": SEED, "weight_decay": REAL, "dropout": HYPER}),
    Api("regularised_mlp", lambda network, dropout: dt.to_network(dt.regularised_mlp(network, dropout)),
        {"network": NETWORK, "dropout": 0.5}, {"network": PARAMS, "dropout": HYPER},
        aliases=("params",)),
    Api("EarlyStopping", early_stopping, {"logits": lambda p, X: dn.mlp_forward(p, X)[0], "validation": (X2, Y2),
                                          "patience": 2},
        {"logits": FUNCTION, "validation": LIST, "patience": COUNT_OR_NONE}),
    Api("binomial_cdf", intervals.binomial_cdf, {"k": 3, "n": 10, "p": 0.4}, {"n": COUNT, "p": REAL}),
] + [
    Api(name, getattr(intervals, name), {"successes": 8, "n": 10, "confidence": 0.9},
        {"successes": INDEX, "n": COUNT, "confidence": REAL})
    for name in ("exact_interval", "wilson_interval")
] + [
    Api("conv2d", dn.conv2d, {"input": IMAGES, "weight": KERNELS, "bias": np.array([0.5, -1.0]), "stride": 1,
                              "padding": 1, "dilation": 1},
        {"input": FLOATS, "weight": FLOATS, "bias": WEIGHTS, "stride": PAIR, "padding": INDEX, "dilation": PAIR},
        torch=dt.conv2d, mirror=True),
    Api("conv2d_backward", dn.conv2d_backward, {"grad_output": np.ones((2, 2, 3, 3)), "input": IMAGES,
                                                "weight": KERNELS, "stride": 2, "padding": 1},
        {"grad_output": FLOATS, "input": FLOATS, "weight": FLOATS, "stride": PAIR, "padding": INDEX},
        torch=dt.conv2d_backward, mirror=True),
] + [
    Api(name + suffix, getattr(dn, name + suffix), {**gradient, "input": POOLED, "kernel_size": kernel,
                                                    "stride": stride, "padding": 1},
        {**{key: FLOATS for key in gradient}, "input": FLOATS, "kernel_size": PAIR, "stride": PAIR, "padding": INDEX},
        torch=getattr(dt, name + suffix), mirror=True)
    for name, kernel, stride, side in (("max_pool2d", 2, 2, 3), ("avg_pool2d", 3, 1, 4))
    for suffix, gradient in (("", {}), ("_backward", {"grad_output": np.ones((2, 1, side, side))}))
] + [
    Api("init_cnn", dn.init_cnn, {"channels": (2, 3), "side": 8, "n_classes": 3, "seed": 0},
        {"channels": SHAPE, "side": COUNT, "n_classes": COUNT, "seed": SEED}),
    Api("cnn_forward", dn.cnn_forward, {"params": CNN_PARAMS, "X": DIGITS_X[:2]}, {"params": PARAMS, "X": FLOATS}),
    Api("cnn_backward", dn.cnn_backward, {"params": CNN_PARAMS, "cache": dn.cnn_forward(CNN_PARAMS, DIGITS_X[:2])[1],
                                          "grad_logits": np.ones((2, 10))},
        {"params": PARAMS, "grad_logits": FLOATS}),
    Api("cnn_predict_proba", dn.cnn_predict_proba, {"params": CNN_PARAMS, "X": DIGITS_X[:2]},
        {"params": PARAMS, "X": FLOATS}),
    Api("CNN", dt.CNN, {"channels": (2, 3), "side": 8, "n_classes": 3},
        {"channels": SHAPE, "side": COUNT, "n_classes": COUNT}),
    Api("CNN.from_params", dt.CNN.from_params, {"params": CNN_PARAMS}, {"params": PARAMS}),
    Api("train_model", lambda **kwargs: dt.train_model(dt.MLP(2, 3, 2), **kwargs),
        {"X": X2, "y": Y2, "lr": 0.1, "batch_size": 2, "epochs": 2, "seed": 0, "weight_decay": 0.01},
        {"X": FLOATS, "y": LABELS, "lr": REAL, "batch_size": COUNT, "epochs": COUNT, "seed": SEED,
         "weight_decay": REAL}),
    Api("weight_decay_groups", lambda weight_decay: dt.weight_decay_groups(dt.MLP(2, 3, 2), weight_decay),
        {"weight_decay": 0.01}, {"weight_decay": REAL}),
    Api("descent_path", surfaces.descent_path,
        {"surface": "rosenbrock", "make_optimizer": lambda p: optim.SGD(p, lr=1e-3), "start": np.array([-1.0, 1.0]),
         "steps": 5},
        {"surface": NAME, "make_optimizer": FUNCTION, "start": FLOATS, "steps": INDEX}),
    Api("get_surface", surfaces.get_surface, {"name": "saddle"}, {"name": NAME}, aliases=("surface",)),
] + [
    Api(name, getattr(surfaces, name), {"w": np.array([0.5, -1.0])}, {"w": FLOATS}, mirror=True)  # inf past 1e77
    for name in ("quadratic_loss", "quadratic_gradient", "rosenbrock_loss", "rosenbrock_gradient", "saddle_loss",
                 "saddle_gradient")
] + [
    Api(name, function, {"surface": "quadratic", "start": (-1.5, 1.0), "lr": 0.1, "beta": 0.9, "steps": 5},
        {"surface": NAME, "start": FLOATS, "lr": REAL, "beta": REAL, "steps": COUNT if name == "OptimiserExplorer"
         else INDEX}, aliases=("start_x", "start_y"))
    for name, function in (("OptimiserExplorer", OptimiserExplorer), ("explorer_paths", explorer_paths),
                           ("optimiser_readout", optimiser_readout))
] + [
    Api(name, function, {"pixels": DIGITS_X[3], "kernel": VERTICAL, "padding": 1, "stride": 1,
                         "activation": "relu", "pool": "max"},
        {"pixels": FLOATS, "kernel": FLOATS, "padding": INDEX, "stride": COUNT, "activation": NAME, "pool": NAME})
    for name, function in (("kernel_maps", kernel_maps), ("kernel_readout", kernel_readout))
] + [
    Api("feature_map_readout", feature_map_readout, {"pixels": DIGITS_X[3], "probabilities": np.full(10, 0.1),
                                                     "down": 1, "right": 0},
        {"pixels": FLOATS, "probabilities": PROBABILITIES}),  # down and right: any integer (a shift either way)
    Api("PadExplorer", PadExplorer, {"X": DIGITS_X, "y": np.arange(10), "start": 2},
        {"X": FLOATS, "y": LABELS, "start": INDEX}),
    Api("KernelExplorer", KernelExplorer, {"X": DIGITS_X, "y": np.arange(10), "start": 2, "kernel": "vertical edges"},
        {"X": FLOATS, "y": LABELS, "start": INDEX, "kernel": NAME}),
    Api("FeatureMapExplorer", FeatureMapExplorer, {"params": CNN_PARAMS, "X": DIGITS_X, "y": np.arange(10),
                                                   "start": 2},
        {"params": PARAMS, "X": FLOATS, "y": LABELS, "start": INDEX}),
]

API += CHAPTERS_8_TO_10

# --------------------------------------------------------------------------------------------------- the checks


def names_an_argument(error: BaseException, api: Api, names: tuple[str, ...]) -> bool:
    """True when the error's message names one of ``names`` (or the function's aliases) as a word."""
    message = str(error)
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) for name in names + api.aliases)


def outcome(function: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[str, Any]:
    """``("returned", result)`` or ``("raised", error)``; only ``ValueError`` and ``TypeError`` are caught."""
    try:
        return "returned", function(**kwargs)
    except (ValueError, TypeError) as error:
        return "raised", error


def arrays(result: Any) -> list[np.ndarray]:
    """Every number of a result as NumPy arrays, in order (tensors, modules, tuples and dicts unpacked)."""
    if isinstance(result, torch.Tensor):
        return [result.detach().numpy()]
    if isinstance(result, dt.MLP):
        return arrays(result.to_params())
    if isinstance(result, dict):
        return [a for key in sorted(result) for a in arrays(result[key])]
    if isinstance(result, (tuple, list)):
        return [a for part in result for a in arrays(part)]
    if isinstance(result, (np.ndarray, float, int, np.number)):
        return [np.asarray(result)]
    return []  # a figure's artist, an explorer, a Value: no numbers to compare


def assert_same(numpy_result: Any, torch_result: Any) -> None:
    """The two backends' answers: the same arrays, dtypes and shapes, equal values (NaN where NaN).

    Equal means to rounding: relative to the largest number of the whole
    result (a training's tiny biases carry the rounding of its large
    weights), in the precision of the computation (float32 when any part of
    the result is).
    """
    ours, theirs = arrays(numpy_result), arrays(torch_result)
    assert len(ours) == len(theirs)
    rtol = 1e-5 if any(a.dtype == np.float32 for a in ours) else 1e-9
    scale = max((float(np.abs(a[np.isfinite(a)]).max(initial=0.0)) for a in ours if a.dtype.kind == "f"), default=0.0)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape, (a, b)
        if a.dtype.kind == "f":
            atol = rtol * scale + float(np.finfo(a.dtype).tiny)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(a, b)


FEW = settings(max_examples=12, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])


@pytest.mark.parametrize("api", API, ids=repr)
@FEW
@given(data=st.data())
def test_bad_input_raises_an_error_that_names_the_argument(api: Api, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(api.kinds)), label="argument")
    bad = data.draw(BAD[api.kinds[name]], label="value")
    for function in api.implementations():
        kind, result = outcome(function, {**api.args, name: bad})
        assert kind == "raised", f"{api.name}({name}={bad!r:.60}) returned {result!r:.100}"
        assert names_an_argument(result, api, (name,)), f"{api.name}({name}=...): {result}"


@pytest.mark.parametrize("api", [api for api in API if any(kind in EXTREME for kind in api.kinds.values())],
                         ids=repr)
@FEW
@given(data=st.data())
def test_extreme_input_gives_a_named_error_or_the_same_finite_answer(api: Api, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(n for n, kind in api.kinds.items() if kind in EXTREME)), label="argument")
    value = data.draw(EXTREME[api.kinds[name]](api.args[name], api.mirror), label="value")
    outcomes = [outcome(function, {**api.args, name: value}) for function in api.implementations()]
    for kind, result in outcomes:
        if kind == "raised":
            assert names_an_argument(result, api, tuple(api.args)), f"{api.name}({name}=...): {result}"
        elif not api.mirror:
            assert all(np.isfinite(a).all() for a in arrays(result) if a.dtype.kind == "f"), result
    if len(outcomes) == 2:
        (kind, ours), (torch_kind, theirs) = outcomes
        assert kind == torch_kind, (ours, theirs)
        if kind == "raised":
            assert isinstance(ours, TypeError) == isinstance(theirs, TypeError), (ours, theirs)
        else:
            assert_same(ours, theirs)


# ------------------------------------------------------------------------------------------- exercise checkers

CHECKERS = [check_sigmoid, check_softmax, check_cross_entropy, check_weighted_sum, check_perceptron,
            check_linear_backward, check_sgd_step, check_one_hot, check_batch_accuracy, check_confusion_matrix,
            check_count_parameters, check_momentum_step, check_adam_step, check_cosine_lr, check_add_weight_decay,
            check_dropout, check_batch_norm, check_conv2d_single, check_conv_output_size, check_max_pool]


class Explodes:
    """A learner's result on which everything a checker might try raises."""

    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq exploded")

    __hash__ = None  # type: ignore[assignment]

    def __float__(self) -> float:
        raise RuntimeError("float exploded")

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise RuntimeError("array exploded")

    def __len__(self) -> int:
        raise RuntimeError("len exploded")

    def __bool__(self) -> bool:
        raise RuntimeError("bool exploded")


class UnprintableError(Exception):
    """An exception whose message itself raises."""

    def __str__(self) -> str:
        raise RuntimeError("str exploded")


ANSWERS = st.one_of(
    st.none(), st.text(max_size=4), st.integers(-(10**500), 10**500), st.floats(), st.just(Explodes()),
    st.just((Explodes(), Explodes(), Explodes())), st.just({"w": Explodes(), "W1": Explodes()}),
    st.lists(st.floats(), max_size=3), st.builds(lambda: (k for k in range(3))), st.just(np.array([np.nan, np.inf])),
    st.just(np.full(3, 2**63, dtype=np.uint64)), st.just(Explodes),
)
ERRORS = st.sampled_from([SystemExit(3), ValueError("wrong"), UnprintableError(), RecursionError(), MemoryError(),
                          StopIteration(), GeneratorExit(), ArithmeticError()])


def returning(answer: Any) -> Callable[..., Any]:
    return lambda *args, **kwargs: answer


def raising(error: BaseException) -> Callable[..., Any]:
    def learner(*args: Any, **kwargs: Any) -> Any:
        raise error

    return learner


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda checker: checker.__name__)
@settings(max_examples=10, deadline=None)
@given(learner=st.one_of(ANSWERS.map(returning), ERRORS.map(raising)))
def test_a_checker_grades_any_wrong_function_and_never_raises(checker: Callable[..., Any],
                                                              learner: Callable[..., Any]) -> None:
    result = checker(learner)
    assert isinstance(result, CheckResult) and not result.passed
    assert "case: " in result.message and ("wrong result" in result.message or "raised" in result.message)
    assert str(result) and result._repr_markdown_()


# ----------------------------------------------------------------------- the findings of issue #29, one by one

NAN = float("nan")


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: data.make_xor(n=2.5), TypeError, "n must be an integer"),
    (lambda: data.make_blobs(centers=0), ValueError, "centers must be an integer of at least 1"),
    (lambda: data.make_spirals(classes=0), ValueError, "classes must be an integer of at least 1"),
    (lambda: data.make_moons(noise=NAN), ValueError, "noise must be a finite number"),
    (lambda: data.make_xor(noise=NAN), ValueError, "noise must be a finite number"),
    (lambda: data.make_blobs(spread=NAN), ValueError, "spread must be a finite number"),
    (lambda: data.make_spirals(turns=NAN), ValueError, "turns must be a finite number"),
    (lambda: data.make_xor(seed=-1), ValueError, "seed must be a non-negative integer"),
    (lambda: splits.stratified_split(Y2, seed=-1), ValueError, "seed must be a non-negative integer"),
    (lambda: dn.init_mlp(2, 3, 2, seed=-1), ValueError, "seed must be a non-negative integer"),
    (lambda: dn.sigmoid(None), TypeError, "x must be a number or an array of numbers, got None"),
    (lambda: dn.sigmoid(np.array([None, 1.0], dtype=object)), TypeError, "x must hold numbers only, found None"),
    (lambda: dn.batch_accuracy(np.array([["a", "b"]]), [0]), TypeError, "scores must hold real numbers"),
    (lambda: dn.sgd_step({"w": np.ones(2)}, {"w": np.array([NAN, 1.0])}, 0.1), ValueError,
     r"grads\['w'\] contains NaN"),
    (lambda: dt.sgd_step({"w": np.ones(2)}, {"w": np.array([NAN, 1.0])}, 0.1), ValueError,
     r"grads\['w'\] contains NaN"),
    (lambda: batches.run_sgd(lambda batch: None, 4, 2, 1), TypeError,
     "update must return the batch loss as a number, got None"),
    (lambda: dn.softmax(LOGITS, 0.0), TypeError, "axis must be an integer, got 0.0"),
    (lambda: dt.softmax(LOGITS, "0"), TypeError, "axis must be an integer, got '0'"),
    (lambda: dn.cross_entropy(LOGITS, TARGETS, label_smoothing=None), TypeError, "label_smoothing must be a number"),
    (lambda: dt.cross_entropy(LOGITS, TARGETS, label_smoothing=None), TypeError, "label_smoothing must be a number"),
    (lambda: dn.sgd_step([1.0], [1.0], 0.1), TypeError, "params must be a dict of arrays"),
    (lambda: dt.sgd_step([1.0], [1.0], 0.1), TypeError, "params must be a dict of arrays"),
    (lambda: dn.mlp_backward(PARAMS2, {**dn.mlp_forward(PARAMS2, X2)[1], "X": X2.tolist()}, np.ones((6, 2))),
     ValueError, r"cache\['X'\] must be the float64 array"),
    (lambda: training.train_classifier(lambda p, X: (np.ones(len(X)), None), linear.linear_backward, LINEAR, X2, Y2,
                                       batch_size=2), ValueError, r"forward must return logits of shape \(1, C\)"),
    (lambda: dn.cross_entropy(LOGITS[:1], np.array([2**63], dtype=np.uint64)), ValueError,
     "target holds 9223372036854775808"),
    (lambda: dt.cross_entropy(LOGITS[:1], np.array([2**63], dtype=np.uint64)), ValueError,
     "target holds 9223372036854775808"),
    (lambda: dn.train_mlp(X2, np.where(Y2 == 1, 10**12, 0)), ValueError, "label 1000000000000 of y would hold"),
    (lambda: dn.one_hot(np.array([10**12])), ValueError, "one-hot encoding of 1 labels in 1000000000001 classes"),
    (lambda: dn.train_mlp(np.where(X2 > 1, np.inf, X2), Y2), ValueError, "X contains inf"),
    (lambda: dt.train_mlp(np.where(X2 > 1, np.inf, X2), Y2), ValueError, "X contains inf"),
    (lambda: dn.train_mlp(X2.T, Y2), ValueError, r"X looks transposed.*pass X\.T, of shape \(6, 2\)"),
    (lambda: plots.tile_images(np.ones((2, 64)), 0), ValueError, "columns must be an integer of at least 1"),
    (lambda: plots.tile_images(np.ones((0, 64)), 2), ValueError, "images must hold flattened 8 x 8 images"),
    (lambda: plots.plot_probabilities(axes(), np.full(10, 0.1), -1), ValueError, "label must be an integer of at least 0"),
    (lambda: plots.plot_probabilities(axes(), np.full(10, 0.1), 10), ValueError, "label must be an integer of at most 9"),
    (lambda: plots.decision_line(np.array([1.0]), 0.0, (0, 1, 0, 1)), ValueError, "w must hold two weights"),
    (lambda: plots.scatter_classes(axes(), X2[:1], np.array([0.5])), ValueError, "y must hold integer class labels"),
])
def test_each_finding_is_refused_with_a_named_error(call: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: dn.dropout(X3, BrokenRepr()), ValueError, "dropout probability p has to be between 0 and 1, but got a"),
    (lambda: dn.max_pool2d(POOLED, BrokenRepr()), ValueError, "kernel_size must be an int or a pair of ints"),
    (lambda: dn.batch_norm(X3, None, None, training=True, eps=BrokenRepr()), ValueError, "eps must be a number"),
    (lambda: intervals.wilson_interval(BrokenRepr(), 10), ValueError, "successes must be a whole number"),
    (lambda: init.calculate_gain(BrokenRepr()), ValueError, "Unsupported nonlinearity a BrokenRepr object"),
    (lambda: init.calculate_gain("leaky_relu", BrokenRepr()), ValueError, "negative_slope a BrokenRepr object not"),
    (lambda: optim.SGD(fresh(PARAMS2), lr=None), TypeError, "lr must be a number, got None"),
    (lambda: optim.Adam(fresh(PARAMS2), eps="1e-8"), TypeError, "eps must be a number"),
    (lambda: optim.SGD(fresh(PARAMS2), lr=10**400), ValueError, "lr is too large for a float"),
    (lambda: lr_scheduler.StepLR(optim.SGD(fresh(PARAMS2), lr=0.1), 2, gamma=None), TypeError,
     "gamma must be a number"),
    (lambda: lr_scheduler.LinearLR(optim.SGD(fresh(PARAMS2), lr=0.1), start_factor="0.5"), TypeError,
     "start_factor must be a number"),
    (lambda: init.calculate_gain("leaky_relu", 10**400), ValueError, "negative_slope is too large for a float"),
    (lambda: init.kaiming_std((3, 4), mode=None), TypeError, "mode must be 'fan_in' or 'fan_out', got None"),
    (lambda: init.xavier_std((3, 4), gain=None), TypeError, "gain must be a number"),
    (lambda: init.xavier_uniform((3, 4), rng=-1), ValueError, "rng must be a non-negative integer"),
    (lambda: init.xavier_uniform((3, 4), rng=True), TypeError, "rng must be a non-negative integer"),
    (lambda: dn.conv2d(IMAGES, KERNELS, stride=10**400), ValueError, "stride must fit in a 64-bit integer"),
    (lambda: dt.conv2d(IMAGES, KERNELS, padding=10**400), ValueError, "padding must fit in a 64-bit integer"),
    (lambda: dn.conv2d(None, KERNELS), TypeError, "input must be a number or an array of numbers, got None"),
    (lambda: dt.max_pool2d(None, 2), TypeError, "input must be a number or an array of numbers, got None"),
    (lambda: dn.avg_pool2d([[1.0, 2.0], [3.0]], 2), ValueError, "input must be a number or a rectangular array"),
    (lambda: dt.avg_pool2d(np.array([1 + 2j]), 2), TypeError, "input must hold real numbers"),
    (lambda: dt.CNN(channels=None), TypeError, r"channels must be a pair of channel counts \(c1, c2\), got None"),
    (lambda: dt.CNN(side=0), ValueError, "side must be a positive integer"),
    (lambda: dn.init_cnn(seed=-1), ValueError, "seed must be a non-negative integer"),
    (lambda: dn.EarlyStopping(lambda p, X: X, None), TypeError, r"validation must be a pair \(X_val, y_val\)"),
    (lambda: dn.EarlyStopping(None, (X2, Y2)), TypeError, "logits must be a function"),
    (lambda: dn.add_weight_decay(PARAMS2, None, 0.1), TypeError, "grads must be a dict of arrays"),
    (lambda: dn.l2_penalty(None, 0.1), TypeError, "params must be a dict of arrays"),
    (lambda: dn.l2_penalty(PARAMS2, 10**400), ValueError, "weight_decay is too large for a float"),
    (lambda: dt.weight_decay_groups(dt.MLP(2, 3, 2), None), TypeError, "weight_decay must be a finite number"),
    (lambda: intervals.binomial_cdf(None, 10, 0.5), TypeError, "k must be an integer"),
    (lambda: intervals.binomial_cdf(3, 10, float("nan")), ValueError, "p must be a finite number"),
    (lambda: intervals.exact_interval(3, 10**12), ValueError, "n must be an integer of at most 1,000,000"),
    (lambda: dn.dropout([[1.0, 2.0], [3.0]]), ValueError, "input must be a number or a rectangular array"),
    (lambda: dn.dropout_backward(None, KEEP, 0.5), TypeError, "grad_output must be a number or an array"),
    (lambda: dn.dropout_mask(None, 0.5), TypeError, r"shape must be a tuple of sizes, such as \(4, 3\), got None"),
    (lambda: dn.dropout_mask((2, -1), 0.5), ValueError, r"shape\[1\] must be an integer of at least 0"),
    (lambda: dn.batch_norm([[1.0, 2.0], [3.0]], None, None, training=True), ValueError,
     "input must be a number or a rectangular array"),
    (lambda: dn.batch_norm(X3, None, None, training=True, momentum=10**400), ValueError,
     "momentum is too large for a float"),
    (lambda: dn.cnn_forward(CNN_PARAMS, [[1.0, 2.0], [3.0]]), ValueError, "X must be a number or a rectangular array"),
    (lambda: dn.regularised_backward(PLAIN_NETWORK, dn.regularised_forward(fresh(PLAIN_NETWORK), X2, True)[1], None),
     TypeError, "grad_logits must be a number or an array of numbers, got None"),
    (lambda: dn.regularised_backward(PLAIN_NETWORK, dn.regularised_forward(fresh(PLAIN_NETWORK), X2, True)[1],
                                     np.ones((5, 2))), ValueError, r"grad_logits must have the shape of the logits"),
    (lambda: dn.train_regularised(None, Y2), TypeError, "X must be a number or an array of numbers, got None"),
    (lambda: dt.train_model(dt.MLP(2, 3, 2), X2, Y2, lr=1e300, batch_size=2, epochs=1), ValueError,
     "lr=1e[+]300 is too large for the model's torch.float32 parameters"),
    (lambda: lr_scheduler.CosineAnnealingLR(optim.SGD(fresh(PARAMS2), lr=0.1), 10**400), ValueError,
     "T_max must be an integer of at most"),
    (lambda: init.xavier_normal((3, 4), gain=-1.0), ValueError, "gain [(]or a[)] gives the standard deviation"),
    (lambda: init.xavier_uniform((3, 4), gain=float("inf")), ValueError, "must be non-negative and finite"),
    (lambda: explorer_paths("quadratic", (0.5, 0.5), True, 0.9, 5), TypeError, "lr must be a number, got True"),
    (lambda: explorer_paths("quadratic", (0.5, 0.5), 0.1, None, 5), TypeError, "beta must be a number"),
    (lambda: kernel_maps(None, VERTICAL, 1, 1, "relu", "max"), TypeError, "pixels must be a number or an array"),
    (lambda: kernel_maps(DIGITS_X[3], np.ones(4), 1, 1, "relu", "max"), ValueError, r"kernel must hold 9 numbers"),
    (lambda: feature_map_readout(DIGITS_X[3], np.full(10, 0.1), None, 0), TypeError, "down must be an integer"),
    (lambda: OptimiserExplorer(start=None), TypeError, "start must be a number or an array of numbers, got None"),
    (lambda: OptimiserExplorer(beta=float("nan")), ValueError, "The 'beta' setting of OptimiserExplorer must be"),
    (lambda: OptimiserExplorer(steps=3.0), TypeError, "steps must be an integer"),
    (lambda: surfaces.rosenbrock_loss(None), TypeError, "w must be a number or an array of numbers, got None"),
    (lambda: surfaces.saddle_gradient(np.array([1.0 + 2j, 3j])), TypeError, "w must hold real numbers"),
    (lambda: surfaces.descent_path("saddle", None, (0.5, 0.5), 3), TypeError, "make_optimizer must be a function"),
    (lambda: surfaces.descent_path("saddle", lambda p: optim.SGD(p, lr=0.1), (0.5, 0.5), 10**400), ValueError,
     "steps must be an integer of at most 100,000"),
    (lambda: surfaces.descent_path("saddle", lambda p: optim.SGD(p, lr=0.1), [10**400, 1], 3), ValueError,
     "start holds an integer too large for a float"),
])
def test_each_finding_of_chapters_8_to_10_is_refused_with_a_named_error(call: Callable[[], Any], error: type,
                                                                        message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_network_with_buffers_still_takes_weight_decay() -> None:
    """``add_weight_decay`` checks ``grads`` against ``params``, which may hold buffers without gradients."""
    network = fresh(NETWORK)
    grads = {name: np.ones_like(p) for name, p in dn.regularised_mlp.trainable(network).items()}
    decayed = dn.add_weight_decay(network, grads, 0.5)
    np.testing.assert_array_equal(decayed["W1"], 1 + 0.5 * network["W1"])
    np.testing.assert_array_equal(decayed["b1"], grads["b1"])


def test_numpy_integers_and_huge_slopes_give_the_python_numbers_answer() -> None:
    assert intervals.wilson_interval(np.uint8(150), np.uint8(200)) == intervals.wilson_interval(150, 200)
    schedule = lr_scheduler.CosineAnnealingLR(optim.SGD(fresh(PARAMS2), lr=0.1), T_max=np.uint8(3))
    schedule.step()
    assert schedule.get_last_lr() == pytest.approx([0.1 * (1 + np.cos(np.pi / 3)) / 2])
    assert init.calculate_gain("leaky_relu", 1e300) == pytest.approx(np.sqrt(2) / 1e300)  # torch: OverflowError


def test_a_regularised_training_with_a_huge_rate_does_not_warn() -> None:
    """Overflow is silent, as in ``train_classifier``; what it makes is either finite or a named error."""
    try:
        _, losses = dn.train_regularised(X2, Y2, n_hidden=3, lr=1e300, weight_decay=1e300, batch_size=2, epochs=2)
    except ValueError as error:
        assert "the training diverged" in str(error)
    else:
        assert np.isfinite(losses).all()


def test_conv2d_backward_keeps_infinities_where_torch_does() -> None:
    """The columns the NumPy side computes and throws away must not turn 0 * inf into NaN in the gradients."""
    weight, images = KERNELS.copy(), IMAGES.copy()
    weight[0, 0, 1, 1], images[0, 0, 2, 4] = np.inf, -np.inf
    grad_output = np.ones((2, 2, 3, 3))
    for args in ((grad_output, IMAGES, weight), (grad_output, images, KERNELS)):
        assert_same(dn.conv2d_backward(*args, stride=2, padding=1), dt.conv2d_backward(*args, stride=2, padding=1))


def test_nan_never_passes_a_gradient_check() -> None:
    with pytest.raises(ValueError, match="a contains NaN"):
        gradcheck.relative_error([NAN], [1.0])
    with pytest.raises(ValueError, match="f returned nan"):
        gradcheck.gradcheck(lambda v: NAN, [1.0], [5.0])
    result = check_linear_backward(lambda X, W, b, G: (X * np.nan, W * np.nan, b * np.nan))
    assert not result.passed and "contains NaN where finite values are expected" in result.message


def test_huge_numbers_and_broken_objects_are_graded() -> None:
    huge = check_count_parameters(lambda sizes, bias=True: sizes[0] ** 1000)
    assert not huge.passed and "wrong result" in huge.message
    for checker in CHECKERS:
        result = checker(returning(Explodes()))
        assert not result.passed and "cannot be shown" in result.message


def test_a_float32_answer_to_a_float64_case_names_both_dtypes() -> None:
    result = check_sigmoid(lambda z: dn.sigmoid(z).astype(np.float32))
    assert not result.passed and "expected dtype float64, got float32" in result.message


def test_the_backends_read_python_numbers_lists_and_awkward_arrays_alike() -> None:
    assert dt.sigmoid(-100).dtype == torch.float64
    assert float(dt.sigmoid(-100)) == pytest.approx(float(dn.sigmoid(-100)), rel=1e-15)  # float32's would be 0
    assert f"{float(dt.sigmoid(-100)):.1e}" == "3.7e-44"
    reversed_targets, reversed_weights = TARGETS[::-1], CLASS_WEIGHTS[::-1]
    assert_same(dn.cross_entropy(LOGITS, reversed_targets, reversed_weights),
                dt.cross_entropy(LOGITS, reversed_targets, reversed_weights))
    mixed = (np.ones(3, dtype=np.float32), np.arange(3.0), 0.5)
    assert dt.weighted_sum(*mixed).dtype == torch.float64 and dn.weighted_sum(*mixed).dtype == np.float64
    integers = ({"w": np.array([1, 2])}, {"w": np.array([1, 1])}, 1)
    assert_same(dn.sgd_step(*integers), dt.sgd_step(*integers))
    reversed_params = {name: np.ascontiguousarray(p[::-1])[::-1] for name, p in PARAMS2.items()}
    assert_same(dt.MLP.from_params(reversed_params).to_params(), reversed_params)
    float32_X = X2.astype(np.float32)
    assert_same(dn.train_mlp(float32_X, Y2, params=PARAMS2, batch_size=2, epochs=1),
                dt.train_mlp(float32_X, Y2, params=PARAMS2, batch_size=2, epochs=1))
    assert_same(dn.train_mlp(X2[::-1], Y2[::-1], params=reversed_params, batch_size=2, epochs=1),
                dt.train_mlp(X2[::-1], Y2[::-1], params=reversed_params, batch_size=2, epochs=1))
