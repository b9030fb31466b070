"""The tests every chapter's table of exercise checkers owes, written once for the chapters' test modules.

A chapter's test module names its checkers, ``{name: (check, the book's own
implementation, the cases function)}``, and binds the tests this module makes
for them at its top level, where pytest collects them::

    (test_the_reference_solution_in_the_chapter_passes, test_the_book_implementation_passes,
     test_cases_are_reproducible_and_the_seed_matters) = contract_tests(CHAPTER, CHECKERS)
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.notebook_solutions import load_solutions

#: A checker of the exercise ``solution_<name>``, the book's implementation it must pass, and its cases.
Checkers = dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]]


def contract_tests(chapter: Path, checkers: Checkers) -> tuple[Callable[[str], None], ...]:
    """The chapter's reference solutions pass, the book's own implementations pass, the cases are seeded."""
    solutions = functools.cache(lambda: load_solutions(chapter))

    @pytest.mark.parametrize("name", checkers)
    def test_the_reference_solution_in_the_chapter_passes(name: str) -> None:
        check, _, _ = checkers[name]
        result = check(solutions()[f"solution_{name}"])
        assert result.passed, result.message
        assert "passed" in result.message

    @pytest.mark.parametrize("name", checkers)
    def test_the_book_implementation_passes(name: str) -> None:
        check, implementation, _ = checkers[name]
        assert check(implementation).passed

    @pytest.mark.parametrize("name", checkers)
    def test_cases_are_reproducible_and_the_seed_matters(name: str) -> None:
        _, _, cases = checkers[name]
        descriptions = [case.description for case in cases()]
        assert descriptions == [case.description for case in cases()]
        assert descriptions != [case.description for case in cases(seed=1)]

    return (test_the_reference_solution_in_the_chapter_passes, test_the_book_implementation_passes,
            test_cases_are_reproducible_and_the_seed_matters)
