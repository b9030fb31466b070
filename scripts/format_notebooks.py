"""Put every chapter notebook in the book's one diff-friendly form.

* no outputs and no execution counts (the build and nbval execute the pages);
* cell metadata reduced to ``tags`` and ``mystnb`` (a figure's alt text,
  ``{"mystnb": {"image": {"alt": "..."}}}``), plus what the tags imply: a code
  cell tagged ``hide-cell`` (an exercise's answer, which the website folds) is
  folded in JupyterLab and Colab too (:data:`FOLDED`); notebook metadata
  reduced to the kernel;
* the first code cell is the shared Colab set-up cell below;
* cell ids from the notebook's name and the cell's position, one JSON key per line in sorted order (nbformat's own writer).

It also lists every code line longer than :data:`MAX_LINE_LENGTH` characters
(the width of the page's code column), which it cannot fix by itself.

The notebooks are the pages of ``_toc.yml``; other notebooks in ``chapters/``
(such as the ``*.nbconvert.ipynb`` copies that ``jupyter nbconvert --execute``
leaves) are named as skipped. It ends by saying how many it checked or formatted.

Usage::

    python scripts/format_notebooks.py           # rewrite the book's notebooks in place
    python scripts/format_notebooks.py --check   # exit 1 and list files that are not clean
                                                 # or have code lines that are too long
    python scripts/format_notebooks.py PATH...   # only these notebooks
"""

from __future__ import annotations

import argparse
import copy
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # imported where used: scripts/set_repository.py reads COLAB_CELL without it
    import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

#: The longest code line that fits the code column of the website at its default width.
MAX_LINE_LENGTH = 79


def repository() -> dict[str, str]:
    """``_config.yml``'s ``repository`` (``url``, ``branch``): the one place the address is set."""
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]


def colab_requirement(url: str, branch: str) -> str:
    """The pip requirement that installs dlbook from the repository ``url`` at ``branch``."""
    return f"dlbook @ git+{url}@{branch}"


def colab_cell_source(url: str, branch: str) -> str:
    """The Colab set-up cell for the repository ``url`` at ``branch``.

    In Colab it installs dlbook from the repository with pip's default
    (``only-if-needed``) strategy: the NumPy, matplotlib, PyTorch, ipywidgets,
    anywidget and scikit-learn that Colab ships satisfy dlbook's dependency
    ranges and stay as they are, so nothing needs a runtime restart; pip adds
    only what the runtime lacks. Then it turns on Colab's custom widget
    manager, which the explorers (anywidget widgets, "third-party" to Colab
    under ipywidgets 7) need to be drawn. Outside Colab it does nothing.
    """
    requirement = shlex.quote(colab_requirement(url, branch))
    return f"""\
# In Colab: install dlbook; Colab's own NumPy, matplotlib, PyTorch,
# ipywidgets, anywidget and scikit-learn stay as they are. Then let Colab draw
# the explorers (custom widgets). Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet {requirement}
    from google.colab import output

    output.enable_custom_widget_manager()\
"""


COLAB_CELL = colab_cell_source(*(repository()[key] for key in ("url", "branch")))
COLAB_TAGS = ["remove-cell"]

#: The cell metadata a chapter keeps: tags (``remove-cell``, ``solution``,
#: ...) and myst-nb's options, where a figure's alternative text lives.
KEPT_CELL_METADATA = ("tags", "mystnb")

#: The tag with which the website (myst-nb) folds a cell, source and outputs, behind a toggle.
FOLD_TAG = "hide-cell"
#: The metadata that folds a code cell elsewhere: JupyterLab (and Jupyter Notebook 7) read nbformat's
#: ``jupyter.source_hidden`` and ``outputs_hidden``; Colab shows a cell whose ``cellView`` is
#: ``"form"`` with its code hidden behind "Show code" (what its own "Hide code" writes).
FOLDED = {"jupyter": {"source_hidden": True, "outputs_hidden": True}, "cellView": "form"}

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def colab_cell() -> nbformat.NotebookNode:
    """The set-up cell every chapter starts its code with."""
    import nbformat

    return nbformat.v4.new_code_cell(COLAB_CELL, metadata={"tags": list(COLAB_TAGS)})


def is_colab_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and "google.colab" in cell.source


def normalise(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """Return ``nb`` in the book's canonical form."""
    cells = [cell for cell in nb.cells if not is_colab_cell(cell)]
    first_code = next((i for i, cell in enumerate(cells) if cell.cell_type == "code"), len(cells))
    cells.insert(first_code, colab_cell())
    for index, cell in enumerate(cells):
        metadata = cell.get("metadata", {})
        kept = (key for key in KEPT_CELL_METADATA if metadata.get(key))
        cell.metadata = {key: metadata[key] for key in kept}
        if cell.cell_type == "code" and FOLD_TAG in cell.metadata.get("tags", []):
            cell.metadata.update(copy.deepcopy(FOLDED))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cell.get("attachments"):
            cell.pop("attachments", None)
        cell.source = cell.source.strip("\n")
        cell.id = f"{re.sub(r'[^A-Za-z0-9_-]', '-', stem[:40])}-{index:03d}"
    nb.cells = cells
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def long_code_lines(nb: nbformat.NotebookNode) -> list[str]:
    """Where a code cell has a line longer than :data:`MAX_LINE_LENGTH` (cells counted from 1)."""
    found = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        for line_number, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > MAX_LINE_LENGTH:
                found.append(
                    f"cell {number}, line {line_number}: {len(line)} characters "
                    f"(at most {MAX_LINE_LENGTH}): {line.strip()[:60]}"
                )
    return found


def canonical_text(path: Path) -> str:
    import nbformat

    nb = normalise(nbformat.read(path, as_version=4), path.stem)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def book_notebooks() -> list[Path]:
    """The notebooks among the pages of ``_toc.yml``, in its order (read as Jupyter Book reads it)."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = parse_toc_yaml(ROOT / "_toc.yml").keys()
    return [path for page in pages if (path := ROOT / f"{page}.ipynb").is_file()]


def skip_reason(path: Path) -> str:
    """Why a notebook in ``chapters/`` that ``_toc.yml`` does not name is left alone."""
    if path.name.endswith(".nbconvert.ipynb"):
        return "a copy left by `jupyter nbconvert --execute` (git ignores it; delete it when done)"
    return "not a page of _toc.yml"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not clean")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: those of _toc.yml)")
    args = parser.parse_args(argv)
    paths = args.paths or book_notebooks()
    skipped = [] if args.paths else sorted(set(CHAPTERS.glob("*.ipynb")) - set(paths))
    dirty, too_long, invalid = [], [], []
    for path in paths:
        try:
            text = canonical_text(path)
        except (OSError, ValueError, nbformat.ValidationError) as error:  # NotJSONError is a ValueError
            invalid.append(f"{path}: not a notebook this script can read: {str(error).splitlines()[0]}")
            continue
        if path.read_text(encoding="utf-8") != text:
            dirty.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
        too_long += [f"{path}: {where}" for where in long_code_lines(nbformat.reads(text, as_version=4))]
    for path in skipped:
        print(f"skipped {path.relative_to(ROOT)}: {skip_reason(path)}")
    for problem in invalid:
        print(problem)
    for path in dirty:
        print(f"{'not clean' if args.check else 'formatted'}: {path}")
    for where in too_long:
        print(f"line too long: {where}")
    read = len(paths) - len(invalid)
    if args.check:
        summary = f"checked {plural(read, 'notebook')}"
        if read:
            summary += f": {len(dirty)} not clean" if dirty else ": all clean"
    else:
        summary = f"formatted {plural(read, 'notebook')}: {len(dirty)} rewritten, {read - len(dirty)} already clean"
    if too_long:
        summary += f"; {plural(len(too_long), 'code line')} too long"
    if invalid:
        summary += f"; {len(invalid)} unreadable"
    if skipped:
        summary += f"; {len(skipped)} skipped"
    print(summary)
    return 1 if (args.check and dirty) or too_long or invalid else 0


if __name__ == "__main__":
    sys.exit(main())
