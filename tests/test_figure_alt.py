"""Every figure a chapter draws carries alternative text beside its code.

The text lives in the drawing cell's metadata, ``{"mystnb": {"image": {"alt":
"..."}}}``; myst-nb copies it into the ``<img alt>`` of the website (the site
tests check the built pages). These tests read the notebooks only: no kernel,
no build.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tests.alt_text import alt_text_problem
from tests.conftest import ROOT, TOC_FILES

NOTEBOOKS = [ROOT / f"{name}.ipynb" for name in TOC_FILES if (ROOT / f"{name}.ipynb").exists()]

#: How a cell shows a matplotlib figure: ``plt.show()``, ``display(fig)``, ``fig.show()``, or a
#: figure as the cell's last expression.
SHOWS_FIGURE = re.compile(
    r"\bplt\.show\(\)|\bdisplay\(\s*(?:fig|figure)\b|\b(?:fig|figure)\.show\(\)|\A(?:.*\n)*(?:fig|figure)\s*\Z"
)


def figures_shown(source: str) -> int:
    """How many figures a code cell shows."""
    return len(SHOWS_FIGURE.findall(source))


def alt_of(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_figure_cell_has_alt_text(notebook: Path) -> None:
    cells = nbformat.read(notebook, as_version=4).cells
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type != "code":
            continue
        shown = figures_shown(cell.source)
        if shown > 1:
            problems.append(f"cell {number} shows {shown} figures: split it, one figure (and one alt text) each")
        if shown and (problem := alt_text_problem(alt_of(cell))):
            problems.append(f"cell {number} draws a figure; its mystnb.image.alt is {problem}")
        if not shown and alt_of(cell) is not None:
            problems.append(f"cell {number} has alt text but shows no figure (moved or stale?)")
    assert problems == [], f"{notebook.name}:\n" + "\n".join(problems)


def asserted_alt_facts(source: str) -> list[str] | None:
    """The strings of a cell's ``assert alt_facts == [...]``, or None when it has none.

    A figure cell whose alt text states facts about the data computes them in
    a list ``alt_facts`` (from the data, as strings) and asserts it equal to a
    list of literal strings; each of those must then appear in the alt text,
    so that the alt text says what the data say.
    """
    # IPython magics (%pip) are not Python: blank those lines before parsing
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    for node in ast.walk(ast.parse(code)):
        test = node.test if isinstance(node, ast.Assert) else None
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "alt_facts"
            and isinstance(test.comparators[0], ast.List)
        ):
            return [ast.literal_eval(element) for element in test.comparators[0].elts]
    return None


def normalised(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_asserted_alt_facts_are_in_the_alt_text(notebook: Path) -> None:
    problems = []
    for number, cell in enumerate(nbformat.read(notebook, as_version=4).cells, start=1):
        if cell.cell_type != "code" or (facts := asserted_alt_facts(cell.source)) is None:
            continue
        alt = normalised(alt_of(cell) or "")
        problems += [f"cell {number}: {fact!r} is not in its alt text" for fact in facts if normalised(fact) not in alt]
    assert problems == [], f"{notebook.name}:\n" + "\n".join(problems)


def test_the_chapters_assert_alt_facts() -> None:
    """The digits chapter generates alt-text facts (the test above would pass vacuously otherwise)."""
    cells = [cell for path in NOTEBOOKS for cell in nbformat.read(path, as_version=4).cells]
    assert sum(asserted_alt_facts(cell.source) is not None for cell in cells if cell.cell_type == "code") >= 2


def test_alt_facts_are_found_only_in_their_assert() -> None:
    source = "x = 1\nalt_facts = describe(x)\nassert alt_facts == ['one x', 'two']\n%matplotlib inline"
    assert asserted_alt_facts(source) == ["one x", "two"]
    assert asserted_alt_facts("assert facts == ['one']") is None


def test_the_chapters_draw_figures() -> None:
    """The detection above finds the chapters' figures (it would pass vacuously otherwise)."""
    cells = [cell for path in NOTEBOOKS for cell in nbformat.read(path, as_version=4).cells]
    assert sum(figures_shown(cell.source) for cell in cells if cell.cell_type == "code") >= 10


@pytest.mark.parametrize(
    "source, count",
    [
        ("fig, ax = plt.subplots()\nax.plot(x)\nplt.show()", 1),
        ("plt.show()\nprint(1)\nplt.show()", 2),
        ("display(fig)", 1),
        ("fig = draw()\nfig", 1),
        ("print('plt.show is a function')", 0),
        ("figures = 3\nfigures", 0),
    ],
)
def test_figure_detection(source: str, count: int) -> None:
    assert figures_shown(source) == count


@pytest.mark.parametrize(
    "alt",
    [
        None,
        "",
        "   ",
        "../_images/b0b5023f6c62535a154ac313a81a8fb9b965fbf939968d5e9dd457d97ab0cc13.png",
        "figure.png",
        "Figure",
        "plot",
        "PNG image",
        "A plot of the figure",
        "Loss curve over steps",
    ],
)
def test_alt_text_that_describes_nothing_is_rejected(alt: str | None) -> None:
    assert alt_text_problem(alt) is not None


def test_a_description_is_accepted() -> None:
    alt = "Two loss curves against p: cross-entropy rises steeply as p nears 0, squared error stays below 1."
    assert alt_text_problem(alt) is None
