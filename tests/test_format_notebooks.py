"""The notebook formatter keeps what a chapter needs in cell metadata and drops the rest."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat

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
