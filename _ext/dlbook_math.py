"""Math typeset at build time: the pages carry finished SVG, and no page loads a TeX engine.

Sphinx writes each formula as TeX between MathJax's delimiters inside an element
of class ``math`` (``<span class="math notranslate nohighlight">\\(x^2\\)</span>``,
display math in a ``<div>``), for MathJax to typeset in the reader's browser.
:func:`typeset_pages` typesets them instead, once, when the pages are built:
``typeset_math.mjs`` (next to this file) runs MathJax's own Node package,
``mathjax-full`` (pinned in ``package.json``), in one Node process for all the
formulas of the pages a build wrote. Each formula becomes what MathJax itself
puts in a page: an ``<mjx-container>`` with an SVG drawing, hidden from screen
readers, and MathJax's assistive MathML, which they read instead. A page defines
each glyph it uses once, in a hidden ``<svg>`` at the end of its body (MathJax's
global font cache: tens of kilobytes of paths that the browser need not read
before it draws the page's opening; a formula's glyphs appear as soon as they are
read), and carries MathJax's style sheet in its head.

Formulas already typeset by an earlier build come from a cache (:class:`MathCache`,
a JSON file keyed by the MathJax version and this code), so a build that changes
only prose starts no Node process at all; pages a build does not write are not
touched.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "typeset_math.mjs"

#: An element Sphinx's MathJax renderer writes: its opening tag, content and closing tag.
MATH_ELEMENT = re.compile(r'(<(span|div) class="math notranslate nohighlight"[^>]*>)(.*?)(</\2>)', re.DOTALL)
#: Inline ``\(...\)`` or display ``\[...\]`` TeX inside such an element.
DELIMITED = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
#: A numbered equation's number, which Sphinx puts before the TeX.
EQUATION_NUMBER = re.compile(r'^(\s*<span class="eqno">.*?</span>)', re.DOTALL)
#: What a typeset formula starts with (a page finished twice is typeset once).
TYPESET = "<mjx-container"
#: A glyph a formula draws, by its id in the page's glyph definitions.
GLYPH_USE = re.compile(r'xlink:href="#([^"]+)"')

#: The hidden SVG that defines a page's glyphs (MathJax's own id for its global font cache).
GLYPH_DEFS = '<svg id="MJX-SVG-global-cache" style="display: none;" aria-hidden="true"><defs>{}</defs></svg>'
#: Where the typeset page's style sheet and glyph definitions go.
HEAD_END = "</head>"
BODY_END = "</body>"


class MathError(RuntimeError):
    """MathJax could not typeset a formula, or could not run."""


@dataclass(frozen=True)
class Formula:
    """One formula as TeX, and whether it is display math."""

    tex: str
    display: bool

    @property
    def key(self) -> str:
        return ("D" if self.display else "I") + self.tex


@dataclass
class MathCache:
    """What MathJax made of each formula and glyph so far, kept between builds in a JSON file."""

    path: Path
    version: str
    formulas: dict[str, str] = field(default_factory=dict)
    glyphs: dict[str, str] = field(default_factory=dict)
    css: str = ""
    changed: bool = False

    @classmethod
    def load(cls, path: Path, version: str) -> MathCache:
        """The cache at ``path`` if it was written by this ``version``, else an empty one."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if saved.get("version") != version:
            return cls(path, version)
        return cls(path, version, saved["formulas"], saved["glyphs"], saved["css"])

    def save(self) -> None:
        if self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            state = {"version": self.version, "css": self.css, "formulas": self.formulas, "glyphs": self.glyphs}
            self.path.write_text(json.dumps(state), encoding="utf-8")
            self.changed = False


def cache_version(root: Path) -> str:
    """What the cached output depends on: the installed ``mathjax-full`` and the typesetting script."""
    manifest = root / "node_modules" / "mathjax-full" / "package.json"
    if not manifest.is_file():
        raise MathError(f"{manifest.relative_to(root)} is missing: run `npm ci` in {root}")
    mathjax = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    script = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:16]
    return f"mathjax-full {mathjax}, typeset_math.mjs {script}"


def formulas_in(page: str) -> list[Formula]:
    """Every formula of a built page still to typeset, in order."""
    return [
        formula
        for match in MATH_ELEMENT.finditer(page)
        if TYPESET not in match[3]
        for formula, _ in parts(match[2], match[3])
    ]


def parts(tag: str, content: str) -> list[tuple[Formula, tuple[int, int]]]:
    """The formulas in the content of a math element of kind ``tag``, each with its span in ``content``.

    A ``<div>`` without delimiters holds a display environment (``\\begin{align}``).
    """
    found = [
        (Formula(html.unescape(inline if inline is not None else display), inline is None), match.span())
        for match in DELIMITED.finditer(content)
        for inline, display in [match.groups()]
    ]
    if found or tag != "div":
        return found
    number = EQUATION_NUMBER.match(content)
    start = number.end() if number else 0
    return [(Formula(html.unescape(content[start:].strip()), True), (start, len(content)))]


def typeset(formulas: list[Formula], root: Path) -> dict[str, object]:
    """Run ``typeset_math.mjs`` once on ``formulas``; its JSON answer (see the script)."""
    node = shutil.which("node")
    if node is None:
        raise MathError("Node.js is needed to typeset the math: install it (Debian: apt-get install -y nodejs npm)")
    request = json.dumps({"formulas": [{"tex": f.tex, "display": f.display} for f in formulas]})
    result = subprocess.run([node, str(SCRIPT)], input=request, capture_output=True, text=True, cwd=root)
    if result.returncode != 0:
        raise MathError(f"typeset_math.mjs failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def fill_cache(cache: MathCache, formulas: Iterable[Formula], root: Path) -> dict[str, str]:
    """Typeset the ``formulas`` the cache lacks (one Node process, none if it lacks none).

    Returns MathJax's message for each formula it could not typeset (by key; it stays out of the cache).
    """
    missing = list({formula.key: formula for formula in formulas if formula.key not in cache.formulas}.values())
    if not missing:
        return {}
    answer = typeset(missing, root)
    errors = {}
    for formula, result in zip(missing, answer["formulas"], strict=True):
        if result["error"]:
            errors[formula.key] = result["error"]
        else:
            cache.formulas[formula.key] = result["html"]
    cache.glyphs.update(answer["glyphs"])
    cache.css = answer["css"]
    cache.changed = True
    return errors


def minified(css: str) -> str:
    """``css`` without comments, and with no white space that it does not need."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};:,>])\s*", r"\1", css).strip()


def typeset_page(page: str, cache: MathCache) -> str:
    """``page`` with each formula replaced by its typeset form from ``cache`` (which holds them all)."""
    glyphs: dict[str, None] = {}

    def element(match: re.Match[str]) -> str:
        opening, tag, content, closing = match.groups()
        if TYPESET in content:
            return match[0]
        pieces, end = [], 0
        for formula, (start, stop) in parts(tag, content):
            typeset = cache.formulas[formula.key]
            glyphs.update(dict.fromkeys(GLYPH_USE.findall(typeset)))
            pieces += [content[end:start], typeset]
            end = stop
        return opening + "".join(pieces) + content[end:] + closing

    page = MATH_ELEMENT.sub(element, page)
    if not glyphs:
        return page
    defs = GLYPH_DEFS.format("".join(cache.glyphs[glyph] for glyph in glyphs))
    page = page.replace(HEAD_END, f"<style>{minified(cache.css)}</style>\n{HEAD_END}", 1)
    end = page.rfind(BODY_END)
    return page[:end] + defs + page[end:] if end >= 0 else page + defs


def typeset_pages(pages: dict[Path, str], root: Path, cache_path: Path) -> tuple[dict[Path, str], list[str]]:
    """Typeset the math of the built ``pages`` (their HTML by path); the new HTML, and any errors.

    ``root`` holds ``node_modules/``; the cache is kept at ``cache_path``. Each error
    names the page and the formula; when there is any, the pages are returned unchanged.
    """
    wanted = {path: formulas_in(page) for path, page in pages.items()}
    if not any(wanted.values()):
        return pages, []
    cache = MathCache.load(cache_path, cache_version(root))
    failed = fill_cache(cache, (formula for formulas in wanted.values() for formula in formulas), root)
    cache.save()
    errors = [
        f"{path.name}: MathJax cannot typeset {formula.tex!r}: {failed[formula.key]}"
        for path, formulas in wanted.items()
        for formula in formulas
        if formula.key in failed
    ]
    if errors:
        return pages, errors
    return {path: typeset_page(page, cache) if wanted[path] else page for path, page in pages.items()}, []
