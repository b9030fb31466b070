"""Load the reference solutions of a chapter's exercises for the tests.

A chapter's reference solutions live in its notebook, in code cells tagged
``"solution"`` (and ``"hide-cell"``, so the website folds them away). The tests
run those cells on their own, without the rest of the chapter, and then check
the functions they define.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat

import dlbook.exercises

SOLUTION_TAG = "solution"


def solution_cells(path: str | Path) -> list[nbformat.NotebookNode]:
    """The code cells of the notebook at ``path`` tagged ``"solution"``, in notebook order."""
    nb = nbformat.read(Path(path), as_version=4)
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])
    ]


def fresh_namespace() -> dict[str, Any]:
    """The names a solution cell may use without importing them: ``np`` and the public checkers."""
    import numpy as np

    namespace: dict[str, Any] = {"__name__": "__solutions__", "np": np}
    namespace.update(
        {
            name: value
            for name, value in vars(dlbook.exercises).items()
            if not name.startswith("_") and not isinstance(value, ModuleType)
        }
    )
    return namespace


def load_solutions(path: str | Path) -> dict[str, Any]:
    """Run the cells of ``path`` tagged ``"solution"`` in order, in a fresh namespace, and return it.

    The namespace starts with ``np`` (NumPy) and every public name that
    :mod:`dlbook.exercises` exports (the checkers), which is what the reference
    solutions use; anything else a solution cell needs it imports itself.
    Raises ``ValueError`` naming the notebook when it has no solution cell, and
    naming the cell when one fails (so a broken reference solution is reported,
    not hidden).
    """
    path = Path(path)
    cells = solution_cells(path)
    if not cells:
        raise ValueError(
            f"{path} has no code cell tagged 'solution'; tag each reference-solution cell of its "
            f"exercises with ['hide-cell', 'solution']"
        )
    namespace = fresh_namespace()
    for cell in cells:
        label = f"{path}, solution cell {cell.get('id', '?')!r}"
        try:
            code = compile(cell.source, label, "exec")
            exec(code, namespace)  # noqa: S102 - the book's own reference solutions
        except Exception as error:
            where = traceback.format_exception_only(type(error), error)[-1].strip()
            hint = (
                " (a solution cell runs without the rest of the chapter: import what it uses)"
                if isinstance(error, NameError)
                else ""
            )
            raise ValueError(f"{label} failed: {where}{hint}") from error
    return namespace
