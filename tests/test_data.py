"""Toy data sets: shapes, dtypes, determinism, and the geometry each one promises."""

import numpy as np
import pytest

from dlbook.data import make_blobs, make_moons, make_spirals, make_xor

GENERATORS = [make_xor, make_blobs, make_moons, make_spirals]


@pytest.mark.parametrize("make", GENERATORS)
def test_shapes_dtypes_and_determinism(make):
    X, y = make(n=120, seed=3)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert y.shape == (120,) and y.dtype == np.int64
    X2, y2 = make(n=120, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(n=120, seed=4)[0])


@pytest.mark.parametrize("make", GENERATORS)
def test_bad_sizes_and_noise_are_rejected(make):
    with pytest.raises(ValueError, match="n must be at least"):
        make(n=1)
    with pytest.raises(ValueError, match="noise must be non-negative"):
        make(noise=-0.1)


def test_xor_labels_are_the_xor_of_the_signs():
    X, y = make_xor(n=400, noise=0.0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_two_blobs_are_separated_by_the_diagonal():
    X, y = make_blobs(n=400, noise=0.3)
    # centres at +-(spread/2)(cos 45, sin 45): class 0 up-right, class 1 down-left
    np.testing.assert_array_equal(y, (X.sum(axis=1) < 0).astype(int))


def test_moons_follow_their_half_circles():
    X, y = make_moons(n=400, noise=0.0)
    upper = X[y == 0]
    lower = X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)


def test_spirals_have_balanced_classes_inside_the_unit_disc():
    X, y = make_spirals(n=300, classes=3)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12
