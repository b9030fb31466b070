"""Toy data sets generated in code: nothing is ever downloaded.

Every generator takes ``n`` (the number of points), ``noise`` (standard
deviation of Gaussian jitter) and ``seed``, and returns ``(X, y)``: ``X`` of
shape ``(n, 2)`` and dtype float64, ``y`` of shape ``(n,)`` and dtype int64.
The same seed always gives the same data. Arguments are checked before
anything is generated: counts must be integers, ``noise`` and the shapes'
numbers finite, ``seed`` a non-negative integer.
"""

from __future__ import annotations

import numpy as np

from dlbook._validate import MAX_ENTRIES, check_count, check_entries, check_real, check_seed


def _start(n: int, classes: int, noise: float, seed: int, classes_name: str = "classes") -> np.random.Generator:
    """Check the arguments every generator shares; return the seeded generator.

    ``n`` points of ``classes`` classes (at least one point per class),
    ``noise`` a finite standard deviation of at least 0.
    """
    classes = check_count(classes_name, classes, 1, MAX_ENTRIES)
    n = check_count("n", n, 1, MAX_ENTRIES)
    if n < classes:
        raise ValueError(f"n must be at least {classes} (one point per class), got {n}")
    check_entries(f"{n:,} points", 2 * n, "check n")
    check_real("noise", noise, low=0.0)
    return np.random.default_rng(check_seed(seed))


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return X + noise * rng.standard_normal(X.shape)


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners of the square :math:`[-1, 1]^2`.

    The label is 1 where exactly one coordinate is positive (XOR of the signs):
    no single straight line separates the classes.
    """
    rng = _start(n, 2, noise, seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    idx = np.arange(n) % 4
    return _jitter(corners[idx], noise, rng), labels[idx].astype(np.int64)


def make_blobs(
    n: int = 200, centers: int = 2, spread: float = 3.0, noise: float = 0.6, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs, one per class, their centres evenly spaced on a circle of radius ``spread``.

    With two classes and a small ``noise`` the blobs are linearly separable.
    """
    rng = _start(n, centers, noise, seed, "centers")
    spread = check_real("spread", spread, low=0.0)
    angles = 2 * np.pi * np.arange(centers) / centers + np.pi / 4
    means = spread / 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.arange(n) % centers
    return _jitter(means[y], noise, rng), y.astype(np.int64)


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic "two moons"), ``n // 2`` points in each."""
    rng = _start(n, 2, noise, seed)
    y = (np.arange(n) % 2).astype(np.int64)
    t = np.pi * rng.random(n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower)
    return _jitter(X, noise, rng), y


def make_spirals(
    n: int = 300, classes: int = 3, turns: float = 1.0, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (as in CS231n), radius growing from 0 to 1."""
    rng = _start(n, classes, noise, seed)
    turns = check_real("turns", turns)
    y = np.arange(n) % classes
    r = np.linspace(0.0, 1.0, n)
    theta = 2 * np.pi * (turns * r + y / classes) + noise * rng.standard_normal(n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return X, y.astype(np.int64)
