"""The stratified split: class shares kept in every part, parts disjoint and complete, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.splits import stratified_split

FRACTIONS = st.sampled_from([(0.6, 0.2, 0.2), (0.5, 0.5), (0.7, 0.15, 0.15), (0.25, 0.25, 0.25, 0.25)])


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(10, 40), min_size=1, max_size=6),
    fractions=FRACTIONS,
    seed=st.integers(0, 2**32 - 1),
)
def test_parts_are_disjoint_complete_and_stratified(counts: list[int], fractions: tuple, seed: int) -> None:
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    parts = stratified_split(y, fractions, seed=seed)
    assert len(parts) == len(fractions)
    together = np.concatenate(parts)
    assert np.array_equal(np.sort(together), np.arange(len(y)))  # every index exactly once
    for part, share in zip(parts, fractions):
        assert part.dtype == np.int64
        assert np.array_equal(part, np.sort(part))
        per_class = np.bincount(y[part], minlength=len(counts))
        assert np.all(np.abs(per_class - share * np.array(counts)) <= 1)  # each class's share, give or take one


def test_the_seed_decides_the_split() -> None:
    y = np.repeat(np.arange(3), 20)
    first = stratified_split(y, (0.5, 0.5), seed=1)
    again = stratified_split(y, (0.5, 0.5), seed=1)
    other = stratified_split(y, (0.5, 0.5), seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])


def test_labels_need_not_be_contiguous() -> None:
    y = np.array([7] * 10 + [3] * 10)
    train, test = stratified_split(y, (0.8, 0.2), seed=0)
    assert sorted(y[train].tolist()) == [3] * 8 + [7] * 8
    assert sorted(y[test].tolist()) == [3] * 2 + [7] * 2


@pytest.mark.parametrize(
    ("y", "fractions", "match"),
    [
        (np.zeros((4, 2), dtype=int), (0.5, 0.5), "y must be 1-D"),
        (np.zeros(0, dtype=int), (0.5, 0.5), "y is empty"),
        (np.array([0.0, 1.0, 0.0, 1.0]), (0.5, 0.5), "integer class labels"),
        (np.arange(4), (1.0,), "at least two parts"),
        (np.arange(4), (0.6, 0.6), "sum to 1"),
        (np.arange(4), (1.2, -0.2), "positive"),
        (np.arange(4), (np.nan, 0.5), "positive and sum to 1"),
        (np.arange(4), "ab", "sequence of numbers"),
        (np.array([0, 0, 1, 1]), (0.9, 0.1), "part 1 of the split is empty"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(y: np.ndarray, fractions: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        stratified_split(y, fractions)
