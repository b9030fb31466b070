"""Toy data sets generated in code: nothing is ever downloaded.

Every generator takes ``n`` (the number of points), ``noise`` (standard
deviation of Gaussian jitter) and ``seed``, and returns ``(X, y)``: ``X`` of
shape ``(n, 2)`` and dtype float64, ``y`` of shape ``(n,)`` and dtype int64.
The same seed always gives the same data.
"""

from __future__ import annotations

import numpy as np


def _check_size(n: int, classes: int) -> None:
    if n < classes:
        raise ValueError(f"n must be at least {classes} (one point per class), got {n}")


def _check_noise(noise: float) -> None:
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    _check_noise(noise)
    return X + noise * rng.standard_normal(X.shape)


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners of the square :math:`[-1, 1]^2`.

    The label is 1 where exactly one coordinate is positive (XOR of the signs):
    no single straight line separates the classes.
    """
    _check_size(n, 2)
    rng = np.random.default_rng(seed)
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
    _check_size(n, centers)
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(centers) / centers + np.pi / 4
    means = spread / 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.arange(n) % centers
    return _jitter(means[y], noise, rng), y.astype(np.int64)


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the classic "two moons"), ``n // 2`` points in each."""
    _check_size(n, 2)
    rng = np.random.default_rng(seed)
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
    _check_size(n, classes)
    _check_noise(noise)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = np.linspace(0.0, 1.0, n)
    theta = 2 * np.pi * (turns * r + y / classes) + noise * rng.standard_normal(n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return X, y.astype(np.int64)
