"""Binder builds its image from ``binder/``: requirements.txt's pins, PyTorch's CPU-only build.

repo2docker reads ``binder/`` instead of the repository's root files and runs
``pip install -r binder/requirements.txt`` from the repository root.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def requirement_lines(path: Path) -> list[str]:
    """The lines of a requirements file without comments, with ``-r`` files read in (paths relative to the file)."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if included := re.fullmatch(r"(?:-r|--requirement)\s*=?\s*(\S+)", line):
            lines.extend(requirement_lines(path.parent / included[1]))
        else:
            lines.append(line)
    return lines


def pins(lines: list[str]) -> dict[str, str]:
    """``name -> version`` that pip installs for every ``==`` requirement.

    A name pinned twice gets the one pinned version that meets both pins (``torch==2.13.0``
    and ``torch==2.13.0+cpu`` give ``2.13.0+cpu``).
    """
    specifiers: dict[str, list[Requirement]] = {}
    for line in lines:
        if not line.startswith("-"):
            requirement = Requirement(line)
            specifiers.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    result = {}
    for name, requirements in specifiers.items():
        everything = SpecifierSet(",".join(str(requirement.specifier) for requirement in requirements))
        pinned = {spec.version for requirement in requirements for spec in requirement.specifier if spec.operator == "=="}
        meeting = [version for version in pinned if everything.contains(version, prereleases=True)]
        assert len(meeting) == 1, f"{name}: pins {sorted(pinned)} leave {meeting}"
        result[name] = meeting[0]
    return result


def test_binder_pins_are_requirements_txt_with_cpu_torch() -> None:
    root = pins(requirement_lines(ROOT / "requirements.txt"))
    binder_lines = requirement_lines(BINDER / "requirements.txt")
    binder = pins(binder_lines)
    torch = Version(root["torch"])
    assert torch.local is None, f"requirements.txt pins torch {torch}: pin the public version"
    assert binder["torch"] == f"{torch}+cpu", f"Binder must get PyTorch {torch}'s CPU-only build, not {binder['torch']}"
    assert any(line.split()[0] in {"--extra-index-url", "--index-url"} and CPU_INDEX in line for line in binder_lines), (
        f"binder/requirements.txt must name PyTorch's CPU index {CPU_INDEX}"
    )
    others = {name: version for name, version in binder.items() if name != "torch"}
    assert others == {name: version for name, version in root.items() if name != "torch"}, (
        "binder/requirements.txt and requirements.txt disagree on pins"
    )
    assert "-e ." in binder_lines, "Binder must install dlbook itself (from the repository root)"


def test_binder_python_and_notebook_tools() -> None:
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), f"binder/runtime.txt must read python-3.X, not {runtime!r}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert SpecifierSet(project["requires-python"]).contains(f"{runtime.removeprefix('python-')}.0")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python {runtime.removeprefix('python-')}" in readme, "Binder's Python is not the README's"
    binder = pins(requirement_lines(BINDER / "requirements.txt"))
    for tool in ("jupyterlab", "ipywidgets", "ipykernel", "anywidget"):
        assert tool in binder, f"Binder opens the notebooks in JupyterLab: pin {tool}"
