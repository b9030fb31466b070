"""Make the built website self-contained: it serves its own MathJax and widget loader.

Sphinx and myst-nb load MathJax and the Jupyter widget HTML manager from a CDN
by default. This extension copies MathJax from ``node_modules/`` (installed by
``npm ci`` from the pinned ``package.json``/``package-lock.json``) into
``_static/vendor/`` of the HTML output, and serves ``static/``, which holds the
site's own widget loader ``dlbook-widgets.js``: it mounts the book's explorers
(anywidgets, whose ES modules travel in the saved widget state) with no kernel.
``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at these files,
so a page works with no network at all.

If the files are missing, the extension runs ``npm ci`` once before the build
(the npm registry is the only network it needs, and only then).

It also serves the book's stylesheet ``static/dlbook.css`` (code that fits the
column, phones, figures in dark mode), puts ``templates/`` before the theme's
own templates (theme controls whose accessible names contain what they show),
and tidies every page (:func:`tidy_page`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

#: Where each vendored folder comes from (under ``node_modules/``) and goes to (under ``_static/``).
VENDORED = {
    "mathjax/es5": "vendor/mathjax",
}


def locked_versions(root: Path) -> dict[str, str]:
    """The version ``package-lock.json`` pins for each direct dependency in ``package.json``.

    Development dependencies count too: the browser tests run axe-core from ``node_modules/``.
    """
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    wanted = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    locked = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    return {name: locked[f"node_modules/{name}"]["version"] for name in wanted}


def installed_versions(root: Path) -> dict[str, str | None]:
    """The version of each direct dependency found in ``node_modules/`` (None where absent)."""
    found: dict[str, str | None] = {}
    for name in locked_versions(root):
        manifest = root / "node_modules" / name / "package.json"
        found[name] = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None
    return found


def ensure_installed(root: Path) -> None:
    """Run ``npm ci`` when ``node_modules/`` lacks a pinned package or holds another version."""
    if installed_versions(root) == locked_versions(root):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            "dlbook_site: the site's MathJax files are not installed and npm is missing. "
            "Install Node.js and npm (Debian: apt-get install -y nodejs npm), then run `npm ci` "
            f"in {root}."
        )
    logger.info("dlbook_site: installing the site's browser files with `npm ci`")
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0 or installed_versions(root) != locked_versions(root):
        raise ExtensionError(f"dlbook_site: `npm ci` failed in {root}:\n{result.stdout}\n{result.stderr}")


def add_templates(app: Sphinx, config: Config) -> None:
    """Let ``templates/`` override the theme's components (searched before the theme's own)."""
    config.templates_path.insert(0, str(HERE / "templates"))


def check_assets(app: Sphinx) -> None:
    """Before reading any page: make sure the files to vendor are there, and serve ``static/``."""
    if app.builder.format == "html":
        ensure_installed(Path(app.srcdir))
        app.config.html_static_path.append(str(HERE / "static"))


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build: copy the vendored folders into ``_static/vendor/``."""
    if exception is not None or app.builder.format != "html":
        return
    modules = Path(app.srcdir) / "node_modules"
    static = Path(app.outdir) / "_static"
    for source, target in VENDORED.items():
        shutil.copytree(modules / source, static / target, dirs_exist_ok=True)


#: How myst-nb opens the toggle of a hidden cell (``myst_nb.sphinx_.visit_HideCellInput``).
HIDDEN_CELL_SUMMARY = '<summary aria-label="Toggle hidden content">'


def tidy_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Tidy every page: two console errors of the theme, one accessible name.

    * The theme gets an explicit light/dark default (``auto``, the reader's
      system setting); without it pydata-sphinx-theme logs "Got invalid theme mode".
    * Each script is included once: sphinx-thebe and sphinx-togglebutton register
      their inline set-up scripts twice under Jupyter Book, and the second
      ``const THEBE_JS_URL`` is a JavaScript error.
    * A hidden cell's "Show code cell source" toggle is named by what it
      shows: myst-nb labels every such ``<summary>`` "Toggle hidden content",
      a name that does not contain its visible label (WCAG 2.5.3).
    """
    context.setdefault("default_mode", "auto")
    if isinstance(context.get("body"), str):
        context["body"] = context["body"].replace(HIDDEN_CELL_SUMMARY, "<summary>")
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        key = (str(script.filename or ""), tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", add_templates)
    app.connect("builder-inited", check_assets)
    app.add_css_file("dlbook.css", priority=900)  # after the theme's stylesheets
    app.connect("html-page-context", tidy_page, priority=900)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
