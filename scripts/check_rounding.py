"""Run chapters as on another computer: other BLAS kernels and NumPy's plainest SIMD code.

Every number a chapter's prose quotes is asserted in a cell. A number that comes out
of a chaotic computation (training at the edge of stability, a long noisy run) can
depend on rounding, and rounding differs between processors and NumPy builds: such an
assertion passes on the author's machine and fails on a reader's (or on CI's). This
script executes the notebooks in a kernel whose OpenBLAS uses other kernels
(``OPENBLAS_CORETYPE``) and whose NumPy leaves out the SIMD paths it found on this
processor (``NPY_DISABLE_CPU_FEATURES``), and reports the cells that fail there::

    python scripts/check_rounding.py                      # every chapter of _toc.yml
    python scripts/check_rounding.py chapters/06_training.ipynb

It exits 1 if a cell fails. A number that fails here belongs to a chaotic run: quote
it as a range the cell checks, or show the chaos (chapter 6 does), not its digits.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The OpenBLAS kernels to use instead of this processor's: older ones, which every x86-64 or Arm
#: processor of the last decade can run.
OTHER_KERNELS = {"x86_64": "Sandybridge", "aarch64": "ARMV8"}


def other_computer() -> dict[str, str]:
    """The environment variables that make NumPy and OpenBLAS compute as on an older processor."""
    import platform

    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    found = [feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature)]
    environment = {"NPY_DISABLE_CPU_FEATURES": " ".join(found)} if found else {}
    kernel = OTHER_KERNELS.get(platform.machine())
    if kernel:
        environment["OPENBLAS_CORETYPE"] = kernel
    return environment


def failing_cells(path: Path) -> list[str]:
    """Execute the notebook at ``path`` (in this process's environment); one line per cell that raised."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    failures = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
                failures.append(f"{path.name}, cell {index} ({first!r}): {output['ename']} {output['evalue'][:200]}")
    return failures


def book_notebooks() -> list[Path]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from format_notebooks import book_notebooks as listed

    return listed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter of _toc.yml")
    args = parser.parse_args(argv)
    environment = other_computer()
    os.environ.update(environment)  # the kernels started below inherit it
    print("as another computer: " + (", ".join(f"{k}={v}" for k, v in environment.items()) or "(nothing to change)"))
    failures = []
    for path in args.notebooks or book_notebooks():
        found = failing_cells(path)
        print(f"{path.name}: {'FAILED' if found else 'ok'}", flush=True)
        failures += found
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
