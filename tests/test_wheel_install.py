"""dlbook as Colab readers get it: the chapters' Colab cell, run in a simulated Colab runtime.

The runtime is a fresh virtual environment (made by uv, outside the repository) that holds
the versions a Colab runtime ships, listed in ``tests/colab_runtime.txt``: NumPy 2.0,
matplotlib 3.10, ipywidgets 7.7, anywidget 0.9, scikit-learn 1.6, IPython 7.34, ipykernel 6.17,
nbclient, and all they need. Two things differ from Colab, to keep the test fast:

* PyTorch is lent, not installed: a ``.pth`` file in the runtime names a folder of symbolic
  links to the files of the torch that runs the tests (2.13 CPU; Colab has 2.11), so the
  runtime imports it and pip counts it as installed, without unpacking a gigabyte per run;
* Python is the tests' own (3.11; Colab's is 3.12 or 3.13).

A kernel of that runtime first runs the chapters' Colab cell as it stands, with a stand-in for
``google.colab`` and the cell's git requirement pointed at a wheel built from this checkout;
pip must leave every version installed before exactly as it was, and the cell must turn on
Colab's custom widget manager. Then every chapter of ``_toc.yml`` (whose test is run) runs in that same kernel, as
after the Colab cell in Colab (no restart), top to bottom, one after another, each from an
empty namespace, with ``google.colab`` present as after its Colab cell. (Each chapter in a
fresh kernel of its own is what nbval does in the project's environment; here one kernel
imports NumPy, matplotlib and PyTorch once, not once per chapter.)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT, TOC_FILES

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CHAPTERS = [ROOT / f"{name}.ipynb" for name in TOC_FILES
            if name.startswith("chapters/") and (ROOT / f"{name}.ipynb").exists()]
RUNTIME_FILE = ROOT / "tests" / "colab_runtime.txt"
RUNNER = ROOT / "tests" / "colab_runner.py"

#: Stands in for ``google.colab`` in the runtime's kernels: ``output.enable_custom_widget_manager``
#: records its calls and, like Colab's, sets the widget manager's URL that anywidget reads. It binds
#: no names in the notebook, whose own code may use ``output``.
FAKE_COLAB = """\
def _fake_google_colab():
    import sys
    import types

    output = types.ModuleType("google.colab.output")
    output.calls = []
    output._widgets = types.SimpleNamespace(_installed_url=None)

    def enable_custom_widget_manager():
        output.calls.append("enable_custom_widget_manager")
        output._widgets._installed_url = "https://colab.invalid/manager.js"

    output.enable_custom_widget_manager = enable_custom_widget_manager
    colab = types.ModuleType("google.colab")
    colab.output = output
    sys.modules.setdefault("google", types.ModuleType("google")).colab = colab
    sys.modules.update({"google.colab": colab, "google.colab.output": output})


_fake_google_colab()
del _fake_google_colab
"""
#: In a chapter: ``google.colab`` as the chapter's Colab cell leaves it in Colab.
AFTER_COLAB_CELL = FAKE_COLAB + 'import sys\n\nsys.modules["google.colab.output"].enable_custom_widget_manager()\n'
#: A chapter's first cell in the shared kernel: what the chapter before left goes (its names, its
#: open figures, and ``google.colab``, so that the chapter's Colab cell finds none, as outside Colab).
NEW_CHAPTER = """\
import sys

import matplotlib.pyplot

matplotlib.pyplot.close("all")
for name in ("google.colab.output", "google.colab"):
    sys.modules.pop(name, None)
%reset -f
"""
WHERE = "import json, sys, dlbook\nprint(json.dumps({'dlbook': dlbook.__file__, 'prefix': sys.prefix}))"
#: Run after the Colab cell: what pip returned, what was asked of ``google.colab``, and which
#: modules of dlbook fail to import (name -> exception).
SETUP_REPORT = """\
import importlib, json, pkgutil, sys
import matplotlib.pyplot
import dlbook

failures = {}
for module in pkgutil.walk_packages(dlbook.__path__, "dlbook."):
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failures[module.name] = [type(error).__name__, getattr(error, "name", None), str(error)]
pip_exit_code = get_ipython().user_ns.get("_exit_code")
colab_calls = sys.modules["google.colab.output"].calls
print(json.dumps({"pip_exit_code": pip_exit_code, "colab_calls": colab_calls, "import_failures": failures}))
"""


def load_formatter() -> types.ModuleType:
    """``scripts/format_notebooks.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("format_notebooks", ROOT / "scripts" / "format_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runtime_versions() -> dict[str, str]:
    """``tests/colab_runtime.txt`` as normalised name -> version."""
    lines = RUNTIME_FILE.read_text(encoding="utf-8").splitlines()
    pins = (line.split("==") for line in lines if line.strip() and not line.startswith("#"))
    return {canonicalize_name(name): version.strip() for name, version in pins}


# ----------------------------------------------------------------------------------------------
# The Colab cell, run here with IPython's magics recorded


class RecordingShell:
    """Stands in for IPython's ``get_ipython()``: records line magics instead of running them."""

    def __init__(self) -> None:
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str) -> None:
        self.magics.append((name, line))


def run_colab_cell(in_colab: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[str, str]], list[str]]:
    """Run the Colab cell as IPython would; return the line magics and the calls to ``google.colab``."""
    calls: list[str] = []
    if in_colab:
        output = types.ModuleType("google.colab.output")
        output.enable_custom_widget_manager = lambda: calls.append("enable_custom_widget_manager")
        colab = types.ModuleType("google.colab")
        colab.output = output
        monkeypatch.setitem(sys.modules, "google.colab", colab)
        monkeypatch.setitem(sys.modules, "google.colab.output", output)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    shell = RecordingShell()
    code = TransformerManager().transform_cell(load_formatter().COLAB_CELL)
    exec(code, {"get_ipython": lambda: shell})  # noqa: S102 (the book's own cell)
    return shell.magics, calls


def test_colab_cell_does_nothing_outside_colab(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_colab_cell(in_colab=False, monkeypatch=monkeypatch) == ([], [])


def test_colab_cell_installs_only_dlbook_from_the_configured_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """In Colab: ``%pip install`` dlbook from ``_config.yml``'s repository, nothing pinned, then widgets on."""
    magics, calls = run_colab_cell(in_colab=True, monkeypatch=monkeypatch)
    repository = CONFIG["repository"]
    assert [(name, shlex.split(line)) for name, line in magics] == [
        ("pip", ["install", "--quiet", f"dlbook @ git+{repository['url']}@{repository['branch']}"])
    ], "the Colab cell must install dlbook alone, so that Colab keeps its own NumPy, PyTorch, ..."
    assert calls == ["enable_custom_widget_manager"], "the explorers need Colab's custom widget manager"


def test_every_chapter_starts_its_code_with_the_colab_cell() -> None:
    colab = load_formatter().COLAB_CELL
    assert CHAPTERS, "no chapter notebooks in _toc.yml"
    for notebook in CHAPTERS:
        first = next(cell for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code")
        assert first.source == colab, f"{notebook.name}: run `python scripts/format_notebooks.py`"
        tags = first.metadata.get("tags", [])
        assert "remove-cell" in tags, f"{notebook.name}: the Colab cell shows on the site"


def test_colab_versions_meet_dlbook_dependency_ranges() -> None:
    """Every dependency of ``pyproject.toml`` is in the Colab runtime at a version its range accepts."""
    versions = runtime_versions()
    for dependency in map(Requirement, PROJECT["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in versions, f"{name} is not in tests/colab_runtime.txt: is it in Colab?"
        assert dependency.specifier.contains(versions[name], prereleases=True), (
            f"Colab has {name} {versions[name]}, outside dlbook's range {dependency}: "
            "the Colab cell would replace it (and maybe need a runtime restart)"
        )


# ----------------------------------------------------------------------------------------------
# The simulated Colab runtime


@dataclass(frozen=True)
class ColabRun:
    """What happened in the simulated runtime."""

    runtime: Path
    before: dict[str, str]
    after: dict[str, str]
    setup: dict
    chapters: dict[str, dict]


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; fail the test with its output if it fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)
    output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"{shlex.join(command)} failed:\n{output}"
    return result.stdout


def runtime_environment(work: Path, runtime: Path) -> dict[str, str]:
    """The environment of the runtime's processes: its own Python first, nothing of this checkout.

    ``PYTHONPATH`` (which points kernels at the checkout) goes, and so does ``JUPYTER_PATH`` (which
    points them at the test run's kernel spec, ``tests/warm_kernels.py``, of this environment's
    Python). (``PYTHONDONTWRITEBYTECODE`` is gone already: the root ``conftest.py`` unsets it for the
    whole run, so a module compiled once is not compiled again by every process.) Jupyter's and
    IPython's user folders are new and empty, as in a fresh runtime.
    """
    drop = {"PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV", "PYTHONHOME"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    home = work / "home"
    env.update(
        PATH=f"{runtime / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"), JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_PLATFORM_DIRS="1", IPYTHONDIR=str(home / "ipython"),
        PYDEVD_DISABLE_FILE_VALIDATION="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def build_wheel(work: Path) -> Path:
    """dlbook's wheel, built from a copy of its sources so that nothing is written into the checkout."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "dlbook", source / "dlbook", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(work / "wheels"), str(source)], work)
    (wheel,) = (work / "wheels").glob("dlbook-*.whl")
    return wheel


def make_runtime(work: Path) -> Path:
    """A new virtual environment with ``tests/colab_runtime.txt`` installed and PyTorch lent."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "uv is missing: python -m pip install -r requirements.txt"
    runtime = work / "runtime"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(runtime)], work)
    python = str(runtime / "bin" / "python")
    run([uv, "pip", "install", "--quiet", "--python", python, "--no-deps", "-r", str(RUNTIME_FILE)], work)
    run([uv, "pip", "check", "--quiet", "--python", python], work)  # the list is a consistent set
    torch = importlib.metadata.distribution("torch")
    lent = work / "lent-torch"
    lent.mkdir()
    for top in sorted({Path(str(file)).parts[0] for file in torch.files} - {".."}):
        (lent / top).symlink_to(Path(torch.locate_file(top)))
    (site_packages,) = (runtime / "lib").glob("python3.*/site-packages")
    (site_packages / "lent-torch.pth").write_text(f"{lent}\n", encoding="utf-8")
    return runtime


INSTALLED = """\
import importlib.metadata, json
versions = {}
for distribution in importlib.metadata.distributions():  # in import order: the first one counts
    versions.setdefault(distribution.metadata["Name"], distribution.version)
print(json.dumps(versions))
"""


def installed(runtime: Path, env: dict[str, str]) -> dict[str, str]:
    """What the runtime's Python imports, as pip sees it too: normalised name -> version."""
    listing = run([str(runtime / "bin" / "python"), "-c", INSTALLED], runtime, env)
    return {canonicalize_name(name): version for name, version in json.loads(listing).items()}


def run_notebooks(runtime: Path, env: dict[str, str], notebooks: list[Path], report: Path) -> dict[str, dict]:
    """Run ``notebooks`` one after another in one kernel of the runtime (``tests/colab_runner.py``); its report."""
    run([str(runtime / "bin" / "python"), str(RUNNER), str(report), *map(str, notebooks)], report.parent, env)
    return json.loads(report.read_text(encoding="utf-8"))


def colab_cell_for(wheel: Path) -> str:
    """The chapters' Colab cell, installing the wheel instead of the repository's ``main``."""
    formatter = load_formatter()
    repository = CONFIG["repository"]
    git = shlex.quote(formatter.colab_requirement(repository["url"], repository["branch"]))
    assert formatter.COLAB_CELL.count(git) == 1, "the Colab cell no longer installs dlbook from _config.yml's repository"
    return formatter.COLAB_CELL.replace(git, shlex.quote(f"dlbook @ {wheel.as_uri()}"))


def chapter_in_colab(notebook: Path, folder: Path) -> Path:
    """A copy of the chapter that starts from an empty namespace, with ``google.colab`` present after its
    Colab cell and a last cell that says where dlbook is."""
    chapter = nbformat.read(notebook, as_version=4)
    colab = next(index for index, cell in enumerate(chapter.cells) if cell.cell_type == "code")
    chapter.cells.insert(colab + 1, nbformat.v4.new_code_cell(AFTER_COLAB_CELL))
    chapter.cells.insert(0, nbformat.v4.new_code_cell(NEW_CHAPTER))
    chapter.cells.append(nbformat.v4.new_code_cell(WHERE))
    nbformat.write(chapter, folder / notebook.name)
    return folder / notebook.name


def chapters_to_run(session: pytest.Session) -> list[Path]:
    """The chapters whose test below is being run (every chapter in a whole run; ``-k`` may pick fewer)."""
    picked = {item.callspec.params["notebook"] for item in session.items
              if getattr(item, "originalname", None) == "test_chapter_runs_in_the_colab_runtime"}
    return [notebook for notebook in CHAPTERS if notebook in picked]


@pytest.fixture(scope="module")
def colab(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> ColabRun:
    work = tmp_path_factory.mktemp("colab")
    with ThreadPoolExecutor(max_workers=1) as pool:  # build the wheel while uv makes the runtime
        building = pool.submit(build_wheel, work)
        runtime = make_runtime(work)
        wheel = building.result()
    env = runtime_environment(work, runtime)
    before = installed(runtime, env)

    # In one kernel of the runtime: the Colab cell, then every module of dlbook imported, then
    # every chapter (whose test is run).
    folder = work / "notebooks"
    folder.mkdir()
    setup = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        FAKE_COLAB, colab_cell_for(wheel), SETUP_REPORT)])
    nbformat.write(setup, folder / "colab_cell.ipynb")
    copies = [chapter_in_colab(notebook, folder) for notebook in chapters_to_run(request.session)]
    results = run_notebooks(runtime, env, [folder / "colab_cell.ipynb", *copies], work / "report.json")
    after = installed(runtime, env)
    setup_result = results.pop(str(folder / "colab_cell.ipynb"))
    chapters = {Path(path).name: result for path, result in results.items()}
    return ColabRun(runtime=runtime, before=before, after=after, setup=setup_result, chapters=chapters)


def test_colab_cell_installs_dlbook_and_changes_nothing_installed(colab: ColabRun) -> None:
    assert colab.setup["error"] is None, f"the Colab cell failed in the Colab runtime:\n{colab.setup['error']}"
    report = json.loads(colab.setup["last_output"])
    assert report["pip_exit_code"] == 0, "pip failed in the Colab cell"
    assert "dlbook" in colab.after and "dlbook" not in colab.before
    changed = {name: (version, colab.after.get(name)) for name, version in colab.before.items()
               if colab.after.get(name) != version}
    assert not changed, (
        f"the Colab cell changed what Colab had installed (name: (before, after)): {changed}; "
        "widen dlbook's dependency ranges in pyproject.toml"
    )
    assert "torch" in colab.before, "the runtime must have (lent) PyTorch, as Colab has"


def test_colab_cell_turns_on_the_custom_widget_manager(colab: ColabRun) -> None:
    assert colab.setup["error"] is None, colab.setup["error"]
    assert json.loads(colab.setup["last_output"])["colab_calls"] == ["enable_custom_widget_manager"]


def test_every_dlbook_module_imports_in_the_colab_runtime(colab: ColabRun) -> None:
    """Every module of dlbook imports in Colab's versions, right after the install (no restart).

    A module that needs a ``dlbook`` module that is not in the package fails everywhere, not only
    in Colab; the tests of that module report it, so it is left out here.
    """
    assert colab.setup["error"] is None, colab.setup["error"]
    failures = json.loads(colab.setup["last_output"])["import_failures"]
    colab_only = {module: message for module, (kind, missing, message) in failures.items()
                  if not (kind == "ModuleNotFoundError" and str(missing).startswith("dlbook."))}
    assert not colab_only, f"dlbook modules that fail to import in the Colab runtime: {colab_only}"


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[notebook.stem for notebook in CHAPTERS])
def test_chapter_runs_in_the_colab_runtime(colab: ColabRun, notebook: Path) -> None:
    result = colab.chapters[notebook.name]
    assert result["error"] is None, f"{notebook.name} failed in the Colab runtime:\n{result['error']}"
    where = json.loads(result["last_output"])
    site = Path(where["dlbook"]).resolve()
    assert site.is_relative_to(colab.runtime.resolve()), f"dlbook was imported from {site}, not the runtime"
    assert Path(where["prefix"]).resolve() == colab.runtime.resolve(), f"the kernel ran in {where['prefix']}"
