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

Kernels are forked from one process that has already imported ipykernel, NumPy,
SciPy, scikit-learn, PyTorch and matplotlib's pyplot (``tests/warm_kernels.py``): started here, in the
controller, before the workers, which inherit its kernel spec; the summary at the
end of the run says how many kernels it forked.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests import warm_kernels

ROOT = Path(__file__).resolve().parent
PYTHONPATH = os.environ.get("PYTHONPATH", "").split(os.pathsep)
if PYTHONPATH[0] != str(ROOT):  # not again in a worker, which inherits the controller's (as its kernels must)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), *PYTHONPATH]))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

pytest_plugins = ["tests.parallel", "tests.notebook_runs", "pytester"]
#: The fork server of this run's kernels and its folder (kernel spec, socket, log).
WARM_KERNELS = pytest.StashKey[tuple]()


def pytest_configure(config: pytest.Config) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:  # a worker: the controller's server serves it
        return
    folder = Path(tempfile.mkdtemp(prefix="dlbook-kernels-"))
    config.stash[WARM_KERNELS] = (warm_kernels.start(folder), folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    started = config.stash.get(WARM_KERNELS, None)
    if started is not None:
        server, folder = started
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    started = terminalreporter.config.stash.get(WARM_KERNELS, None)
    if started is not None:
        kernels = warm_kernels.report(started[1])
        if kernels:
            terminalreporter.write_line(kernels)
