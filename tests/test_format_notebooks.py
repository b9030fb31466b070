"""The notebook formatter keeps what a chapter needs in cell metadata and drops the rest."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def formatter() -> ModuleType:
    """``scripts/format_notebooks.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("format_notebooks", ROOT / "scripts" / "format_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tags_and_alt_text_are_kept_other_metadata_dropped() -> None:
    alt = {"image": {"alt": "A curve that rises."}}
    cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("plot()", metadata={"mystnb": alt, "scrolled": True, "collapsed": False}),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["hide-cell"], "editable": False}),
        nbformat.v4.new_code_cell("y = 2", metadata={"tags": [], "mystnb": {}, "jupyter": {"outputs_hidden": True}}),
    ]
    nb = formatter().normalise(nbformat.v4.new_notebook(cells=cells), "07_example")
    plot, hidden, plain = (cell for cell in nb.cells if cell.cell_type == "code" and "colab" not in cell.source)
    assert plot.metadata == {"mystnb": alt}
    assert hidden.metadata == {"tags": ["hide-cell"]}
    assert plain.metadata == {}  # empty entries are dropped too
    again = formatter().normalise(nb, "07_example")
    assert nbformat.writes(again) == nbformat.writes(nb)  # formatting twice changes nothing


def test_long_code_lines_are_listed() -> None:
    """Code lines longer than the website's code column are reported, prose is not."""
    module = formatter()
    limit = module.MAX_LINE_LENGTH
    assert limit == 79
    cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n" + "m" * (limit + 20)),  # prose wraps on the page
        nbformat.v4.new_code_cell("x = 1\n" + "y" * limit),
        nbformat.v4.new_code_cell("z = 2\n# " + "w" * (limit - 1)),
    ]
    found = module.long_code_lines(nbformat.v4.new_notebook(cells=cells))
    assert len(found) == 1
    assert found[0].startswith(f"cell 3, line 2: {limit + 1} characters")


def test_check_fails_on_a_long_code_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = formatter()
    path = tmp_path / "07_example.ipynb"
    cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("total = " + " + ".join(["1"] * 40))]
    nb = module.normalise(nbformat.v4.new_notebook(cells=cells), path.stem)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    assert module.main(["--check", str(path)]) == 1
    assert "line too long" in capsys.readouterr().out
    nb.cells[-1].source = "total = 40"
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    assert module.main(["--check", str(path)]) == 0


def test_the_colab_cell_fits_the_column() -> None:
    module = formatter()
    assert max(len(line) for line in module.COLAB_CELL.splitlines()) <= module.MAX_LINE_LENGTH
