"""dlbook as Colab meets it: a built wheel in a fresh environment, and the Colab set-up cell.

The wheel is built from a copy of the package's sources, installed into a new
virtual environment outside the repository (no ``--system-site-packages``, no
editable link), and one chapter runs there top to bottom, its Colab cell
included. The environment gets only what ``pyproject.toml`` declares, held at
the versions ``requirements.txt`` pins, plus a kernel to run the notebook
(which Colab has already).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.specifiers import SpecifierSet

from tests.conftest import ROOT, TOC_FILES

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
TOC_NOTEBOOKS = [ROOT / f"{name}.ipynb" for name in TOC_FILES if (ROOT / f"{name}.ipynb").exists()]


def load_formatter():  # noqa: ANN201 (a module object)
    """``scripts/format_notebooks.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("format_notebooks", ROOT / "scripts" / "format_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def requirement_pins() -> dict[str, str]:
    """``name -> "name==version"`` for every ``==`` line of requirements.txt (names normalised)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            pins[re.sub(r"[-_.]+", "-", name).lower()] = f"{name}=={version}"
    return pins


def declared_names() -> list[str]:
    """The normalised names of the dependencies ``pyproject.toml`` declares."""
    names = (re.split(r"[\s<>=!~;\[]", dependency, maxsplit=1)[0] for dependency in PROJECT["dependencies"])
    return [re.sub(r"[-_.]+", "-", name).lower() for name in names]


def code_of(notebook: Path) -> str:
    """All code of a chapter except its Colab cell."""
    cells = nbformat.read(notebook, as_version=4).cells
    code = [cell.source for cell in cells if cell.cell_type == "code" and "google.colab" not in cell.source]
    return "\n".join(code)


# ----------------------------------------------------------------------------------------------
# The Colab cell


class RecordingShell:
    """Stands in for IPython's ``get_ipython()``: records line magics instead of running them."""

    def __init__(self) -> None:
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str) -> None:
        self.magics.append((name, line))


def run_colab_cell(in_colab: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Run the Colab cell as IPython would (magics transformed), with ``%pip`` recorded, not run."""
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    shell = RecordingShell()
    code = TransformerManager().transform_cell(load_formatter().COLAB_CELL)
    exec(code, {"get_ipython": lambda: shell})  # noqa: S102 (the book's own cell)
    return shell.magics


def test_colab_cell_does_nothing_outside_colab(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_colab_cell(in_colab=False, monkeypatch=monkeypatch) == []


def test_colab_cell_installs_dlbook_from_the_configured_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """In Colab: ``%pip install`` dlbook from ``_config.yml``'s repository, dependencies at their pins."""
    magics = run_colab_cell(in_colab=True, monkeypatch=monkeypatch)
    assert [name for name, _ in magics] == ["pip"]
    arguments = shlex.split(magics[0][1])
    assert arguments[0] == "install"
    repository = CONFIG["repository"]
    assert f"dlbook @ git+{repository['url']}@{repository['branch']}" in arguments
    pins = requirement_pins()
    expected = [pins[name] for name in declared_names()]
    assert [argument for argument in arguments if "==" in argument] == expected


def test_every_chapter_starts_its_code_with_the_colab_cell() -> None:
    colab = load_formatter().COLAB_CELL
    assert TOC_NOTEBOOKS, "no chapter notebooks in _toc.yml"
    for notebook in TOC_NOTEBOOKS:
        first = next(cell for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code")
        assert first.source == colab, f"{notebook.name}: run `python scripts/format_notebooks.py`"
        tags = first.metadata.get("tags", [])
        assert "remove-cell" in tags, f"{notebook.name}: the Colab cell shows on the site"


# ----------------------------------------------------------------------------------------------
# Binder: repo2docker builds the environment from runtime.txt and requirements.txt at the root


def test_binder_environment_files() -> None:
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), f"runtime.txt must read python-3.X, not {runtime!r}"
    version = runtime.removeprefix("python-")
    assert SpecifierSet(PROJECT["requires-python"]).contains(f"{version}.0"), "runtime.txt's Python is too old"
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.strip() for line in requirements]
    assert "-e ." in requirements, "requirements.txt must install dlbook itself for Binder"
    pins = requirement_pins()
    for tool in ("jupyterlab", "ipywidgets", "ipykernel"):
        assert tool in pins, f"Binder opens the notebooks in JupyterLab: requirements.txt needs {tool}"


# ----------------------------------------------------------------------------------------------
# The wheel in a fresh environment


def chapter_for_the_wheel() -> tuple[Path, bool]:
    """The first chapter that needs no PyTorch (cheap to install), else the first chapter with it."""
    for notebook in TOC_NOTEBOOKS:
        if not re.search(r"\btorch\b", code_of(notebook)):
            return notebook, False
    return TOC_NOTEBOOKS[0], True


def run(command: list[str], cwd: Path) -> str:
    """Run a command outside the repository's reach; fail the test with its output if it fails."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900,
                            check=False)
    output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"{shlex.join(command)} failed:\n{output}"
    return result.stdout


def test_wheel_runs_a_chapter_in_a_fresh_environment(tmp_path: Path) -> None:
    # Build the wheel from a copy of the sources, so that nothing is written into the repository.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "dlbook", source / "dlbook", ignore=ignore)
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(source)], tmp_path)
    (wheel,) = wheels.glob("dlbook-*.whl")

    notebook, needs_torch = chapter_for_the_wheel()
    environment = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(environment)], tmp_path)
    python = environment / "bin" / "python"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(requirement_pins().values()) + "\n", encoding="utf-8")
    package = f"dlbook[torch] @ {wheel.as_uri()}" if needs_torch else str(wheel)
    run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "-c", str(constraints), package, "ipykernel", "nbclient"], tmp_path)

    # Run the chapter away from the repository, with one last cell that says where dlbook came from.
    work = tmp_path / "work"
    work.mkdir()
    chapter = nbformat.read(notebook, as_version=4)
    where = "import dlbook, sys\nprint(dlbook.__file__)\nprint(sys.prefix)"
    chapter.cells.append(nbformat.v4.new_code_cell(where))
    nbformat.write(chapter, work / notebook.name)
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "client = NotebookClient(nb, timeout=300, kernel_name='python3', resources={'metadata': {'path': '.'}})\n"
        "client.execute()\n"
        "print(nb.cells[-1].outputs[0]['text'])\n"
    )
    output = run([str(python), "-c", script, notebook.name], work).split()
    installed = (environment / "lib").resolve()
    assert Path(output[-2]).resolve().is_relative_to(installed), f"dlbook was imported from {output[-2]}"
    assert Path(output[-1]).resolve() == environment.resolve(), f"the kernel ran in {output[-1]}"
