"""Put every chapter notebook in the book's one diff-friendly form.

* no outputs and no execution counts (the build and nbval execute the pages);
* cell metadata reduced to ``tags`` and ``mystnb`` (a figure's alt text,
  ``{"mystnb": {"image": {"alt": "..."}}}``); notebook metadata reduced to
  the kernel;
* the first code cell is the shared Colab set-up cell below;
* cell ids from the notebook's name and the cell's position, one JSON key per line in sorted order (nbformat's own writer).

Usage::

    python scripts/format_notebooks.py           # rewrite chapters/*.ipynb in place
    python scripts/format_notebooks.py --check   # exit 1 and list files that are not clean
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"


def normalised_name(name: str) -> str:
    """A distribution name in the form that compares equal however it is spelt (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def colab_install_arguments() -> list[str]:
    """What the Colab cell passes to ``%pip install``: dlbook and its pinned dependencies.

    dlbook comes from the repository of ``_config.yml`` (``repository.url`` at
    ``repository.branch``, the one place the address is set); each dependency
    that ``pyproject.toml`` declares gets its ``==`` pin from ``requirements.txt``.
    Colab's own PyTorch serves the optional ``torch`` extra.
    """
    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+)", line):
            pins[normalised_name(match[1])] = f"{match[1]}=={match[2]}"
    names = [normalised_name(re.match(r"[A-Za-z0-9_.-]+", dependency)[0]) for dependency in declared]
    unpinned = [name for name in names if name not in pins]
    if unpinned:
        raise ValueError(f"requirements.txt has no == pin for the dependencies {unpinned} of pyproject.toml")
    return [f"dlbook @ git+{repository['url']}@{repository['branch']}", *(pins[name] for name in names)]


COLAB_CELL = f"""\
# In Colab, install dlbook and its pinned dependencies first; elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet {" ".join(shlex.quote(argument) for argument in colab_install_arguments())}\
"""
COLAB_TAGS = ["remove-cell"]

#: The cell metadata a chapter keeps: tags (``remove-cell``, ``solution``,
#: ...) and myst-nb's options, where a figure's alternative text lives.
KEPT_CELL_METADATA = ("tags", "mystnb")

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def colab_cell() -> nbformat.NotebookNode:
    """The set-up cell every chapter starts its code with."""
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
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cell.get("attachments"):
            cell.pop("attachments", None)
        cell.source = cell.source.strip("\n")
        cell.id = f"{stem[:40]}-{index:03d}"
    nb.cells = cells
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def canonical_text(path: Path) -> str:
    nb = normalise(nbformat.read(path, as_version=4), path.stem)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not clean")
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CHAPTERS.glob("*.ipynb"))
    dirty = []
    for path in paths:
        text = canonical_text(path)
        if path.read_text(encoding="utf-8") != text:
            dirty.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in dirty:
        print(f"{'not clean' if args.check else 'formatted'}: {path}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
