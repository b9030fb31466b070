"""The repository's address lives in ``_config.yml``; ``scripts/set_repository.py`` writes it everywhere else."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.conftest import ROOT

SCRIPT = Path("scripts") / "set_repository.py"
FORK = "https://github.com/Jane-Doe/deep-book"


def load_script(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("set_repository", ROOT / SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_script(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / SCRIPT), *arguments], cwd=root,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of every file that holds the repository's address, with the scripts that write it."""
    for name in ("README.md", "pyproject.toml", "_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("scripts", ".github"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "chapters").mkdir()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb"))[:2]:  # two stand for all: each costs time
        shutil.copy2(notebook, tmp_path / "chapters" / notebook.name)
    return tmp_path


def test_everything_agrees_with_the_configured_repository() -> None:
    result = run_script(ROOT, "--check")
    assert result.returncode == 0, f"run `python scripts/set_repository.py`:\n{result.stdout}{result.stderr}"


def test_one_command_points_a_fork_everywhere(checkout: Path) -> None:
    old = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    old_owner, old_name = old.removeprefix("https://github.com/").split("/")
    result = run_script(checkout, f"{FORK}.git", "--branch", "trunk")
    assert result.returncode == 0, result.stdout + result.stderr

    config = yaml.safe_load((checkout / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"] == {"url": FORK, "branch": "trunk"}
    for path in sorted(checkout.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".toml", ".yml", ".ipynb"}:
            text = path.read_text(encoding="utf-8")
            assert old not in text and f"{old_owner.lower()}.github.io" not in text, f"{path.name} keeps {old}"
    readme = (checkout / "README.md").read_text(encoding="utf-8")
    assert "https://jane-doe.github.io/deep-book/" in readme
    assert "https://colab.research.google.com/github/Jane-Doe/deep-book/blob/trunk/chapters/" in readme
    assert "https://mybinder.org/v2/gh/Jane-Doe/deep-book/trunk?urlpath=lab/tree/chapters" in readme
    assert "branches: [trunk]" in (checkout / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    for notebook in sorted((checkout / "chapters").glob("*.ipynb")):
        cells = nbformat.read(notebook, as_version=4).cells
        first = next(cell for cell in cells if cell.cell_type == "code")
        assert f"git+{FORK}@trunk" in first.source, f"{notebook.name}: Colab cell not rewritten"
    assert run_script(checkout, "--check").returncode == 0


def test_check_names_what_disagrees(checkout: Path) -> None:
    config = checkout / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("url: https://github.com/", "url: https://github.com/x"),
                      encoding="utf-8")
    result = run_script(checkout, "--check")
    assert result.returncode == 1
    for name in ("README.md", "pyproject.toml", "01_what_is_deep_learning.ipynb"):
        assert name in result.stdout, f"--check did not name {name}:\n{result.stdout}"


def test_pages_address_of_project_and_user_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    repository = load_script(monkeypatch).Repository
    assert repository.from_url("https://github.com/Some-Org/book/", "main").pages_url == "https://some-org.github.io/book/"
    assert repository.from_url("https://github.com/some-org/Some-Org.github.io", "main").pages_url == (
        "https://some-org.github.io/"
    )
    with pytest.raises(ValueError, match="github.com"):
        repository.from_url("https://gitlab.com/some-org/book", "main")
