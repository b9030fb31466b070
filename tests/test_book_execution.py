"""An author's rebuilds: a page is executed again exactly when its outputs could have changed.

``_config.yml`` builds the book with myst-nb's ``cache`` execution mode and
``_ext/dlbook_execution.py``, which keys the cache with a fingerprint of
``dlbook/``, ``js/`` and the installed packages and makes Sphinx read again a
page whose execution in the cache is not the one it shows. Checked here on a
two-page book built with the book's own execution settings and extension, by
the README's command (Jupyter Book's ``build . -W``, run in one process for all
the builds), edited as an author edits: prose, a code cell, the package the
pages import.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.book import ROOT
from tests.notebook_runs import execution_extension

BOOK_CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
#: Builds books on request, one process for all: ``jupyter-book build . -W`` in the folder read from each
#: line of its input; it answers each with a line of JSON, the exit status and the log. (Jupyter Book's
#: command run in one process, for the cost of starting one once.)
BUILDER = """
import contextlib, io, json, os, sys
from jupyter_book.cli.main import main

for line in sys.stdin:
    os.chdir(line.strip())
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        try:
            main(["build", ".", "-W"], standalone_mode=False)
            status = 0
        except SystemExit as exit:
            status = exit.code
        except Exception as error:
            status = repr(error)
    print(json.dumps({"status": status, "log": log.getvalue()}), flush=True)
"""
#: What the extension says after reading, and which pages Sphinx read.
EXECUTED = re.compile(r"dlbook_execution: executed (\d+) of (\d+) notebook\(s\) read(?: \(([^)]*)\))?")
READ = re.compile(r"reading sources\.\.\. \[\s*\d+%\] (\S+)")


# ----------------------------------------------------------------------------------------------
# The fingerprint of what a notebook's outputs depend on besides itself


def fingerprint(root: Path) -> str:
    return execution_extension().fingerprint(root)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A book's files: the package, its built modules, their sources, the pins, a chapter and a README."""
    for name, text in {
        "dlbook/__init__.py": "VALUE = 1\n", "dlbook/widgets/static/explorer.js": "export default {};\n",
        "js/explorers/explorer.js": "export const a = 1;\n", "requirements.txt": "numpy==2.4.6\n",
        "chapters/01_a.ipynb": "{}\n", "README.md": "# Book\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("change", ["dlbook/__init__.py", "dlbook/widgets/static/explorer.js",
                                    "js/explorers/explorer.js", "requirements.txt", "dlbook/new.py"])
def test_a_change_to_what_notebooks_import_or_read_changes_the_fingerprint(tree: Path, change: str) -> None:
    before = fingerprint(tree)
    with (tree / change).open("a", encoding="utf-8") as file:
        file.write("# changed\n")
    assert fingerprint(tree) != before


@pytest.mark.parametrize("change", ["chapters/01_a.ipynb", "README.md", "dlbook/__pycache__/x.cpython-311.pyc",
                                    "_build/html/index.html"])
def test_notebooks_prose_and_caches_leave_the_fingerprint_alone(tree: Path, change: str) -> None:
    before = fingerprint(tree)
    (tree / change).parent.mkdir(parents=True, exist_ok=True)
    with (tree / change).open("a", encoding="utf-8") as file:
        file.write("changed\n")
    assert fingerprint(tree) == before


def test_another_installed_version_changes_the_fingerprint(tree: Path) -> None:
    """The pins name the packages whose installed versions count: numpy is installed, at its own version."""
    before = fingerprint(tree)
    (tree / "requirements.txt").write_text("numpy==0.0.1\n", encoding="utf-8")  # same name: the same environment
    assert fingerprint(tree) != before  # (the file itself changed)
    environment = execution_extension().environment(tree)
    assert re.search(r"^numpy==\d+\.\d+", environment, re.MULTILINE), environment
    assert "numpy==0.0.1" not in environment, "the installed version counts, not the pinned one"


# ----------------------------------------------------------------------------------------------
# A small book, built and edited as an author does


def notebook(title: str, prose: str, code: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\n{prose}"), nbformat.v4.new_code_cell(code)]
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


class Book:
    """A two-page book in ``root`` whose pages print a value of its own ``dlbook`` package; ``builder`` builds it
    (a process running :data:`BUILDER`)."""

    def __init__(self, root: Path, builder: subprocess.Popen[str]) -> None:
        self.root, self.builder = root, builder
        config = {"title": "Two pages", "only_build_toc_files": True, "execute": BOOK_CONFIG["execute"],
                  "sphinx": {"local_extensions": {"dlbook_execution": str(ROOT / "_ext")}}}
        (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        (root / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "a", "chapters": [{"file": "b"}]}),
                                       encoding="utf-8")
        self.write("a", notebook("Page A", "Before the edit.", 'import dlbook\nprint("A says", dlbook.VALUE)'))
        self.write("b", notebook("Page B", "The other page.", 'import dlbook\nprint("B says", 2 * dlbook.VALUE)'))
        self.set_value(1)

    def write(self, page: str, content: nbformat.NotebookNode) -> None:
        nbformat.write(content, self.root / f"{page}.ipynb")

    def read(self, page: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / f"{page}.ipynb", as_version=4)

    def set_value(self, value: int) -> None:
        (self.root / "dlbook").mkdir(exist_ok=True)
        (self.root / "dlbook" / "__init__.py").write_text(f"VALUE = {value}\n", encoding="utf-8")

    def build(self) -> tuple[list[str], list[str]]:
        """``jupyter-book build . -W`` in the book (its ``dlbook`` first on the kernels' path): the pages read
        and the notebooks executed."""
        self.builder.stdin.write(f"{self.root}\n")
        self.builder.stdin.flush()
        result = json.loads(self.builder.stdout.readline())
        log = re.sub(r"\x1b\[[0-9;]*m", "", result["log"])
        assert result["status"] == 0, log[-4000:]
        read = READ.findall(log)
        reports = EXECUTED.findall(log)
        assert len(reports) == (1 if read else 0), log[-4000:]
        executed = [name for name in reports[0][2].split(", ") if name] if reports else []
        assert reports == [] or int(reports[0][0]) == len(executed)
        return read, executed

    def page(self, page: str) -> str:
        return (self.root / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")


@pytest.fixture
def builder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A process that builds books (:data:`BUILDER`); its kernels import ``dlbook`` from the book's folder."""
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    with subprocess.Popen([sys.executable, "-c", BUILDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          env=env, text=True) as process:
        yield process
        process.stdin.close()


def test_an_author_rebuild_executes_exactly_the_pages_whose_outputs_may_change(
        tmp_path: Path, builder: subprocess.Popen[str]) -> None:
    book = Book(tmp_path, builder)
    assert book.build() == (["a", "b"], ["a", "b"])
    assert "A says 1" in book.page("a") and "B says 2" in book.page("b")

    # Prose only: that page is read again, from the cache; nothing is executed.
    edited = book.read("a")
    edited.cells[0].source = edited.cells[0].source.replace("Before the edit.", "After the edit.")
    book.write("a", edited)
    assert book.build() == (["a"], [])
    assert "After the edit." in book.page("a") and "A says 1" in book.page("a")

    # A code cell: that page alone is executed again and shows the new output.
    edited.cells[1].source = 'import dlbook\nprint("A now says", dlbook.VALUE)'
    book.write("a", edited)
    assert book.build() == (["a"], ["a"])
    assert "A now says 1" in book.page("a")

    # The package both pages import: both are executed again.
    book.set_value(3)
    assert book.build() == (["a", "b"], ["a", "b"])
    assert "A now says 3" in book.page("a") and "B says 6" in book.page("b")

    # Back as it was: the cache still holds those executions; the pages show them again, executing nothing.
    book.set_value(1)
    assert book.build() == (["a", "b"], [])
    assert "A now says 1" in book.page("a") and "B says 2" in book.page("b")
