"""Package-level promises: the NumPy half never imports PyTorch; notebooks are stored clean."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_numpy_half_does_not_import_torch():
    modules = ["dlbook", "dlbook.numpy", "dlbook.data", "dlbook.plots", "dlbook.diagrams",
               "dlbook.widgets.perceptron", "dlbook.exercises", "dlbook.digits", "dlbook.splits",
               "dlbook.numpy.optim", "dlbook.numpy.init", "dlbook.numpy.surfaces", "dlbook.widgets.optimisers"]
    code = f"import sys, {', '.join(modules)}; assert 'torch' not in sys.modules, 'torch was imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_notebooks_are_stored_in_canonical_form():
    result = subprocess.run([sys.executable, "scripts/format_notebooks.py", "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"run `python scripts/format_notebooks.py`:\n{result.stdout}{result.stderr}"


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"chapters/{notebook.stem}" in toc, f"{notebook.name} is missing from _toc.yml"
