"""The loss surfaces of the optimiser explorer, and the paths optimisers take on them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.numpy.optim import SGD, Adam
from dlbook.numpy.surfaces import DIVERGED, EXTENT, SURFACES, descent_path, get_surface


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-2, 2), y=st.floats(-1.5, 2.5), name=st.sampled_from(list(SURFACES)))
def test_gradients_are_the_losses_slopes(x: float, y: float, name: str) -> None:
    surface, h = get_surface(name), 1e-6
    numeric = [(surface.loss([x + h, y]) - surface.loss([x - h, y])) / (2 * h),
               (surface.loss([x, y + h]) - surface.loss([x, y - h])) / (2 * h)]
    np.testing.assert_allclose(surface.gradient([x, y]), numeric, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", list(SURFACES))
def test_marked_points_are_flat_and_minima_are_lowest(name: str) -> None:
    surface = get_surface(name)
    for point in surface.minima + surface.saddles:
        np.testing.assert_array_equal(surface.gradient(point), [0.0, 0.0])
        xmin, xmax, ymin, ymax = EXTENT
        assert xmin < point[0] < xmax and ymin < point[1] < ymax  # the explorer shows it
    grid = np.stack(np.meshgrid(np.linspace(*EXTENT[:2], 81), np.linspace(*EXTENT[2:], 81)), axis=-1)
    lowest = min(float(surface.loss(point)) for point in surface.minima)
    assert surface.loss(grid).min() >= lowest
    assert list(surface.levels) == sorted(surface.levels)


def test_the_surfaces_in_numbers() -> None:
    assert get_surface("quadratic").loss([1.0, 1.0]) == 5.5  # (1 + 10) / 2
    assert get_surface("rosenbrock").loss([-1.0, 1.0]) == 4.0 and get_surface("rosenbrock").loss([1.0, 1.0]) == 0
    assert get_surface("saddle").loss([0.0, 1.0]) == -0.25 and get_surface("saddle").loss([0.0, 0.0]) == 0
    np.testing.assert_array_equal(get_surface("saddle").loss(np.zeros((3, 4, 2))), np.zeros((3, 4)))  # any batch


def test_a_path_is_the_optimisers_steps() -> None:
    points, diverged_at = descent_path("quadratic", lambda p: SGD(p, lr=0.05), (1.0, -1.0), 20)
    assert diverged_at is None and points.shape == (21, 2)
    np.testing.assert_allclose(points, np.array([1.0, -1.0]) * (1 - 0.05 * np.array([1, 10])) ** np.arange(21)[:, None])
    points, _ = descent_path("rosenbrock", lambda p: Adam(p, lr=0.01), (-1.0, 1.0), 3)
    params = {"w": np.array([-1.0, 1.0])}
    adam = Adam(params, lr=0.01)
    for k in range(3):
        adam.step({"w": get_surface("rosenbrock").gradient(params["w"])})
        np.testing.assert_array_equal(points[k + 1], params["w"])


def test_a_diverging_path_stops_where_it_leaves_the_bound() -> None:
    points, diverged_at = descent_path("quadratic", lambda p: SGD(p, lr=0.3), (0.0, 1.0), 100)
    # the y factor is 1 - 0.3 * 10 = -2: |y| = 2^t leaves [-1000, 1000] at t = 10
    assert diverged_at == 10 and len(points) == 10 and np.abs(points).max() <= DIVERGED
    points, diverged_at = descent_path("rosenbrock", lambda p: SGD(p, lr=1.0), (-1.5, 1.0), 100)
    assert diverged_at is not None and np.isfinite(points).all()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown surface 'bowl'"):
        descent_path("bowl", lambda p: SGD(p), (0, 0), 1)
    with pytest.raises(ValueError, match=r"start must be a point \(x, y\)"):
        descent_path("saddle", lambda p: SGD(p), (0, 0, 0), 1)
    with pytest.raises(ValueError, match="steps must be an integer of at least 0"):
        descent_path("saddle", lambda p: SGD(p), (0, 0), -1)
