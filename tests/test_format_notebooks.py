"""The notebook formatter keeps what a chapter needs in cell metadata and drops the rest."""

from __future__ import annotations

import importlib.util
import subprocess
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
    assert hidden.metadata == {"tags": ["hide-cell"], **formatter().FOLDED}
    assert plain.metadata == {}  # empty entries are dropped too, and folding comes from the tag only
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


def test_cells_the_website_folds_are_folded_in_jupyterlab_and_colab() -> None:
    """A code cell tagged hide-cell (an answer) gets JupyterLab's and Colab's folding; only such a cell does."""
    module = formatter()
    cells = [
        nbformat.v4.new_markdown_cell("A reference solution:", metadata={"tags": ["hide-cell"]}),
        nbformat.v4.new_code_cell("def solution(): ...", metadata={"tags": ["hide-cell", "solution"]}),
        nbformat.v4.new_code_cell("plot()", metadata={"tags": ["hide-input"]}),
        nbformat.v4.new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": False}}),
    ]
    nb = module.normalise(nbformat.v4.new_notebook(cells=cells), "08_example")
    markdown, solution, figure, plain = (cell for cell in nb.cells if "colab" not in cell.source)
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert solution.metadata["cellView"] == "form"
    assert [cell.metadata.get("jupyter") for cell in (markdown, figure, plain)] == [None, None, None]
    nbformat.validate(nb)  # nbformat's schema knows jupyter.source_hidden and outputs_hidden


def write(path: Path, nb: nbformat.NotebookNode) -> None:
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def test_every_run_says_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = formatter()
    paths = [tmp_path / f"0{n}_example.ipynb" for n in (1, 2)]
    for path in paths:
        write(path, nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    assert module.main([str(path) for path in paths]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "formatted 2 notebooks: 2 rewritten, 0 already clean"
    assert module.main(["--check", *map(str, paths)]) == 0
    assert capsys.readouterr().out == "checked 2 notebooks: all clean\n"


def test_a_file_that_is_no_notebook_is_reported_not_raised(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    module = formatter()
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{", encoding="utf-8")
    assert module.main(["--check", str(broken), str(tmp_path / "missing.ipynb")]) == 1
    out = capsys.readouterr().out
    assert f"{broken}: not a notebook this script can read: Notebook does not appear to be JSON" in out
    assert "missing.ipynb: not a notebook this script can read: [Errno 2]" in out
    assert out.splitlines()[-1] == "checked 0 notebooks; 2 unreadable"


def test_a_copy_left_by_nbconvert_is_skipped_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`jupyter nbconvert --to notebook --execute chapters/x.ipynb` writes chapters/x.nbconvert.ipynb, whose
    name is no valid cell id prefix; only the pages of _toc.yml are formatted, and such a copy is named."""
    module = formatter()
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/01_a\n",
                                       encoding="utf-8")
    page = module.normalise(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), "01_a")
    write(chapters / "01_a.ipynb", page)
    write(chapters / "01_a.nbconvert.ipynb", page)
    write(chapters / "draft.ipynb", page)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "CHAPTERS", chapters)
    assert module.book_notebooks() == [chapters / "01_a.ipynb"]
    assert module.main(["--check"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "skipped chapters/01_a.nbconvert.ipynb: a copy left by `jupyter nbconvert --execute`"
        " (git ignores it; delete it when done)",
        "skipped chapters/draft.ipynb: not a page of _toc.yml",
        "checked 1 notebook: all clean; 2 skipped",
    ]
    assert module.main(["--check", str(chapters / "01_a.nbconvert.ipynb")]) == 1  # named: formatted, valid ids
    assert "not clean" in capsys.readouterr().out


def test_git_ignores_what_nbconvert_leaves() -> None:
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "chapters/04_loss_functions.nbconvert.ipynb"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
    assert ignored.returncode == 0, "git does not ignore chapters/*.nbconvert.ipynb"
