"""Pages that are quick on a phone: finished at build time rather than in the reader's browser.

Every page the HTML builder writes in a build is finished once the build is done
(:func:`finish_pages`), in one pass over those pages only (the HTML files written
since the build started: a page a build does not write keeps what an earlier
build made of it, and finishing a page twice changes nothing):

* the theme's icons are inline SVG and ``fontawesome.js`` is gone
  (:mod:`dlbook_icons`);
* the math is typeset into SVG with assistive MathML, by MathJax's Node package
  in one process (:mod:`dlbook_math`), so no page loads MathJax
  (:func:`tidy_head` drops the scripts Sphinx adds for it);
* every figure says how big it is (``width`` and ``height``, so nothing moves as
  it loads), and the figures after a page's first load only when the reader
  comes near them (``loading="lazy"``) (:func:`size_images`);
* the explorers' modules and saved states leave the page for files of their own,
  fetched when an explorer comes near the screen (:func:`externalize_explorers`);
* the scripts are fetched and run once the browser has drawn the page, in the
  order it would have run them, and the theme's preloads of two of them go
  (:func:`scripts_after_paint`); the first visit styles the page once, not
  twice (:func:`resolve_theme`);
* only the search page loads Sphinx's search scripts and index, which the
  theme puts on every page for a search-as-you-type that is off
  (:func:`drop_search_scripts`);
* each figure is a palette PNG of at most 256 colours where that is smaller
  (:func:`compress_png`): a third of the bytes of matplotlib's PNG, the same
  picture to the eye;
* the theme's check of which code blocks and outputs scroll (made reachable
  with the keyboard) runs in slices of a few milliseconds, not in one long
  task that lays out the whole page (:func:`slice_theme_tab_stops`,
  ``static/dlbook-tabstops.js``);
* the highlighted code keeps a ``<span>`` only for the tokens the style sheet
  colours apart from the code around them: names, punctuation and spaces are
  plain text (:func:`plain_tokens`), a third of a chapter's elements fewer to
  style, lay out and check.

Each page also gets a ``<meta name="description">`` from its own opening: the
first sentences of its first paragraph (:func:`describe`).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import imagesize
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from dlbook_icons import inline_icons, small_icon_fonts, trim_theme_css
from dlbook_math import MathError, typeset_pages

logger = logging.getLogger(__name__)

#: The longest description made of whole sentences; a longer first sentence is cut at a word.
DESCRIPTION_LENGTH = 160
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: TeX of inline math in an opening, as plain text reads it.
TEX_WORDS = {
    r"\cdot": "·", r"\times": "×", r"\le": "≤", r"\ge": "≥", r"\ne": "≠", r"\approx": "≈",
    r"\to": "→", r"\sigma": "σ", r"\eta": "η", r"\theta": "θ", r"\nabla": "∇", r"\log": "log",
    r"\exp": "exp", r"\tanh": "tanh", r"\sum": "Σ", r"\infty": "∞",
}
TEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")

#: What comes before the icon fonts' rules that the build adds to the book's style sheet.
FONTS_NOTE = "\n/* The icon fonts, with only the icons the style sheets use (_ext/dlbook_icons.py). */\n"

#: The descriptions of the pages Sphinx makes itself, which have no opening of their own.
GENERATED = {
    "genindex": "The index of {book}: its terms, and where the book explains each.",
    "search": "Search the pages of {book}.",
}

IMAGE = re.compile(r"<img\b[^>]*?/?>")
SOURCE = re.compile(r'\bsrc="([^"]+)"')
#: Where the page's own content starts (images before it are the theme's).
ARTICLE = '<article class="bd-article"'
HEAD_END = "</head>"
BODY_END = "</body>"


def math_text(tex: str) -> str:
    """Inline TeX as plain text: ``z = w \\cdot x + b`` reads ``z = w · x + b``."""
    text = TEX_COMMAND.sub(lambda match: TEX_WORDS.get(match[0], ""), tex)
    return " ".join(text.replace("{", "").replace("}", "").split())


def opening(doctree: nodes.document) -> str:
    """The text of the first paragraph of a page, its math as plain text (empty if it has none)."""
    for paragraph in doctree.findall(nodes.paragraph):
        parts = [math_text(node.astext()) if isinstance(node, nodes.math) else node.astext()
                 for node in paragraph.findall(lambda node: isinstance(node, (nodes.Text, nodes.math)))
                 if not isinstance(node.parent, nodes.math)]
        text = " ".join("".join(parts).split())
        if text:
            return text
    return ""


def describe(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """The first sentences of ``text`` up to ``length`` characters, or its first sentence cut at a word."""
    if length < 20:
        raise ValueError(f"length must be at least 20 characters, got {length}")
    sentences = SENTENCE_END.split(text.strip())
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > length:
            break
        kept += " " + sentence
    if len(kept) <= length:
        return kept
    return kept[: kept.rfind(" ", 0, length - 1)].rstrip(",;:") + "…"


def is_mathjax(script: Any, mathjax_path: str) -> bool:
    """Whether a page script is one Sphinx adds for MathJax (its configuration, or MathJax itself)."""
    filename = str(script.filename or "")
    body = str(script.attributes.get("body", ""))
    return filename.endswith(mathjax_path) or body.startswith("window.MathJax")


def tidy_head(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
              doctree: nodes.document | None) -> None:
    """Give the page its description, and load no MathJax."""
    text = opening(doctree) if doctree is not None else ""
    book = context.get("docstitle") or app.config.html_title
    summary = describe(text) if text else GENERATED.get(pagename, "{title}: a page of {book}").format(
        title=context.get("title") or pagename, book=book)
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{html.escape(summary)}" />'
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = [script for script in scripts if not is_mathjax(script, app.config.mathjax_path)]


#: The theme's preloads of its own scripts: they would fetch them first, before the page's style
#: sheets and figures, although the scripts run only once the page is drawn.
SCRIPT_PRELOAD = re.compile(r'\s*<link\b(?=[^>]*\brel="preload")(?=[^>]*\bas="script")[^>]*>')
#: A script element: its attributes and its text.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
#: The type of a script held back until the page is drawn: one the browser neither runs nor fetches.
HELD = "text/dlbook-later"
#: What brings the held scripts back once the browser has drawn the page, inlined at the end of the body.
AFTER_PAINT = Path(__file__).with_name("scripts_after_paint.js")


def is_held_back(attributes: str) -> bool:
    """Whether a script with these attributes waits for the page to be drawn: every JavaScript script but
    the theme's tiny one that sets the colour mode before the page is drawn (marked ``data-cfasync``);
    data (widget state, configuration) and modules (which the loader would run as classic scripts) keep their type."""
    kind = re.search(r"""\btype=["']([^"']*)["']""", attributes)
    return "data-cfasync" not in attributes and (kind is None or kind[1] == "text/javascript")


def scripts_after_paint(page: str) -> str:
    """``page`` whose scripts run after the browser has drawn it, in the order it would have run them.

    The browser fetches every script a page names as soon as it reads its name,
    and a phone's connection then carries them, about 50 kB, while the page's
    text, style sheets and first figure are still on their way: the first screen
    is drawn later. Each script gets the type :data:`HELD` instead (the browser
    neither runs nor fetches it), and :data:`AFTER_PAINT`, inlined at the end of
    the body, brings them back once the browser reports the page's first
    contentful paint (the first screen is shown): classic scripts in the
    order of the page, then the deferred ones, then the async ones. The head's
    preloads of scripts go too.
    """
    body_end = page.rfind(BODY_END)
    if page.find(HEAD_END) < 0 or body_end < 0 or f'type="{HELD}"' in page:
        return page

    def hold(match: re.Match[str]) -> str:
        if not is_held_back(match[1]):
            return match[0]
        attributes = re.sub(r"""\s*\btype=["'][^"']*["']""", "", match[1])
        return f'<script type="{HELD}"{attributes}>{match[2]}</script>'

    page = SCRIPT.sub(hold, SCRIPT_PRELOAD.sub("", page[:body_end])) + page[body_end:]
    if f'type="{HELD}"' not in page:
        return page
    loader = AFTER_PAINT.read_text(encoding="utf-8").strip().replace("</", "<\\/")
    body_end = page.rfind(BODY_END)
    return page[:body_end] + f"<script>{loader}</script>\n" + page[body_end:]


#: The saved widget state myst-nb writes into a page that shows widgets.
WIDGET_STATE = re.compile(r'(<script type="application/vnd\.jupyter\.widget-state\+json">)(.*?)(</script>)', re.DOTALL)
#: Where the explorers' modules and saved states go, under ``_static/``; what stands for one of them in a page.
MODULES = "dlbook-explorers"
REFERENCE = "dlbook-file:"
#: What a page keeps of an explorer's saved state: what the widget loader needs before the explorer is drawn
#: (its kind, its module, and its CSS classes and style sheet, which reserve its place); the key that names
#: the file of the rest.
KEPT = ("_anywidget_id", "_dom_classes", "_css", "_esm")
STATE_FILE = "_dlbook_state"


def file_name(value: str | dict[str, Any]) -> str:
    """The name of the file that holds ``value`` (a module's source, the rest of a saved state): its hash."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()[:20]


def file_script(value: str | dict[str, Any]) -> str:
    """A classic script that hands ``value`` to the site's widget loader, under :func:`file_name`.

    A classic script, not a module or JSON: Chromium loads neither from a page
    opened from the file system, but it runs classic scripts there (the loader
    imports a module's source from a blob: URL).
    """
    return f"(globalThis.dlbookFiles ??= {{}})[{json.dumps(file_name(value))}] = {json.dumps(value)};\n"


def file_reference(value: str | dict[str, Any], static: Path) -> str:
    """``dlbook-file:<name>``, once ``static/dlbook-explorers/<name>.js`` holds ``value`` (written if new)."""
    name = file_name(value)
    target = static / MODULES / f"{name}.js"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file_script(value), encoding="utf-8")
    return REFERENCE + name


def externalize_explorers(page: str, static: Path) -> str:
    """``page`` with each explorer's ES module and saved state moved to files of their own.

    An explorer's module (``_esm``) goes to ``static/dlbook-explorers/<hash>.js``,
    one file shared by every page that shows that explorer and cached by the
    browser; the rest of its state but :data:`KEPT` (its settings and its data)
    to a file of its own. The page names both (``dlbook-file:<hash>``,
    the state's under :data:`STATE_FILE`), and a reader fetches them only when the
    explorer comes near the screen: the page, and the time to its first paint,
    are lighter by their size (the training playground's data sets and losses
    are 60 kB of gzipped HTML).
    """

    def state(match: re.Match[str]) -> str:
        saved = json.loads(match[2])
        for model in saved.get("state", {}).values():
            full = model.get("state", {})
            source = full.get("_esm")
            if not isinstance(source, str) or source.startswith(REFERENCE):
                continue
            rest = {key: value for key, value in full.items() if key not in KEPT}
            model["state"] = {key: full[key] for key in KEPT if key in full} | {
                "_esm": file_reference(source, static), STATE_FILE: file_reference(rest, static)}
        # As myst-nb writes it: no "</" that would end the script element early.
        return match[1] + json.dumps(saved).replace("</", "<\\/") + match[3]

    return WIDGET_STATE.sub(state, page)


#: The theme's first script sets the colour mode before the page is drawn, to "auto" on a first
#: visit; its main script then sets the theme the reader's system asks for, which makes the
#: browser style the whole page a second time. Resolving "auto" at once makes that a no-op.
THEME_DEFAULT = 'document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";'
THEME_RESOLVED = (
    'document.documentElement.dataset.theme = localStorage.getItem("theme") || '
    '(matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");'
)


def resolve_theme(page: str) -> str:
    """``page`` whose first script sets the light or dark theme at once on a first visit."""
    return page.replace(THEME_DEFAULT, THEME_RESOLVED, 1)


def image_file(tag: str, folder: Path) -> Path | None:
    """The file that the ``<img>`` ``tag`` of a page in ``folder`` shows; None for an image from elsewhere."""
    source = SOURCE.search(tag)
    if source is None or "://" in source[1]:
        return None
    return (folder / html.unescape(source[1]).split("?")[0]).resolve()


def size_images(page: str, folder: Path) -> str:
    """Give each image of ``page`` (a file in ``folder``) its size, and lazy loading after the first figure."""
    article = page.find(ARTICLE)
    figures = 0

    def image(match: re.Match[str]) -> str:
        nonlocal figures
        tag = match[0]
        in_article = 0 <= article < match.start()
        extra = ""
        # Only the article's figures: the theme sizes its own images (logos) in its style sheet.
        if in_article and " width=" not in tag and (path := image_file(tag, folder)) is not None:
            width, height = imagesize.get(path) if path.is_file() else (-1, -1)
            if width > 0 and height > 0:
                extra += f' width="{width}" height="{height}"'
        figures += in_article
        if (not in_article or figures > 1) and "loading=" not in tag:
            extra += ' loading="lazy" decoding="async"'
        return re.sub(r"\s*/?>$", lambda end: extra + end[0], tag, count=1)

    return IMAGE.sub(image, page)


#: A rule of Pygments' style sheet: where it applies (the theme's colour mode), the token class
#: (none for the code block's own rule) and its declarations.
PYGMENTS_RULE = re.compile(
    r"^(?P<scope>[^{}]*?)\.highlight(?: \.(?P<token>[\w-]+))? \{(?P<style>[^}]*)\}", re.MULTILINE)
#: A highlighted code block's text, and one token of it with its class.
CODE_BLOCK = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.DOTALL)
TOKEN = re.compile(r'<span class="([\w-]+)">([^<]*)</span>')


def declarations(style: str) -> dict[str, str]:
    """``"background: #fff; color: #000"`` as ``{"background": "#fff", "color": "#000"}``."""
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    return {name.strip(): value.strip() for name, value in pairs}


def plain_token_classes(css: str) -> set[str]:
    """The Pygments token classes that look like the code around them in every colour mode.

    In ``css`` (Pygments' style sheet), such a class's only declaration is the
    colour of ``.highlight`` itself under the same theme selector: the book's
    themes give names, punctuation and spaces the text colour of the code block.
    """
    blocks: dict[str, dict[str, str]] = {}
    tokens: dict[str, dict[str, dict[str, str]]] = {}
    for rule in PYGMENTS_RULE.finditer(css):
        style = declarations(rule["style"])
        if rule["token"] is None:
            blocks[rule["scope"]] = style
        else:
            tokens.setdefault(rule["token"], {})[rule["scope"]] = style
    # Under each theme selector, the one style a plain token may have (or inherit): the block's colour.
    plain = {scope: {"color": block.get("color")} for scope, block in blocks.items()}
    return {
        token for token, styles in tokens.items()
        if plain and set(styles) <= set(plain) and all(styles.get(scope, own) == own for scope, own in plain.items())
    }


def plain_tokens(page: str, classes: set[str]) -> str:
    """``page`` whose highlighted code has the tokens of ``classes`` as plain text, not ``<span>`` s.

    Pygments wraps every token, a name or a comma alike, in a ``<span>``; the ones
    whose class gives them the code block's own colour look the same without it.
    """

    def block(match: re.Match[str]) -> str:
        code = TOKEN.sub(lambda token: token[2] if token[1] in classes else token[0], match[2])
        return match[1] + code.removeprefix("<span></span>") + match[3]

    return CODE_BLOCK.sub(block, page)


#: Sphinx's search scripts and the search index, which pydata-sphinx-theme's layout loads on every page
#: for its search-as-you-type (``search_as_you_type``, off by default); the search page loads its own.
SEARCH_SCRIPT = re.compile(
    r'\s*<script src="[^"]*?(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>')
#: The one page that uses them.
SEARCH_PAGE = "search.html"


def drop_search_scripts(page: str) -> str:
    """``page`` without Sphinx's search scripts and index (30 KB that a page other than the search page never uses)."""
    return SEARCH_SCRIPT.sub("", page)


#: The most colours of a figure's palette.
PALETTE = 256


def compress_png(data: bytes) -> bytes:
    """A PNG figure as a palette PNG of at most 256 colours (transparency kept), or as it is if not smaller.

    matplotlib writes 8-bit RGBA; a figure's flat colours, text and antialiased
    edges fit a 256-colour palette with no difference the eye sees, in a third
    of the bytes. Already a palette (or not a PNG): unchanged.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format != "PNG" or image.mode not in ("RGB", "RGBA"):
            return data
        opaque = image.mode == "RGB" or image.getextrema()[3][0] == 255
        # Median cut for opaque figures; Pillow quantises RGBA only with the fast octree.
        palette = (image.convert("RGB").quantize(PALETTE, method=Image.Quantize.MEDIANCUT) if opaque
                   else image.quantize(PALETTE, method=Image.Quantize.FASTOCTREE))
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


def page_figures(page: str, folder: Path) -> set[Path]:
    """The PNG files of the figures in the article of ``page`` (a file in ``folder``)."""
    article = page.find(ARTICLE)
    files = (image_file(match[0], folder) for match in IMAGE.finditer(page) if 0 <= article < match.start())
    return {path for path in files if path is not None and path.suffix.lower() == ".png" and path.is_file()}


#: How the theme's script checks, once the page has loaded, which code blocks and outputs scroll
#: (``addTabStopsToScrollableElements``, minified): in one task, it lays out the whole page.
THEME_TAB_STOPS = re.compile(r'"complete"===document\.readyState\?(\w+)\(\):window\.addEventListener\("load",\1\)')
THEME_JS = Path("scripts") / "pydata-sphinx-theme.js"
#: What stands in its place: ``static/dlbook-tabstops.js`` does the same work in slices.
TAB_STOPS_MOVED = "0/* dlbook: tab stops set by dlbook-tabstops.js, in slices */"


def slice_theme_tab_stops(static: Path) -> None:
    """Stop the theme's script (in the site's ``static`` folder) checking every scrolling element at once.

    ``dlbook-tabstops.js`` makes the same elements reachable with the keyboard,
    on the same occasions (load, resize, content added), a few milliseconds at a
    time, so that no long task holds up the reader's first taps.
    """
    path = static / THEME_JS
    text = path.read_text(encoding="utf-8")
    if TAB_STOPS_MOVED in text:
        return
    changed, count = THEME_TAB_STOPS.subn(TAB_STOPS_MOVED, text)
    if count != 1:
        raise ExtensionError(f"dlbook_pages: {path} no longer starts its tab-stop check as this extension expects "
                             "(addTabStopsToScrollableElements on load): update THEME_TAB_STOPS")
    path.write_text(changed, encoding="utf-8")


def written_pages(outdir: Path, since: float) -> list[Path]:
    """The HTML pages in ``outdir`` written at or after the time ``since`` (seconds since the epoch)."""
    return [
        path for path in sorted(outdir.rglob("*.html"))
        if path.relative_to(outdir).parts[0] not in ("_static", "_sources") and path.stat().st_mtime >= since
    ]


#: When each HTML build started (by builder), less a second for file systems' coarse clocks.
STARTED: dict[int, float] = {}


def start_build(app: Sphinx) -> None:
    """Note when the build starts: it finishes the pages written after that."""
    STARTED[id(app.builder)] = time.time() - 1.0


def finish_pages(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build: icons, code, images and math of the pages this build wrote."""
    since = STARTED.pop(id(app.builder), None)
    if exception is not None or app.builder.format != "html" or since is None:
        return
    static = Path(app.outdir) / "_static"
    trim_theme_css(static)
    slice_theme_tab_stops(static)
    sheet = static / "dlbook.css"
    own = sheet.read_text(encoding="utf-8").split(FONTS_NOTE)[0]
    sheet.write_text(own + FONTS_NOTE + small_icon_fonts(static, Path(app.doctreedir) / "dlbook-fonts"), encoding="utf-8")
    plain = plain_token_classes((static / "pygments.css").read_text(encoding="utf-8"))
    pages = {}
    figures: set[Path] = set()
    search_as_you_type = app.builder.get_theme_config()[1].get("search_as_you_type") in (True, "True", "true")
    for path in written_pages(Path(app.outdir), since):
        page = inline_icons(path.read_text(encoding="utf-8"))
        if not search_as_you_type and path != Path(app.outdir) / SEARCH_PAGE:
            page = drop_search_scripts(page)
        figures |= page_figures(page, path.parent)
        page = externalize_explorers(size_images(plain_tokens(page, plain), path.parent), static)
        pages[path] = scripts_after_paint(resolve_theme(page))
    for figure in sorted(figures):
        data = figure.read_bytes()
        if (smaller := compress_png(data)) != data:
            figure.write_bytes(smaller)
    try:
        pages, errors = typeset_pages(pages, Path(app.srcdir), Path(app.doctreedir) / "dlbook-math.json")
    except MathError as error:
        raise ExtensionError(f"dlbook_pages: {error}") from error
    if errors:
        raise ExtensionError("dlbook_pages: the math of some pages cannot be typeset:\n" + "\n".join(errors))
    for path, page in pages.items():
        path.write_text(page, encoding="utf-8")
    logger.info(f"dlbook_pages: finished {len(pages)} page(s)")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", start_build)
    app.connect("html-page-context", tidy_head, priority=900)
    # After the theme writes its light and dark Pygments style sheet (at the default priority, 500).
    app.connect("build-finished", finish_pages, priority=900)
    app.add_js_file("dlbook-tabstops.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
