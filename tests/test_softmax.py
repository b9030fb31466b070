"""Softmax and log-softmax: both backends against ``torch.nn.functional``, stability, axes, errors
and the softmax explorer.

The references are computed here by ``torch.nn.functional.softmax`` / ``log_softmax``
in float64 (or float32 for the dtype tests), never copied from a run of ``dlbook``.
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dlbook.numpy as dn
import dlbook.torch as dt
from dlbook.widgets.softmax import softmax_readout

BACKENDS = [pytest.param(dn, id="numpy"), pytest.param(dt, id="torch")]
FUNCTIONS = ["softmax", "log_softmax"]

# Logits from 0-D to 3-D (empty axes included) with extremes, infinities and NaN.
logits = st.sampled_from([np.float64, np.float32]).flatmap(
    lambda dtype: hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        elements=st.one_of(
            st.floats(-50, 50, width=32),
            st.sampled_from([-1e4, 1e4, -1e30, 1e30, -np.inf, np.inf, np.nan]),
        ),
    )
)


def as_numpy(value: object) -> np.ndarray:
    """A backend's result as a NumPy array (tensors are converted)."""
    return value.numpy() if isinstance(value, torch.Tensor) else value


def reference(name: str, z: np.ndarray, axis: int) -> np.ndarray:
    """``torch.nn.functional.<name>(z, dim=axis)`` as a NumPy array of z's dtype."""
    return getattr(F, name)(torch.from_numpy(z), dim=axis).numpy()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=150, deadline=None)
@given(z=logits, data=st.data())
def test_matches_torch_on_any_shape_and_axis(backend: ModuleType, name: str, z: np.ndarray, data) -> None:
    size = max(z.ndim, 1)
    axis = data.draw(st.integers(-size, size - 1), label="axis")
    expected = reference(name, z, axis)
    actual = as_numpy(getattr(backend, name)(z, axis=axis))
    assert actual.dtype == z.dtype  # float32 stays float32
    assert actual.shape == z.shape
    tol = 1e-6 if z.dtype == np.float64 else 1e-5
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None)
@given(z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1), elements=st.floats(-1e4, 1e4)))
def test_softmax_is_a_distribution_and_log_softmax_its_log(backend: ModuleType, z: np.ndarray) -> None:
    p = as_numpy(backend.softmax(z, axis=-1))
    log_p = as_numpy(backend.log_softmax(z, axis=-1))
    assert np.all(p >= 0) and np.all(np.isfinite(log_p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_p), p, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adding_a_constant_changes_nothing(backend: ModuleType) -> None:
    z = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 2.0]])
    np.testing.assert_allclose(as_numpy(backend.softmax(z + 1000.0)), as_numpy(backend.softmax(z)), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_extreme_logits_are_exact_and_silent(backend: ModuleType) -> None:
    z = np.array([1e4, 0.0, -1e4])  # naive exp(1e4) overflows to inf and inf / inf is NaN
    np.testing.assert_array_equal(as_numpy(backend.softmax(z)), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(as_numpy(backend.log_softmax(z)), [0.0, -1e4, -2e4])


@pytest.mark.parametrize("backend", BACKENDS)
def test_equal_huge_logits_share_the_probability(backend: ModuleType) -> None:
    p = as_numpy(backend.softmax(np.full(4, 1e4, dtype=np.float32)))
    np.testing.assert_array_equal(p, np.full(4, 0.25, dtype=np.float32))


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_spreads_over_its_row_only(backend: ModuleType) -> None:
    z = np.array([[np.nan, 0.0, 1.0], [0.0, 0.0, 0.0]])
    p = as_numpy(backend.softmax(z))
    assert np.isnan(p[0]).all()
    np.testing.assert_allclose(p[1], 1 / 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_scalar_and_empty_inputs_behave_like_torch(backend: ModuleType) -> None:
    assert isinstance(as_numpy(backend.softmax(2.5)), np.ndarray) and as_numpy(backend.softmax(2.5)).shape == ()
    assert float(as_numpy(backend.softmax(2.5))) == F.softmax(torch.tensor(2.5), dim=0).item()
    assert float(as_numpy(backend.log_softmax(2.5))) == F.log_softmax(torch.tensor(2.5), dim=0).item()
    assert as_numpy(backend.softmax(np.empty((3, 0)))).shape == (3, 0)
    assert as_numpy(backend.log_softmax(np.empty((0, 4)), axis=0)).shape == (0, 4)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_dim_is_an_alias_of_axis(backend: ModuleType, name: str) -> None:
    z = np.arange(6.0).reshape(2, 3)
    fn = getattr(backend, name)
    np.testing.assert_allclose(as_numpy(fn(z, dim=0)), reference(name, z, 0), rtol=1e-12)
    np.testing.assert_allclose(as_numpy(fn(z, 0)), reference(name, z, 0), rtol=1e-12)
    np.testing.assert_allclose(as_numpy(fn(z)), reference(name, z, -1), rtol=1e-12)
    with pytest.raises(ValueError, match="axis or dim"):
        fn(z, axis=0, dim=1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize(("shape", "axis"), [((2, 3), 2), ((2, 3), -3), ((), 1), ((4,), -2)])
def test_axis_out_of_range_is_a_value_error(backend: ModuleType, name: str, shape: tuple, axis: int) -> None:
    with pytest.raises(ValueError, match=rf"axis {axis} is out of range for z of shape {re_shape(shape)}"):
        getattr(backend, name)(np.zeros(shape), axis=axis)


def re_shape(shape: tuple) -> str:
    """A shape as a regular expression that matches its printed form."""
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_integers_become_float64_in_both_backends() -> None:
    assert dn.softmax([1, 2, 3]).dtype == np.float64
    assert dt.softmax([1, 2, 3]).dtype == torch.float64
    np.testing.assert_allclose(dt.softmax([1, 2, 3]).numpy(), dn.softmax([1, 2, 3]), rtol=1e-15)


# ---------------------------------------------------------------- the explorer, driven headless

@pytest.mark.parametrize("temperature", [0.1, 1.0, 4.0])
def test_softmax_readout_is_softmax_of_scaled_logits(temperature: float) -> None:
    z = np.array([1.5, -0.5, 3.0])
    probabilities, loss = softmax_readout(z, temperature, 1)
    expected = F.softmax(torch.tensor(z) / temperature, dim=0).numpy()
    np.testing.assert_allclose(probabilities, expected, rtol=1e-12)
    assert loss == pytest.approx(-math.log(expected[1]), rel=1e-12)


def test_temperature_flattens_or_sharpens() -> None:
    z = [2.0, 1.0, 0.1]
    cold, _ = softmax_readout(z, 0.1, 0)
    hot, _ = softmax_readout(z, 10.0, 0)
    assert cold[0] > 0.999
    np.testing.assert_allclose(hot, 1 / 3, atol=0.04)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan")])
def test_temperature_must_be_positive(temperature: float) -> None:
    with pytest.raises(ValueError, match="temperature must be positive"):
        softmax_readout([1.0, 2.0, 3.0], temperature, 0)
