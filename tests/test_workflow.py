"""The publishing workflow: actionlint passes it; it runs the README's set-up and test commands
and publishes the website those tests built to GitHub Pages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import BUILD, ROOT
from tests.test_binder import CPU_INDEX, requirement_lines

WORKFLOWS = ROOT / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"


def workflow() -> dict[str, Any]:
    document = yaml.safe_load(PUBLISH.read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def readme_commands(heading: str) -> list[str]:
    """The lines of the ``bash`` blocks under the README's ``## <heading>``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(heading)}.*?(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert section, f"README.md has no section {heading!r}"
    blocks = re.findall(r"```bash\n(.*?)```", section[0], re.DOTALL)
    assert blocks, f"README.md's {heading!r} has no bash block"
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def steps(job: str) -> list[dict[str, Any]]:
    return workflow()["jobs"][job]["steps"]


def test_actionlint_passes_the_workflows() -> None:
    """actionlint (ShellCheck and pyflakes off, so that the result does not depend on what is on PATH)."""
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert actionlint, "actionlint is missing: python -m pip install -r requirements.txt"
    files = sorted(WORKFLOWS.glob("*.y*ml"))
    assert PUBLISH in files
    result = subprocess.run([actionlint, "-no-color", "-oneline", "-shellcheck=", "-pyflakes=", *map(str, files)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_workflow_runs_the_readme_set_up_and_tests() -> None:
    job = workflow()["jobs"]["test"]
    runs = [step.get("run", "") for step in job["steps"]]
    script = "\n".join(runs)
    for command in readme_commands("Set up") + readme_commands("Test"):
        assert command in script, f"the workflow does not run the README's {command!r}"
    assert re.fullmatch(r"python:3\.11-\w+", job["container"]["image"]), "the README asks for Python 3.11"
    assert re.search(r"apt-get install .*\bchromium\b", script), "the browser tests need Chromium from apt"
    assert re.search(r"apt-get install .*\bchromium-headless-shell\b", script), "the browser tests' lighter Chromium"
    tests = next(index for index, run in enumerate(runs) if "python -m pytest" in run)
    upload = next(index for index, step in enumerate(job["steps"])
                  if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload > tests, "the website is uploaded before the tests pass"
    assert ROOT / job["steps"][upload]["with"]["path"] == BUILD / "html", "publish the website the tests built"


def test_linux_set_up_takes_pytorchs_cpu_build_as_binder_does() -> None:
    """The README's set-up for Linux (what the workflow runs) adds the CPU index Binder uses; requirements.txt
    names no index, so a machine that cannot reach that host installs without retrying it for every package."""
    linux = [command for command in readme_commands("Set up") if "download.pytorch.org" in command]
    assert linux == [f"PIP_EXTRA_INDEX_URL={CPU_INDEX} python -m pip install -r requirements.txt && npm ci"]
    options = [line for line in requirement_lines(ROOT / "requirements.txt") if line.startswith("-")]
    assert options == ["-e ."], f"requirements.txt sets pip options: {options}"


def test_workflow_deploys_to_pages_on_pushes_to_the_books_branch() -> None:
    document = workflow()
    branch = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["branch"]
    assert document["on"]["push"]["branches"] == [branch]
    assert "workflow_dispatch" in document["on"]
    deploy = document["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    uses = [step.get("uses", "").split("@")[0] for step in deploy["steps"]]
    assert uses == ["actions/configure-pages", "actions/deploy-pages"]
