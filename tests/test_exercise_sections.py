"""Every chapter ends with exercises, and their reference solutions stay folded away.

A chapter's exercises sit under a Markdown heading ``## Exercises``; each
exercise starts with a level-3 heading (``### 1. Compute by hand``) or a bold
``**Exercise ...`` label. Reference-solution cells are tagged ``"solution"``
(the tests load them with :func:`tests.notebook_solutions.load_solutions`) and
also ``"hide-cell"``, so the website folds them until the reader asks.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.notebook_solutions import load_solutions, solution_cells

ROOT = Path(__file__).resolve().parents[1]
MIN_EXERCISES = 3
EXERCISES_HEADING = re.compile(r"^##\s+Exercises\s*$", re.MULTILINE)
ANY_SECTION_HEADING = re.compile(r"^#{1,2}\s", re.MULTILINE)
EXERCISE_START = re.compile(r"^(#{3,6}\s+\S|\*\*Exercise\b)", re.MULTILINE)


def toc_files(toc: dict) -> list[str]:
    """Every ``file:`` entry of a Jupyter Book table of contents, in reading order (root excluded)."""
    found: list[str] = []

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return found


def chapter_notebooks() -> list[Path]:
    """The notebooks under ``chapters/`` that ``_toc.yml`` lists."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [ROOT / f"{entry}.ipynb" for entry in toc_files(toc) if entry.startswith("chapters/")]


CHAPTERS = chapter_notebooks()
IDS = [path.stem for path in CHAPTERS]


def exercises_markdown(path: Path) -> str:
    """The Markdown of the ``## Exercises`` section: from its heading to the next heading of level 1 or 2."""
    nb = nbformat.read(path, as_version=4)
    text = "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    start = EXERCISES_HEADING.search(text)
    assert start is not None, (
        f"{path.name} has no '## Exercises' section; end the chapter with a Markdown heading "
        f"'## Exercises' and at least {MIN_EXERCISES} exercises (see CONTRIBUTING.md)"
    )
    following = ANY_SECTION_HEADING.search(text, start.end())
    return text[start.end() : following.start() if following else len(text)]


def unfolded_solution_cells(path: Path) -> list[str]:
    """The ids of the cells of ``path`` tagged ``"solution"`` but not ``"hide-cell"``."""
    return [cell.get("id", "?") for cell in solution_cells(path) if "hide-cell" not in cell.metadata.get("tags", [])]


def count_exercises(section: str) -> int:
    """The number of exercises in the Markdown of an exercises section."""
    return len(EXERCISE_START.findall(section))


def test_the_toc_lists_chapters() -> None:
    assert CHAPTERS, "_toc.yml lists no notebook under chapters/"
    assert toc_files({"chapters": [{"file": "a"}, {"file": "b", "sections": [{"file": "c"}]}]}) == ["a", "b", "c"]
    assert toc_files({"parts": [{"caption": "P", "chapters": [{"file": "d"}]}]}) == ["d"]


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_notebook_exists(path: Path) -> None:
    assert path.is_file(), f"_toc.yml lists {path.relative_to(ROOT)} but the notebook does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_chapter_ends_with_at_least_three_exercises(path: Path) -> None:
    count = count_exercises(exercises_markdown(path))
    assert count >= MIN_EXERCISES, (
        f"{path.name}: its '## Exercises' section has {count} exercise(s), it needs at least "
        f"{MIN_EXERCISES}; start each with a level-3 heading such as '### 1. Compute by hand'"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_solution_cells_are_folded(path: Path) -> None:
    assert solution_cells(path), (
        f"{path.name} has no reference-solution cell (a code cell tagged ['hide-cell', 'solution'])"
    )
    unfolded = unfolded_solution_cells(path)
    assert not unfolded, (
        f"{path.name}: solution cell(s) {unfolded} lack the tag 'hide-cell'; tag them "
        f"['hide-cell', 'solution'] so the answer stays folded until the reader opens it"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_reference_solutions_run_on_their_own(path: Path) -> None:
    namespace = load_solutions(path)
    solutions = [name for name, value in namespace.items() if name.startswith("solution_") and callable(value)]
    assert solutions, f"{path.name}: its solution cells define no function named solution_<thing>"


# The section parser and the loader on small notebooks written here.


def write_notebook(path: Path, cells: list[nbformat.NotebookNode]) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    nbformat.write(nb, path)
    return path


def test_exercises_are_counted_within_their_section_only() -> None:
    text = (
        "# Title\n\n### Not an exercise\n\n## Exercises\n\n### 1. By hand\n\nQ\n\n### 2. Code\n\n"
        "**Exercise 3** Explain.\n\n## Further reading\n\n### Not an exercise either"
    )
    start = EXERCISES_HEADING.search(text)
    assert start is not None
    end = ANY_SECTION_HEADING.search(text, start.end())
    assert end is not None
    assert count_exercises(text[start.end() : end.start()]) == 3


def test_a_notebook_without_an_exercises_section_is_reported(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "x.ipynb", [nbformat.v4.new_markdown_cell("# T\n\n## Exercise ideas")])
    with pytest.raises(AssertionError, match="has no '## Exercises' section"):
        exercises_markdown(path)


def test_a_solution_cell_without_hide_cell_is_found(tmp_path: Path) -> None:
    cells = [
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["hide-cell", "solution"]}),
        nbformat.v4.new_code_cell("b = 2", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("c = 3", metadata={"tags": ["hide-cell"]}),
    ]
    path = write_notebook(tmp_path / "x.ipynb", cells)
    assert unfolded_solution_cells(path) == [cells[1].id]


def test_load_solutions_runs_only_solution_cells_in_order(tmp_path: Path) -> None:
    cells = [
        nbformat.v4.new_code_cell("raise RuntimeError('a reader cell must not run')"),
        nbformat.v4.new_code_cell("a = np.arange(3)", metadata={"tags": ["hide-cell", "solution"]}),
        nbformat.v4.new_markdown_cell("solution text"),
        nbformat.v4.new_code_cell("def solution_double(x):\n    return 2 * x\nb = solution_double(a)",
                                  metadata={"tags": ["solution", "hide-cell"]}),
    ]
    namespace = load_solutions(write_notebook(tmp_path / "x.ipynb", cells))
    assert namespace["b"].tolist() == [0, 2, 4]
    assert namespace["solution_double"](5) == 10
    assert callable(namespace["run_checks"]), "the checkers are there without an import"


def test_load_solutions_fails_clearly_without_solution_cells(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "none.ipynb", [nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="none.ipynb has no code cell tagged 'solution'"):
        load_solutions(path)


def test_load_solutions_names_the_failing_cell(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("y = undefined_name + 1", metadata={"tags": ["solution"]})
    path = write_notebook(tmp_path / "bad.ipynb", [cell])
    with pytest.raises(ValueError, match=r"bad.ipynb, solution cell .* NameError.*import what it uses"):
        load_solutions(path)


def test_each_load_starts_from_a_fresh_namespace(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("counter = globals().get('counter', 0) + 1", metadata={"tags": ["solution"]})
    path = write_notebook(tmp_path / "count.ipynb", [cell])
    assert load_solutions(path)["counter"] == 1
    assert load_solutions(path)["counter"] == 1
