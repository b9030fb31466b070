"""The theme's icons as inline SVG, written at build time: no page loads ``fontawesome.js``.

pydata-sphinx-theme writes each icon as an empty element with Font Awesome's
classes (``<i class="fas fa-rocket"></i>``) and loads the theme's
``fontawesome.js`` (1.5 MB, half a megabyte gzipped), whose work when a page
loads is to replace each such element with an inline ``<svg>``. This module
writes those same SVGs into the pages (:func:`inline_icons`), drawn from the
icon data of the theme's own ``fontawesome.js`` (:func:`icon_table`), with the
classes and attributes the script gives them, and removes the script's
``<script>`` tag (the book's style sheet, ``static/dlbook.css``, has the rules
of the script's own style sheet that these SVGs use). An element naming an icon the script does not
know is left as it is (the theme's style sheet still draws it with Font
Awesome's web font).

The few icons the theme's style sheets draw themselves, with Font Awesome's web
fonts, stay; :func:`trim_theme_css` drops the rules for the icon elements that
are now inline, and :func:`small_icon_fonts` makes fonts that hold only the icons
the style sheets use.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pydata_sphinx_theme
from fontTools import subset

#: The theme's Font Awesome script, which holds every icon's drawing.
FONTAWESOME_JS = (
    Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts" / "fontawesome.js"
)

#: The class names of Font Awesome's icon styles, each mapped to the script's short prefix.
STYLE_PREFIXES = {
    "fa-solid": "fas", "fas": "fas", "fa": "fas",
    "fa-regular": "far", "far": "far",
    "fa-brands": "fab", "fab": "fab",
}

#: The script's tag in the theme's page template.
SCRIPT_TAG = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')

#: An icon's entry in the script: ``"name":[width,height,[aliases],"unicode","path"]`` (a name
#: that is a JavaScript identifier or number goes without quotes).
ICON_ENTRY = re.compile(r'(?:"([\w-]+)"|(\w+)):\[(\d+),(\d+),\[([^\]]*)\],"\w*","([^"]+)"\]')
#: Where the script hands a block of icons to one style: ``d("fas",p)``.
STYLE_BLOCK_END = re.compile(r'\bd\("(fa[bsr])",p\)')

#: An element that is only Font Awesome classes around nothing: ``<i class="fas fa-file"></i>``.
ICON_ELEMENT = re.compile(r'<(i|span)(\s[^>]*?)?\s*>\s*</\1>')
ATTRIBUTE = re.compile(r'([^\s=]+)(?:="([^"]*)")?')


@dataclass(frozen=True)
class Icon:
    """One icon's drawing: its box and SVG path."""

    width: int
    height: int
    path: str


@functools.cache
def icon_table(script: Path = FONTAWESOME_JS) -> dict[tuple[str, str], Icon]:
    """Every icon of the script by (style prefix, name), aliases included: ``("fas", "rocket")``."""
    text = script.read_text(encoding="utf-8")
    ends = [(match.start(), match[1]) for match in STYLE_BLOCK_END.finditer(text)]
    if not ends:
        raise ValueError(f"script holds no Font Awesome icon block: {script}")
    table: dict[tuple[str, str], Icon] = {}
    block = 0
    for match in ICON_ENTRY.finditer(text):
        while block < len(ends) and ends[block][0] < match.start():
            block += 1
        if block == len(ends):
            break
        prefix = ends[block][1]
        icon = Icon(int(match[3]), int(match[4]), match[6])
        aliases = re.findall(r'"([\w-]+)"', match[5])
        for name in [match[1] or match[2], *aliases]:
            table.setdefault((prefix, name), icon)
    return table


def icon_svg(element: str, table: dict[tuple[str, str], Icon]) -> str | None:
    """The inline SVG that ``fontawesome.js`` puts in place of ``element``, or None if it is no icon."""
    match = ICON_ELEMENT.fullmatch(element)
    if match is None:
        return None
    attributes = {name: value or "" for name, value in ATTRIBUTE.findall(match[2] or "")}
    classes = attributes.pop("class", "").split()
    prefixes = {STYLE_PREFIXES[name] for name in classes if name in STYLE_PREFIXES}
    names = [name[3:] for name in classes if name.startswith("fa-") and name not in STYLE_PREFIXES]
    if len(prefixes) != 1:
        return None
    prefix = prefixes.pop()
    found = [(name, table[prefix, name]) for name in names if (prefix, name) in table]
    if len(found) != 1:
        return None
    name, icon = found[0]
    rest = [c for c in classes if c not in STYLE_PREFIXES and c != f"fa-{name}"]
    attributes.pop("aria-hidden", None)
    own = "".join(f' {key}="{html.escape(value)}"' for key, value in attributes.items())
    return (
        f'<svg class="{" ".join(["svg-inline--fa", f"fa-{name}", *rest])}"{own} aria-hidden="true" '
        f'focusable="false" data-prefix="{prefix}" data-icon="{name}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {icon.width} {icon.height}">'
        f'<path fill="currentColor" d="{icon.path}"></path></svg>'
    )


#: A rule of the theme's style sheet that draws one Font Awesome icon in an ``<i>`` element with the
#: icon's web font: ``.fa-rocket:before{content:"\f135"}``.
ICON_FONT_RULE = re.compile(r'\.fa-[a-z0-9-]+:before\{content:"[^"]*"\}')
THEME_CSS = Path("styles") / "pydata-sphinx-theme.css"


def trim_theme_css(static: Path) -> None:
    """Drop from the theme's style sheet (in the site's ``static`` folder) its rules for icon elements.

    With every icon inline, the theme's 1,900 rules that give each ``<i class="fa-...">``
    its glyph in the icon font are never used: a quarter of the style sheet every page
    must load before it is drawn. The icons the style sheet draws itself (admonitions,
    external links) take their glyph from variables and stay.
    """
    path = static / THEME_CSS
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        trimmed = ICON_FONT_RULE.sub("", text)
        if trimmed != text:
            path.write_text(trimmed, encoding="utf-8")


#: The theme's icon fonts, which its style sheets still use for a few icons they draw themselves
#: (admonitions, external links): family, weight and file name in ``vendor/fontawesome/webfonts/``.
ICON_FONTS = (
    ("Font Awesome 6 Free", 900, "fa-solid-900"),
    ("Font Awesome 6 Free", 400, "fa-regular-400"),
    ("Font Awesome 6 Brands", 400, "fa-brands-400"),
)
WEBFONTS = Path("vendor") / "fontawesome" / "webfonts"
#: An icon of a style sheet: a character of Unicode's private use area, or its escape ``\f0f3``.
PRIVATE_USE = re.compile(r"[\uf000-\uf8ff]|\\(f[0-9a-fA-F]{3})(?![0-9a-fA-F])")


def css_icons(static: Path) -> list[int]:
    """The icon code points that the site's own style sheets (in ``static``) use, in order."""
    found: set[int] = set()
    for sheet in static.rglob("*.css"):
        if WEBFONTS.parts[0] in sheet.relative_to(static).parts:
            continue
        for match in PRIVATE_USE.finditer(sheet.read_text(encoding="utf-8")):
            found.add(int(match[1], 16) if match[1] else ord(match[0]))
    return sorted(found)


def subset_font(source: Path, codepoints: list[int], target: Path) -> None:
    """Write to ``target`` the font ``source`` (TrueType) with only ``codepoints``, as WOFF."""
    options = subset.Options()
    options.flavor = "woff"
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(target), options)
    finally:
        font.close()


def small_icon_fonts(static: Path, cache: Path) -> str:
    """Icon fonts with only the icons the site's style sheets draw; the ``@font-face`` rules that use them.

    Each font goes to ``static`` as ``dlbook-<file>-<hash>.woff`` (a few kilobytes instead
    of the theme's 25 to 160): the rules, which come after the theme's, replace its fonts.
    Fonts already made are kept in ``cache``, keyed by what they are made from.
    """
    codepoints = css_icons(static)
    rules = []
    for family, weight, name in ICON_FONTS:
        source = static / WEBFONTS / f"{name}.ttf"
        if not source.is_file() or not codepoints:
            continue
        key = hashlib.sha256(source.read_bytes() + repr(codepoints).encode()).hexdigest()[:16]
        target = static / f"dlbook-{name}-{key}.woff"
        kept = cache / target.name
        if not kept.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            subset_font(source, codepoints, kept)
        shutil.copyfile(kept, target)
        rules.append(
            f'@font-face {{\n  font-family: "{family}";\n  font-style: normal;\n  font-weight: {weight};\n'
            f'  font-display: block;\n  src: url("{target.name}") format("woff");\n}}\n'
        )
    return "".join(rules)


def inline_icons(page: str) -> str:
    """``page`` (a built HTML page) with every icon drawn inline and without ``fontawesome.js``."""
    table = icon_table()

    def replace(match: re.Match[str]) -> str:
        return icon_svg(match[0], table) or match[0]

    page = ICON_ELEMENT.sub(replace, page)
    return SCRIPT_TAG.sub("", page)
