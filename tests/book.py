"""The book as the tests see it: its pages in the order of ``_toc.yml``, and which of them are chapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files(entry: Any) -> list[str]:
    """Every ``file:`` (and the ``root:``) named anywhere in a table of contents, in order."""
    if isinstance(entry, list):
        return [name for item in entry for name in toc_files(item)]
    if not isinstance(entry, dict):
        return []
    own = [entry[key] for key in ("root", "file") if key in entry]
    nested = [value for key, value in entry.items() if key not in ("root", "file")]
    return own + [name for value in nested for name in toc_files(value)]


#: The book's pages in reading order, as paths without suffix (``chapters/02_perceptron``).
TOC_FILES = toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
#: The chapters' notebooks, in reading order.
CHAPTERS = [ROOT / f"{name}.ipynb" for name in TOC_FILES if (ROOT / f"{name}.ipynb").is_file()]
