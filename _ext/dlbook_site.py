"""Make the built website self-contained and quick: it serves its own widget loader and finished pages.

Sphinx and myst-nb load MathJax and the Jupyter widget HTML manager from a CDN
by default. This extension serves ``static/``, which holds the site's own widget
loader ``dlbook-widgets.js``: it draws the book's explorers (anywidgets, whose ES
modules travel in the saved widget state) with no kernel, when they come near
the screen. ``_config.yml`` points ``nb_ipywidgets_js`` at it (a deferred
classic script, so that it also runs on pages opened from the file system). The
math is typeset when the book is built, by MathJax's Node package, and the
theme's icons are drawn inline (:mod:`dlbook_pages`, which this extension sets
up), so a page works with no network at all and loads no TeX engine.

The build needs the Node packages pinned in ``package.json`` (``mathjax-full``):
if they are missing, the extension runs ``npm ci`` once before the build (the npm
registry is the only network it needs, and only then).

It also serves the book's stylesheet ``static/dlbook.css`` (code that fits the
column, phones, figures in dark mode, the room explorers take before they are
drawn), puts ``templates/`` before the theme's own templates (theme controls
whose accessible names contain what they show), and tidies every page
(:func:`tidy_page`).
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
            "dlbook_site: the Node packages the build needs (package.json) are not installed and npm is missing. "
            "Install Node.js and npm (Debian: apt-get install -y nodejs npm), then run `npm ci` "
            f"in {root}."
        )
    logger.info("dlbook_site: installing the Node packages of package.json with `npm ci`")
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0 or installed_versions(root) != locked_versions(root):
        raise ExtensionError(f"dlbook_site: `npm ci` failed in {root}:\n{result.stdout}\n{result.stderr}")


def add_templates(app: Sphinx, config: Config) -> None:
    """Let ``templates/`` override the theme's components (searched before the theme's own), and
    keep one search field.

    sphinx-book-theme has its search field in the sidebar and no header bar; pydata-sphinx-theme
    0.17 puts another search field in a header bar unless ``navbar_persistent`` is set, which
    showed two search fields side by side on a wide screen.
    """
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_theme_options.setdefault("navbar_persistent", [])


def check_assets(app: Sphinx) -> None:
    """Before reading any page: make sure the Node packages are there, and serve ``static/``."""
    if app.builder.format == "html":
        ensure_installed(Path(app.srcdir))
        app.config.html_static_path.append(str(HERE / "static"))


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
    app.setup_extension("dlbook_pages")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
