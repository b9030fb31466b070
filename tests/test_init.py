"""``dlbook.numpy.init`` against ``torch.nn.init``: the same gains, fans, scales and errors.

Torch's initialisers draw with torch's generator, so their samples cannot be
compared with NumPy's; what they draw *from* can. The tests record the bounds
and standard deviations torch passes to ``Tensor.uniform_`` and
``Tensor.normal_`` for a weight of shape ``(out, in)`` and check that
``dlbook`` draws, for the same layer stored as ``(in, out)``, from exactly
those: with a fixed seed, the very numbers ``np.random.default_rng(seed)``
gives for them.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.numpy import init
from dlbook.numpy.mlp import init_mlp

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gains_are_torchs(nonlinearity: str) -> None:
    expected = torch.nn.init.calculate_gain(nonlinearity)
    gain = init.calculate_gain(nonlinearity)
    assert gain == expected and type(gain) is type(expected)


@pytest.mark.parametrize("param", [None, 0, 0.2, 0.01, -0.3, 3, 1e-6, np.float64(0.2), 1.0])
def test_leaky_relu_gain_follows_its_slope(param: Any) -> None:
    assert init.calculate_gain("leaky_relu", param) == torch.nn.init.calculate_gain("leaky_relu", param)
    assert init.calculate_gain("relu", param) == torch.nn.init.calculate_gain("relu", param)  # param ignored


@pytest.mark.parametrize(("nonlinearity", "param"), [("leaky_relu", True), ("leaky_relu", "0.2"),
                                                     ("leaky_relu", np.float32(0.2)), ("softplus", None),
                                                     ("ReLU", None), ("", None)])
def test_gain_errors_are_torchs(nonlinearity: str, param: Any) -> None:
    with pytest.raises(ValueError) as expected:
        torch.nn.init.calculate_gain(nonlinearity, param)
    with pytest.raises(ValueError) as raised:
        init.calculate_gain(nonlinearity, param)
    assert str(raised.value) == str(expected.value)


def test_the_gains_in_numbers() -> None:
    assert init.calculate_gain("tanh") == 5 / 3 and init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu", 1.0) == 1.0  # slope 1: the identity


@settings(max_examples=40, deadline=None)
@given(fan_in=st.integers(1, 500), fan_out=st.integers(1, 500))
def test_fans_are_torchs_for_the_transposed_layout(fan_in: int, fan_out: int) -> None:
    from torch.nn.init import _calculate_fan_in_and_fan_out  # noqa: PLC0415

    assert init.fan_in_and_fan_out((fan_in, fan_out)) == (fan_in, fan_out)
    assert _calculate_fan_in_and_fan_out(torch.empty(fan_out, fan_in)) == (fan_in, fan_out)


def recorded(monkeypatch: pytest.MonkeyPatch, method: str, call: Callable[[torch.Tensor], Any],
             shape: tuple[int, ...]) -> tuple[float, float]:
    """The two numbers torch's initialiser passes to ``Tensor.<method>`` for a weight of ``shape`` (out, in)."""
    seen: list[tuple[float, float]] = []

    def record(self: torch.Tensor, a: float, b: float, generator: Any = None) -> torch.Tensor:
        seen.append((a, b))
        return self

    monkeypatch.setattr(torch.Tensor, method, record)
    call(torch.empty(shape))
    monkeypatch.undo()
    assert len(seen) == 1
    return seen[0]


layers = st.tuples(st.integers(1, 300), st.integers(1, 300))
gains = st.sampled_from([1.0, 5 / 3, math.sqrt(2)]) | st.floats(0.01, 4.0)


@settings(max_examples=40, deadline=None)
@given(layer=layers, gain=gains, seed=st.integers(0, 2**32 - 1))
def test_xavier_draws_from_torchs_distributions(layer: tuple[int, int], gain: float, seed: int) -> None:
    fan_in, fan_out = layer
    with pytest.MonkeyPatch.context() as patch:
        low, high = recorded(patch, "uniform_", lambda t: torch.nn.init.xavier_uniform_(t, gain), (fan_out, fan_in))
        mean, std = recorded(patch, "normal_", lambda t: torch.nn.init.xavier_normal_(t, gain), (fan_out, fan_in))
    assert low == -high and mean == 0
    assert init.xavier_std(layer, gain) == std
    np.testing.assert_array_equal(init.xavier_uniform(layer, gain, rng=seed),
                                  np.random.default_rng(seed).uniform(low, high, layer))
    np.testing.assert_array_equal(init.xavier_normal(layer, gain, rng=seed),
                                  np.random.default_rng(seed).normal(0.0, std, layer))


@settings(max_examples=60, deadline=None)
@given(layer=layers, a=st.sampled_from([0, 0.01, 0.2, -0.5, 1, 3]), mode=st.sampled_from(["fan_in", "fan_out", "FAN_OUT"]),
       nonlinearity=st.sampled_from(NONLINEARITIES), seed=st.integers(0, 2**32 - 1))
def test_kaiming_draws_from_torchs_distributions(layer: tuple[int, int], a: float, mode: str, nonlinearity: str,
                                                seed: int) -> None:
    fan_in, fan_out = layer
    options = {"a": a, "mode": mode, "nonlinearity": nonlinearity}
    with pytest.MonkeyPatch.context() as patch:
        low, high = recorded(patch, "uniform_", lambda t: torch.nn.init.kaiming_uniform_(t, **options),
                             (fan_out, fan_in))
        mean, std = recorded(patch, "normal_", lambda t: torch.nn.init.kaiming_normal_(t, **options),
                             (fan_out, fan_in))
    assert low == -high and mean == 0
    assert init.kaiming_std(layer, **options) == std
    np.testing.assert_array_equal(init.kaiming_uniform(layer, **options, rng=seed),
                                  np.random.default_rng(seed).uniform(low, high, layer))
    np.testing.assert_array_equal(init.kaiming_normal(layer, **options, rng=seed),
                                  np.random.default_rng(seed).normal(0.0, std, layer))


def test_samples_have_the_stated_spread() -> None:
    """Large layers: the drawn weights' standard deviation is the formula's (He for ReLU: sqrt(2 / fan_in))."""
    shape = (400, 300)
    for draw, std in [(init.kaiming_normal(shape, nonlinearity="relu", rng=0), math.sqrt(2 / 400)),
                      (init.kaiming_uniform(shape, nonlinearity="relu", rng=1), math.sqrt(2 / 400)),
                      (init.kaiming_normal(shape, mode="fan_out", nonlinearity="relu", rng=2), math.sqrt(2 / 300)),
                      (init.xavier_uniform(shape, rng=3), math.sqrt(2 / 700)),
                      (init.xavier_normal(shape, gain=5 / 3, rng=4), 5 / 3 * math.sqrt(2 / 700))]:
        assert draw.shape == shape and abs(draw.std() / std - 1) < 0.01
    bound = math.sqrt(6 / 400)
    uniform = init.kaiming_uniform(shape, nonlinearity="relu", rng=5)
    assert uniform.max() < bound and uniform.min() >= -bound and uniform.max() > 0.99 * bound


def test_the_books_networks_start_with_xavier_uniform() -> None:
    """``init_mlp``'s Glorot weights are xavier_uniform's distribution: U(-a, a), a = sqrt(6 / (in + out))."""
    W1 = init_mlp(64, 32, 10, seed=0)["W1"]
    bound = math.sqrt(3) * init.xavier_std((64, 32))
    assert bound == pytest.approx(math.sqrt(6 / 96), rel=1e-15) and np.abs(W1).max() <= bound


def test_seeds_generators_and_dtypes() -> None:
    assert np.array_equal(init.xavier_normal((3, 4), rng=7), init.xavier_normal((3, 4), rng=7))
    rng = np.random.default_rng(7)
    first, second = init.xavier_normal((3, 4), rng=rng), init.xavier_normal((3, 4), rng=rng)
    assert not np.array_equal(first, second)  # a generator goes on
    assert init.kaiming_uniform((5, 2), dtype=np.float32, rng=0).dtype == np.float32
    with pytest.raises(ValueError, match="dtype must be a floating-point type"):
        init.xavier_uniform((2, 2), dtype=int)


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 7), min_size=2, max_size=5), seed=st.integers(0, 2**32 - 1))
def test_fans_of_convolution_weights_are_torchs_with_the_first_two_axes_swapped(shape: list[int], seed: int) -> None:
    from torch.nn.init import _calculate_fan_in_and_fan_out  # noqa: PLC0415

    weight = torch.empty(shape[1], shape[0], *shape[2:])  # torch's layout (out, in, *kernel)
    assert init.fan_in_and_fan_out(tuple(shape)) == _calculate_fan_in_and_fan_out(weight)
    with pytest.MonkeyPatch.context() as patch:
        low, high = recorded(patch, "uniform_", lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_out"),
                             tuple(weight.shape))
    np.testing.assert_array_equal(init.kaiming_uniform(tuple(shape), mode="fan_out", rng=seed),
                                  np.random.default_rng(seed).uniform(low, high, shape))


@pytest.mark.parametrize("shape", [(), (3,), [4]])
def test_fewer_than_two_axes_are_refused_as_torch(shape: Any) -> None:
    with pytest.raises(ValueError) as expected:
        torch.nn.init.xavier_uniform_(torch.empty(shape))
    for initialiser in (init.xavier_uniform, init.xavier_normal, init.kaiming_uniform, init.kaiming_normal):
        with pytest.raises(ValueError) as raised:
            initialiser(shape)
        assert str(raised.value).startswith(str(expected.value))


@pytest.mark.parametrize("shape", [(0, 5), (5, -1), (2.0, 3), (2, 3, 0), "3x4", 3])
def test_shapes_must_be_positive_sizes(shape: Any) -> None:
    with pytest.raises(ValueError, match=r"shape must be|shape\[\d\] must be a positive integer"):
        init.xavier_uniform(shape)


def test_an_unknown_mode_is_refused_as_torch() -> None:
    with pytest.raises(ValueError) as expected:
        torch.nn.init.kaiming_normal_(torch.empty(3, 2), mode="fan_avg")
    with pytest.raises(ValueError) as raised:
        init.kaiming_normal((2, 3), mode="fan_avg")
    assert str(raised.value) == str(expected.value)
