"""Set the book's repository address in one place and write it everywhere it is needed.

``_config.yml``'s ``repository`` (``url``, a GitHub repository, and ``branch``) is the one
place the address is set. From it this script writes:

* the Colab set-up cell of every chapter (``scripts/format_notebooks.py`` builds it from the
  configuration and puts it in place);
* the repository links of ``README.md``: where the book is published
  (``https://<owner>.github.io/<repository>/``), the first chapter in Colab, the chapters in
  Binder, the sources;
* ``[project.urls]`` of ``pyproject.toml``;
* the branch whose pushes the publishing workflow ``.github/workflows/publish.yml`` runs on
  (the workflow gets the repository itself from GitHub).

Jupyter Book's launch and repository buttons read ``_config.yml`` themselves.

Usage::

    python scripts/set_repository.py https://github.com/you/dlbook   # a fork: set it, write it everywhere
    python scripts/set_repository.py https://github.com/you/dlbook --branch trunk
    python scripts/set_repository.py           # write everything again from _config.yml
    python scripts/set_repository.py --check   # exit 1 and list what disagrees with _config.yml
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

README_START = "<!-- repository links: written by scripts/set_repository.py from _config.yml -->"
README_END = "<!-- end of repository links -->"
README_BLOCK = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
PROJECT_URLS = re.compile(r"^\[project\.urls\]\n(?:[^\[\n].*\n)*", re.MULTILINE)
WORKFLOW = Path(".github") / "workflows" / "publish.yml"
WORKFLOW_BRANCHES = re.compile(r"^  push:\n    branches: \[[^\]\n]*\]$", re.MULTILINE)
GITHUB_REPOSITORY = re.compile(r"https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?")


@dataclass(frozen=True)
class Repository:
    """A GitHub repository and branch, and the addresses derived from them."""

    owner: str
    name: str
    branch: str
    binderhub_url: str = "https://mybinder.org"
    colab_url: str = "https://colab.research.google.com"

    @classmethod
    def from_url(cls, url: str, branch: str, **launch: str) -> Repository:
        """Parse ``https://github.com/<owner>/<name>`` (Colab, Binder and Pages need GitHub)."""
        match = GITHUB_REPOSITORY.fullmatch(url.strip())
        if match is None:
            raise ValueError(f"repository url must read https://github.com/<owner>/<name>, not {url!r}")
        if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
            raise ValueError(f"branch {branch!r} is not a plain branch name")
        return cls(owner=match[1], name=match[2], branch=branch, **launch)

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    @property
    def pages_url(self) -> str:
        """Where GitHub Pages publishes the repository's site (a user or organisation site at the root)."""
        host = f"{self.owner.lower()}.github.io"
        return f"https://{host}/" if self.name.lower() == host else f"https://{host}/{self.name}/"

    def colab(self, notebook: str) -> str:
        return f"{self.colab_url}/github/{self.owner}/{self.name}/blob/{self.branch}/{notebook}"

    def binder(self, folder: str) -> str:
        return f"{self.binderhub_url}/v2/gh/{self.owner}/{self.name}/{self.branch}?urlpath=lab/tree/{folder}"


def configured(root: Path = ROOT) -> Repository:
    """The repository that ``_config.yml`` names, with its launch-button services."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    launch = {key: config["launch_buttons"][key].rstrip("/")
              for key in ("binderhub_url", "colab_url") if key in config.get("launch_buttons", {})}
    return Repository.from_url(config["repository"]["url"], str(config["repository"]["branch"]), **launch)


def first_chapter(root: Path) -> str:
    """The first notebook of ``_toc.yml`` under ``chapters/`` (what the README opens in Colab)."""
    toc = (root / "_toc.yml").read_text(encoding="utf-8")
    match = re.search(r"^\s*-?\s*file:\s*(chapters/\S+)\s*$", toc, re.MULTILINE)
    if match is None:
        raise ValueError("_toc.yml names no chapter under chapters/")
    return f"{match[1].removesuffix('.ipynb')}.ipynb"


def readme_block(repository: Repository, root: Path) -> str:
    return f"""{README_START}
The book is published at **<{repository.pages_url}>**, built from the
`{repository.branch}` branch of <{repository.url}>.
Open the first chapter
[in Colab]({repository.colab(first_chapter(root))})
or all chapters
[in Binder]({repository.binder("chapters")});
every chapter of the website has the same launch buttons (the rocket at the top;
the front page, which runs no code, has none).
{README_END}"""


def project_urls(repository: Repository) -> str:
    return f'[project.urls]\nHomepage = "{repository.pages_url}"\nSource = "{repository.url}"\n'


def rewrite(path: Path, pattern: re.Pattern[str], text: str) -> str:
    """``path``'s text with the one match of ``pattern`` replaced by ``text``."""
    old = path.read_text(encoding="utf-8")
    new, count = pattern.subn(lambda _: text, old)
    if count != 1:
        raise ValueError(f"{path.name}: expected one {pattern.pattern[:40]!r}... block, found {count}")
    return new


def expected_files(repository: Repository, root: Path) -> dict[Path, str]:
    """The text each file with repository links should have."""
    return {
        root / "README.md": rewrite(root / "README.md", README_BLOCK, readme_block(repository, root)),
        root / "pyproject.toml": rewrite(root / "pyproject.toml", PROJECT_URLS, project_urls(repository)),
        root / WORKFLOW: rewrite(root / WORKFLOW, WORKFLOW_BRANCHES, f"  push:\n    branches: [{repository.branch}]"),
    }


def set_configuration(url: str, branch: str, root: Path) -> None:
    """Write ``url`` and ``branch`` into ``_config.yml``'s ``repository``, keeping its comments."""
    repository = Repository.from_url(url, branch)
    path = root / "_config.yml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^repository:\n(?:[ \t]+.*\n|[ \t]*\n)+", text, re.MULTILINE)
    if block is None:
        raise ValueError("_config.yml has no repository: block")
    lines = block[0]
    for key, value in (("url", repository.url), ("branch", repository.branch)):
        lines, count = re.subn(rf"^([ \t]+{key}:[ \t]*).*$", lambda m, v=value: m[1] + v, lines, flags=re.MULTILINE)
        if count != 1:
            raise ValueError(f"_config.yml's repository block has {count} {key}: lines")
    path.write_text(text[: block.start()] + lines + text[block.end():], encoding="utf-8")
    written = configured(root)
    if (written.url, written.branch) != (repository.url, repository.branch):
        raise ValueError("_config.yml did not take the new repository")


def load_formatter(root: Path) -> types.ModuleType:
    """``scripts/format_notebooks.py`` of ``root``; its ``COLAB_CELL`` is built from ``root``'s ``_config.yml``."""
    spec = importlib.util.spec_from_file_location("format_notebooks", root / "scripts" / "format_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stale_notebooks(formatter: types.ModuleType, root: Path) -> list[Path]:
    """The chapters whose first code cell is not the Colab cell for the configured repository."""
    stale = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = next((cell["source"] for cell in cells if cell["cell_type"] == "code"), "")
        if "".join(code) != formatter.COLAB_CELL:
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="https://github.com/<owner>/<name> (default: keep _config.yml's)")
    parser.add_argument("--branch", help="the branch readers get (default: keep _config.yml's)")
    parser.add_argument("--check", action="store_true", help="only report what disagrees with _config.yml")
    args = parser.parse_args(argv)
    if args.check and (args.url or args.branch):
        parser.error("--check takes no url or branch")
    if args.url or args.branch:
        current = configured(ROOT)
        try:
            set_configuration(args.url or current.url, args.branch or current.branch, ROOT)
        except ValueError as error:
            parser.error(str(error))
    repository = configured(ROOT)
    stale = []
    for path, text in expected_files(repository, ROOT).items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    formatter = load_formatter(ROOT)  # after _config.yml is written: its Colab cell follows it
    notebooks = stale_notebooks(formatter, ROOT)
    if notebooks and not args.check:
        formatter.main([str(path) for path in notebooks])  # puts the Colab cell in place
    for path in stale + (notebooks if args.check else []):  # the formatter names the notebooks it writes
        print(f"{'disagrees with _config.yml' if args.check else 'written'}: {path.relative_to(ROOT).as_posix()}")
    if not args.check:
        print(f"repository: {repository.url} ({repository.branch}); published at {repository.pages_url}")
    return 1 if (args.check and (stale or notebooks)) else 0


if __name__ == "__main__":
    sys.exit(main())
