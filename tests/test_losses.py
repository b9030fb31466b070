"""Loss functions: both backends against ``torch.nn.functional``, stability, reductions and errors.

Every reference is computed here by ``torch.nn.functional`` on float64 tensors (or by a
formula written out in the test), never copied from a run of ``dlbook``.
"""

from __future__ import annotations

import math
import re
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dlbook.numpy as dn
import dlbook.torch as dt

BACKENDS = [pytest.param(dn, id="numpy"), pytest.param(dt, id="torch")]
REDUCTIONS = ["mean", "sum", "none"]
TOL = 1e-6


def as_numpy(value: Any) -> np.ndarray:
    """A backend's result as a NumPy array."""
    return value.numpy() if isinstance(value, torch.Tensor) else value


def tensor(a: Any) -> Any:
    """``a`` as a tensor for ``torch.nn.functional`` (``None`` and Python numbers pass)."""
    return torch.from_numpy(np.asarray(a)) if isinstance(a, np.ndarray) else a


def reference(name: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """``torch.nn.functional.<name>`` on tensors made from the arguments, as a NumPy array."""
    out = getattr(F, name)(*map(tensor, args), **{k: tensor(v) for k, v in kwargs.items()})
    return out.numpy()


def assert_agrees(backend: ModuleType, name: str, *args: Any, **kwargs: Any) -> None:
    """``backend.<name>`` equals ``F.<name>`` in shape, dtype and value (to 1e-6, NaN where NaN)."""
    expected = reference(name, *args, **kwargs)
    actual = as_numpy(getattr(backend, name)(*args, **kwargs))
    assert isinstance(actual, np.ndarray)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL, equal_nan=True)


# ---------------------------------------------------------------- hypothesis strategies

logit = st.one_of(st.floats(-30, 30), st.sampled_from([-1e4, 1e4, 0.0]))


@st.composite
def class_problems(draw: st.DrawFn) -> tuple[np.ndarray, tuple[int, ...]]:
    """Logits of shape ``(C,)``, ``(N, C)`` or ``(N, C, d1[, d2])``, and the shape of one target per example."""
    classes = draw(st.integers(1, 5))
    batch = draw(st.sampled_from([(), (draw(st.integers(1, 4)),)]))
    extra = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)) if batch else ()
    shape = batch + (classes,) + extra
    z = draw(hnp.arrays(np.float64, shape, elements=logit))
    return z, batch + extra


@st.composite
def index_targets(draw: st.DrawFn) -> dict[str, Any]:
    """Logits, class-index targets (some ignored), optional class weights and the keyword options."""
    z, target_shape = draw(class_problems())
    classes = z.shape[0 if z.ndim == 1 else 1]
    ignore_index = draw(st.sampled_from([-100, -1, 0]))
    choices = st.sampled_from(sorted(set(range(classes)) | {ignore_index}))
    target = draw(hnp.arrays(np.int64, target_shape, elements=choices))
    weight = draw(st.none() | hnp.arrays(np.float64, (classes,), elements=st.floats(0.1, 3)))
    return dict(input=z, target=target, weight=weight, ignore_index=ignore_index,
                reduction=draw(st.sampled_from(REDUCTIONS)), label_smoothing=draw(st.sampled_from([0.0, 0.1, 1.0])))


@st.composite
def probability_targets(draw: st.DrawFn) -> dict[str, Any]:
    """Logits and probability targets of the same shape (one-hot or soft), with the keyword options."""
    z, _ = draw(class_problems())
    axis = 0 if z.ndim == 1 else 1
    raw = draw(hnp.arrays(np.float64, z.shape, elements=st.floats(0, 1)))
    raw = np.where(raw.sum(axis=axis, keepdims=True) > 0, raw, 1.0)
    if draw(st.booleans()):  # one-hot: the largest entry of each row
        raw = (raw == raw.max(axis=axis, keepdims=True)) * 1.0
    target = raw / raw.sum(axis=axis, keepdims=True)
    weight = draw(st.none() | hnp.arrays(np.float64, (z.shape[axis],), elements=st.floats(0.1, 3)))
    return dict(input=z, target=target, weight=weight,
                reduction=draw(st.sampled_from(REDUCTIONS)), label_smoothing=draw(st.sampled_from([0.0, 0.25])))


@st.composite
def binary_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Logits, probability targets in [0, 1] of the same shape, and an optional broadcasting weight."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    z = draw(hnp.arrays(np.float64, shape, elements=logit))
    target = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
    weight = draw(st.none() | hnp.arrays(np.float64, shape[len(shape) - 1:], elements=st.floats(0, 3)))
    return z, target, weight


# ---------------------------------------------------------------- agreement with torch.nn.functional

@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=150, deadline=None)
@given(case=index_targets())
def test_cross_entropy_with_class_indices_matches_torch(backend: ModuleType, case: dict[str, Any]) -> None:
    assert_agrees(backend, "cross_entropy", **case)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(case=probability_targets())
def test_cross_entropy_with_probabilities_matches_torch(backend: ModuleType, case: dict[str, Any]) -> None:
    assert_agrees(backend, "cross_entropy", **case)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(case=index_targets())
def test_nll_loss_matches_torch(backend: ModuleType, case: dict[str, Any]) -> None:
    del case["label_smoothing"]
    case["input"] = F.log_softmax(torch.from_numpy(case["input"]), dim=0 if case["input"].ndim == 1 else 1).numpy()
    assert_agrees(backend, "nll_loss", **case)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(problem=binary_problems(), reduction=st.sampled_from(REDUCTIONS), use_pos_weight=st.booleans())
def test_binary_cross_entropy_with_logits_matches_torch(
    backend: ModuleType, problem: tuple, reduction: str, use_pos_weight: bool
) -> None:
    z, target, weight = problem
    pos_weight = np.linspace(0.5, 2.0, z.shape[-1]) if use_pos_weight and z.ndim else None
    assert_agrees(backend, "binary_cross_entropy_with_logits", z, target, weight,
                  reduction=reduction, pos_weight=pos_weight)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(problem=binary_problems(), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_matches_torch(backend: ModuleType, problem: tuple, reduction: str) -> None:
    z, target, weight = problem
    p = torch.sigmoid(torch.from_numpy(z)).numpy()  # probabilities, 0 and 1 included at |z| = 1e4
    assert_agrees(backend, "binary_cross_entropy", p, target, weight, reduction=reduction)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS))
def test_mse_loss_matches_torch(backend: ModuleType, data: st.DataObject, reduction: str) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    values = hnp.arrays(np.float64, shape, elements=st.floats(-1e6, 1e6))
    assert_agrees(backend, "mse_loss", data.draw(values), data.draw(values), reduction=reduction)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy_with_logits", "mse_loss"])
def test_float32_stays_float32(backend: ModuleType, name: str) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3)).astype(np.float32)
    target = {"cross_entropy": np.array([0, 2, 1, 2]), "binary_cross_entropy_with_logits": (z > 0) * np.float32(1),
              "mse_loss": z[::-1].copy()}[name]
    for reduction in REDUCTIONS:
        expected = reference(name, z, target, reduction=reduction)
        actual = as_numpy(getattr(backend, name)(z, target, reduction=reduction))
        assert expected.dtype == actual.dtype == np.float32
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_one_hot_rows_are_probability_targets(backend: ModuleType) -> None:
    z = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])
    one_hot = [[0, 0, 1], [0, 1, 0]]
    expected = reference("cross_entropy", z, np.array([2, 1]))
    np.testing.assert_allclose(as_numpy(backend.cross_entropy(z, one_hot)), expected, rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint64, np.int16, np.int32])
def test_class_indices_of_any_integer_dtype(backend: ModuleType, dtype: type) -> None:
    z = np.linspace(-3.0, 3.0, 2 * 200).reshape(2, 200)
    target = np.array([0, 156], dtype=dtype)  # 156 is -100 wrapped to uint8: it must not count as ignored
    expected = reference("cross_entropy", z, target.astype(np.int64), reduction="none")
    np.testing.assert_allclose(as_numpy(backend.cross_entropy(z, target, reduction="none")), expected, rtol=1e-12)
    np.testing.assert_allclose(as_numpy(backend.nll_loss(z, target, reduction="none")), -z[[0, 1], [0, 156]])


# ---------------------------------------------------------------- the chapter's worked example

@pytest.mark.parametrize("backend", BACKENDS)
def test_worked_example(backend: ModuleType) -> None:
    y_hat, y = np.array([0.3, 0.4, 0.3]), np.array([0.0, 1.0, 0.0])
    # log_softmax(log y_hat) = log y_hat because y_hat sums to 1: cross-entropy of the probabilities.
    loss = float(as_numpy(backend.cross_entropy(np.log(y_hat), y)))
    assert loss == pytest.approx(-math.log(0.4), rel=1e-12)
    assert round(loss, 3) == 0.916
    assert float(as_numpy(backend.nll_loss(np.log(y_hat), 1))) == pytest.approx(-math.log(0.4), rel=1e-12)


# ---------------------------------------------------------------- stability at extreme inputs

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_exact_finite_losses(backend: ModuleType, dtype: type) -> None:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype)
    # -log softmax(z)_t = logsumexp(z) - z_t, by hand: row 0 has logsumexp 1e4, row 1 has 1e4 + log 2.
    losses = as_numpy(backend.cross_entropy(z, np.array([1, 2]), reduction="none"))
    np.testing.assert_allclose(losses, [2e4, math.log(2)], rtol=1e-6)
    soft = as_numpy(backend.cross_entropy(z, np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]], dtype=dtype),
                                          reduction="none"))
    np.testing.assert_allclose(soft, [2e4, 0.5 * (2e4 + math.log(2)) + 0.5 * math.log(2)], rtol=1e-6)
    # softplus(1e4) = 1e4 and softplus(-1e4) = exp(-1e4), 0 in floating point.
    bce = as_numpy(backend.binary_cross_entropy_with_logits(np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype),
                                                            np.array([0.0, 1.0, 1.0, 0.0], dtype=dtype),
                                                            reduction="none"))
    np.testing.assert_array_equal(bce, np.array([1e4, 1e4, 0.0, 0.0], dtype=dtype))


@pytest.mark.parametrize("backend", BACKENDS)
def test_binary_cross_entropy_clamps_the_log_at_minus_100(backend: ModuleType) -> None:
    losses = as_numpy(backend.binary_cross_entropy(np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0]),
                                                   reduction="none"))
    np.testing.assert_array_equal(losses, [100.0, 100.0, 0.0, 0.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_logits_give_nan_losses_like_torch(backend: ModuleType) -> None:
    z = np.array([[np.nan, 0.0, 1.0], [0.5, 0.0, 1.0]])
    assert_agrees(backend, "cross_entropy", z, np.array([1, 2]), reduction="none")
    assert_agrees(backend, "cross_entropy", z, np.array([1, 2]))
    assert_agrees(backend, "cross_entropy", z, np.array([-100, 2]))  # an ignored NaN row does not count
    assert_agrees(backend, "binary_cross_entropy_with_logits", z, np.ones_like(z), reduction="none")
    assert_agrees(backend, "mse_loss", z, np.zeros_like(z), reduction="none")


@pytest.mark.parametrize("backend", BACKENDS)
def test_mean_over_all_ignored_targets_is_nan_like_torch(backend: ModuleType) -> None:
    z = np.array([[0.5, 0.0, 1.0], [0.0, 2.0, 1.0]])
    assert_agrees(backend, "cross_entropy", z, np.array([-100, -100]))
    assert_agrees(backend, "cross_entropy", z, np.array([-100, -100]), reduction="sum")


@pytest.mark.parametrize("backend", BACKENDS)
def test_weighted_mean_divides_by_the_weights_of_the_targets(backend: ModuleType) -> None:
    z = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    target, weight = np.array([0, 1, 1]), np.array([1.0, 3.0])
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    by_hand = -(1 * log_p[0, 0] + 3 * log_p[1, 1] + 3 * log_p[2, 1]) / (1 + 3 + 3)
    assert float(as_numpy(backend.cross_entropy(z, target, weight))) == pytest.approx(by_hand, rel=1e-12)


# ---------------------------------------------------------------- bad input: a clear ValueError

Z = np.zeros((2, 3))
BAD_INPUTS = [
    ("cross_entropy", (Z, np.array([0, 3])), {}, "class index 3, out of range for 3 classes"),
    ("cross_entropy", (Z, np.array([-1, 0])), {}, "class index -1, out of range"),
    ("cross_entropy", (Z, np.array([0, 1, 2])), {}, r"shape mismatch.*\(2,\).*got \(3,\)"),
    ("cross_entropy", (Z, np.array([[0, 1], [1, 0]])), {}, r"shape mismatch"),
    ("cross_entropy", (Z, np.array([0.0, 1.0])), {}, "integer dtype"),
    ("cross_entropy", (Z, np.array([[0.5, 0.7, -0.2], [0, 1, 0]])), {}, "non-negative; found -0.2"),
    ("cross_entropy", (Z, np.array([[0.5, 0.4, 0.3], [0, 1, 0]])), {}, "sum to 1.*1.2"),
    ("cross_entropy", (Z, np.array([[0.0, 1.0, 1.0], [0, 1, 0]])), {}, "sum to 1.*2"),
    ("cross_entropy", (np.zeros((0, 3)), np.zeros(0, dtype=np.int64)), {}, r"empty \(shape \(0, 3\)\)"),
    ("cross_entropy", (np.zeros((2, 0)), np.zeros(2, dtype=np.int64)), {}, "empty"),
    ("cross_entropy", (np.float64(1.0), np.int64(0)), {}, "class dimension"),
    ("cross_entropy", (Z, np.array([0, 1])), {"reduction": "average"}, "unknown reduction 'average'"),
    ("cross_entropy", (Z, np.array([0, 1])), {"label_smoothing": 1.5}, "label_smoothing must be between 0 and 1"),
    ("cross_entropy", (Z, np.array([0, 1])), {"weight": np.ones(2)}, r"weight must have shape \(3,\)"),
    ("nll_loss", (Z, np.array([0, 5])), {}, "class index 5"),
    ("nll_loss", (Z, np.zeros((2, 3))), {}, "shape mismatch"),
    ("binary_cross_entropy", (np.array([0.5, 1.5]), np.array([1.0, 0.0])), {}, r"input must hold probabilities in \[0, 1\]; found 1.5"),
    ("binary_cross_entropy", (np.array([-0.1, 0.5]), np.array([1.0, 0.0])), {}, "found -0.1"),
    ("binary_cross_entropy", (np.array([0.5, 0.5]), np.array([1.0, 2.0])), {}, "target must hold probabilities"),
    ("binary_cross_entropy", (np.array([0.5, 0.5]), np.array([1.0])), {}, "shape mismatch"),
    ("binary_cross_entropy", (np.empty(0), np.empty(0)), {}, "empty"),
    ("binary_cross_entropy", (np.array([0.5, 0.5]), np.array([1.0, 0.0])), {"weight": np.ones(3)}, "does not broadcast"),
    ("binary_cross_entropy_with_logits", (np.array([0.5, 3.0]), np.array([1.0, -1.0])), {}, "target must hold probabilities"),
    ("binary_cross_entropy_with_logits", (Z, np.zeros(3)), {}, "shape mismatch"),
    ("binary_cross_entropy_with_logits", (Z, Z), {"pos_weight": np.ones(2)}, "pos_weight of shape"),
    ("binary_cross_entropy_with_logits", (Z, Z), {"reduction": "max"}, "unknown reduction"),
    ("mse_loss", (np.zeros((3, 1)), np.zeros(3)), {}, r"shape mismatch: input has shape \(3, 1\) and target has shape \(3,\)"),
    ("mse_loss", (np.empty((0, 2)), np.empty((0, 2))), {}, "empty"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "args", "kwargs", "message"), BAD_INPUTS,
                         ids=[f"{name}-{i}" for i, (name, *_) in enumerate(BAD_INPUTS)])
def test_bad_input_raises_a_value_error_naming_the_problem(
    backend: ModuleType, name: str, args: tuple, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(backend, name)(*args, **kwargs)


def test_both_backends_give_the_same_message() -> None:
    for name, args, kwargs, _ in BAD_INPUTS:
        messages = []
        for backend in (dn, dt):
            with pytest.raises(ValueError) as error:
                getattr(backend, name)(*args, **kwargs)
            messages.append(str(error.value))
        assert messages[0] == messages[1], name


def test_torch_itself_would_not_have_caught_these() -> None:
    """The cases where dlbook is stricter than torch: torch returns a number (or NaN) instead."""
    assert math.isnan(F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)).item())
    assert math.isfinite(F.cross_entropy(torch.zeros(2, 3), torch.tensor([[0.5, 0.4, 0.3], [0, 1, 0]])).item())
    with pytest.warns(UserWarning, match=re.escape("target size")):
        F.mse_loss(torch.zeros(3, 1), torch.zeros(3))
