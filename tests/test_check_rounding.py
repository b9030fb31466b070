"""scripts/check_rounding.py: chapters run as on another computer, and the cells that fail there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_rounding  # noqa: E402


def test_another_computer_leaves_out_only_what_this_one_has() -> None:
    from numpy._core._multiarray_umath import __cpu_features__

    environment = check_rounding.other_computer()
    for feature in environment.get("NPY_DISABLE_CPU_FEATURES", "").split():
        assert __cpu_features__[feature], feature
    if "OPENBLAS_CORETYPE" in environment:
        assert environment["OPENBLAS_CORETYPE"] in check_rounding.OTHER_KERNELS.values()


def test_a_failing_cell_is_named_and_a_passing_notebook_is_not(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import numpy as np\nx = np.ones(3) @ np.ones(3)"),
                      nbformat.v4.new_code_cell("assert x == 4, x")]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)
    process = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_rounding.py"), str(path)],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "chapter.ipynb: FAILED" in process.stdout
    assert "chapter.ipynb, cell 1 ('assert x == 4, x'): AssertionError 3.0" in process.stdout
    notebook.cells[1].source = "assert x == 3, x"
    nbformat.write(notebook, path)
    assert check_rounding.failing_cells(path) == []
