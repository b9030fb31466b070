"""Settings for every test run from this repository, the chapters' nbval runs included.

Two plugins are loaded here, so that pytest-xdist's controller sees them too:
``tests/parallel.py`` groups, orders and schedules the tests on parallel workers;
``tests/notebook_runs.py`` collects the chapters of ``_toc.yml`` as notebook tests
and keeps nbval's execution of each for the website.

Kernels started by nbval, the book build and JupyterLab import ``dlbook`` from
the tree under test, not from wherever the package happens to be installed.
The book's networks are tiny: PyTorch runs them fastest, and most steadily on a
busy machine, on one thread. Both are set before any test imports torch, so this
process and every kernel it starts inherit them.

Python keeps its compiled modules (``__pycache__``, ignored by git) even where
``PYTHONDONTWRITEBYTECODE`` is set: a run starts some forty Python processes
(workers, kernels, builds, JupyterLab) that import the same modules, and
without the cache each compiles them again, and pytest rewrites the test
modules' asserts again in every worker.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

pytest_plugins = ["tests.parallel", "tests.notebook_runs", "pytester"]
