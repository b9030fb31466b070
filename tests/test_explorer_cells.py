"""Which cells of a chapter its explorers need (``tests/explorer_cells.py``): what the live JupyterLab test runs."""

from __future__ import annotations

import nbformat
import pytest

from tests.book import CHAPTERS
from tests.explorer_cells import explorer_cells, parse
from tests.explorer_driver import EXPLORERS

CLASSES = {cls.__name__ for cls in EXPLORERS.values()}


def notebook(*sources: str) -> nbformat.NotebookNode:
    """A notebook of a title, then a code cell per source, each after a Markdown cell (so that the indices of
    the code cells among all cells are 2, 4, 6, ...)."""
    cells = [nbformat.v4.new_markdown_cell("# A chapter")]
    for source in sources:
        cells += [nbformat.v4.new_code_cell(source), nbformat.v4.new_markdown_cell("Some prose.")]
    return nbformat.v4.new_notebook(cells=cells[:-1])


def code_cells(*positions: int) -> list[int]:
    """The indices among all cells of :func:`notebook`'s code cells at ``positions``."""
    return [1 + 2 * position for position in positions]


def test_an_explorer_needs_what_makes_and_changes_its_inputs_and_itself_only() -> None:
    chapter = notebook(
        "import numpy as np\nfrom dlbook.widgets.softmax import Explorer",  # 0
        "data = np.arange(3.0)",  # 1
        "study = [np.sqrt(data).sum() for _ in range(3)]",  # 2: reads data, changes nothing it needs
        "scale = 2\nscale += 1",  # 3
        "data[0] = 5.0",  # 4: changes data in place
        "print(data.max(), data.reshape(3, 1).shape)",  # 5: only reads data
        "explorer = Explorer(data * scale)\nexplorer",  # 6: makes and shows it
        "explorer.train()",  # 7: changes it after it is shown
        "later = study[0] * 2",  # 8
    )
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 3, 4, 6, 7)


def test_a_name_assigned_again_no_longer_needs_its_earlier_cells() -> None:
    chapter = notebook("x = 1", "x = 2", "Explorer(x)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(1, 2)
    chapter = notebook("x = 1", "x = x + 1", "Explorer(x)")  # used before it is bound again
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 2)


def test_a_name_changed_needs_its_earlier_cells_unless_the_cell_bound_it_first() -> None:
    chapter = notebook("fig = 1", "fig = make()\nfig.suptitle('t')\nresult = 2", "Explorer(result)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(1, 2)
    chapter = notebook("fig = 1", "fig = make()\nfig.suptitle('t')", "Explorer(fig)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(1, 2)  # the figure it made and changed
    chapter = notebook("fig = make()", "fig.suptitle('t')\nfig = make()\nresult = 2", "Explorer(result)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 2)  # changed before it is bound again
    chapter = notebook("total = 0", "total += 1\nresult = total", "Explorer(result)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 2)  # += reads it
    chapter = notebook("total = 0", "for x in range(3):\n    total += x", "Explorer(total)")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 2)  # its += reads it too


def test_calling_a_method_may_change_its_object_and_functions_need_their_globals() -> None:
    chapter = notebook(
        "import numpy as np",
        "rng = np.random.default_rng(0)",
        "rng.normal()",  # advances the generator the explorer draws from
        "scale = 3.0",
        "def draw():\n    return rng.normal() * scale",
        "unused = 1",
        "Explorer(draw())",
    )
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 1, 2, 3, 4, 6)


def test_a_shown_explorer_made_in_an_earlier_cell_is_followed_to_where_it_is_shown() -> None:
    chapter = notebook("playground = module.Explorer(seed=1)", "other = 2", "playground.train()\nresult = 1",
                       "playground", "after = 3")
    assert explorer_cells(chapter, {"Explorer"}) == code_cells(0, 2, 3)


def test_no_explorer_needs_no_cell_and_magics_are_read_as_ipython_does() -> None:
    assert explorer_cells(notebook("%matplotlib inline\nx = 1", "x"), {"Explorer"}) == []
    assert [type(node).__name__ for node in parse("%pip install dlbook").body] == ["Expr"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_a_chapters_explorer_cells_run_without_its_colab_cell(chapter) -> None:
    """Every cell that makes an explorer runs; the Colab cell (which does nothing outside Colab) does not."""
    book = nbformat.read(chapter, as_version=4)
    cells = explorer_cells(book, CLASSES)
    makes = [index for index, cell in enumerate(book.cells) if cell.cell_type == "code"
             and any(f"{name}(" in cell.source for name in CLASSES)]
    assert set(makes) <= set(cells)
    first_code = next(index for index, cell in enumerate(book.cells) if cell.cell_type == "code")
    assert first_code not in cells
