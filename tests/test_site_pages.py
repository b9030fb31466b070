"""The build's finishing of the website's pages (``_ext/``), piece by piece, without building the book.

Icons drawn inline from the theme's own Font Awesome data, the icon fonts cut
down to what the style sheets use, math typeset by MathJax's Node package (with
its cache), descriptions, image sizes, the explorers' modules moved out of the
pages, and the scripts moved to the end: each checked on small pages made here.
``tests/test_site.py`` checks the built book itself in Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from fontTools.ttLib import TTFont
from sphinx.errors import ExtensionError

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

import dlbook_icons  # noqa: E402
import dlbook_math  # noqa: E402
import dlbook_pages  # noqa: E402

NODE_MISSING = shutil.which("node") is None or not (ROOT / "node_modules" / "mathjax-full").is_dir()


# --- icons ----------------------------------------------------------------------------------------------

def test_an_icon_element_becomes_the_svg_fontawesome_js_would_draw() -> None:
    table = dlbook_icons.icon_table()
    sun = table["fas", "sun"]
    svg = dlbook_icons.icon_svg(
        '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" aria-hidden="true"></i>', table)
    assert svg == (
        '<svg class="svg-inline--fa fa-sun theme-switch fa-lg" data-mode="light" aria-hidden="true" '
        'focusable="false" data-prefix="fas" data-icon="sun" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {sun.width} {sun.height}"><path fill="currentColor" d="{sun.path}"></path></svg>'
    )
    assert sun.path.startswith("M") and (sun.width, sun.height) == (512, 512)


def test_icons_are_found_by_style_and_by_their_aliases() -> None:
    table = dlbook_icons.icon_table()
    assert table["fas", "search"] == table["fas", "magnifying-glass"]  # "search" is an alias
    assert ("fab", "github") in table and ("fas", "github") not in table  # a brand only
    assert table["far", "sun"] != table["fas", "sun"]  # the regular and solid suns differ
    svg = dlbook_icons.icon_svg('<span class="fab fa-github"></span>', table)
    assert 'data-prefix="fab"' in svg and 'data-icon="github"' in svg


def test_what_is_not_a_known_icon_stays_as_it_is() -> None:
    page = ('<i class="fa-solid fa-no-such-icon"></i><span class="eqno"></span><i>text</i>'
            '<span class="fa-solid fa-bars"></span>'
            '<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>')
    done = dlbook_icons.inline_icons(page)
    assert done.startswith('<i class="fa-solid fa-no-such-icon"></i><span class="eqno"></span><i>text</i><svg ')
    assert 'data-icon="bars"' in done and "fontawesome.js" not in done
    assert dlbook_icons.inline_icons(done) == done


def test_the_theme_css_loses_its_icon_element_rules_only(tmp_path: Path) -> None:
    sheet = tmp_path / "styles" / "pydata-sphinx-theme.css"
    sheet.parent.mkdir()
    sheet.write_text('.fa-rocket:before{content:"\\f135"}.note:after{content:var(--pst-icon-bell)}'
                     '.fa-lg{font-size:1.25em}.fa-bars:before{content:"\\f0c9"}')
    dlbook_icons.trim_theme_css(tmp_path)
    assert sheet.read_text() == ".note:after{content:var(--pst-icon-bell)}.fa-lg{font-size:1.25em}"


def test_icon_fonts_keep_only_the_icons_the_style_sheets_draw(tmp_path: Path) -> None:
    webfonts = tmp_path / dlbook_icons.WEBFONTS
    webfonts.mkdir(parents=True)
    theme = dlbook_icons.FONTAWESOME_JS.parent.parent / dlbook_icons.WEBFONTS
    for _, _, name in dlbook_icons.ICON_FONTS:
        shutil.copyfile(theme / f"{name}.ttf", webfonts / f"{name}.ttf")
        (webfonts / f"{name}.css").write_text('.ignored:after{content:"\\f001"}')  # the fonts' own folder
    (tmp_path / "a.css").write_text('.x:after{content:"\\f0f3"} .y:before{content:"\uf09b"}')
    assert dlbook_icons.css_icons(tmp_path) == [0xF09B, 0xF0F3]
    rules = dlbook_icons.small_icon_fonts(tmp_path, tmp_path / "cache")
    fonts = sorted(tmp_path.glob("dlbook-*.woff"))
    assert len(fonts) == 3 and all(font.name in rules for font in fonts)
    kept = {}
    for font in fonts:
        with TTFont(font) as read:
            kept[font.name.split("-")[2]] = set(read.getBestCmap())
    assert kept == {"solid": {0xF0F3}, "regular": {0xF0F3}, "brands": {0xF09B}}
    assert all(font.stat().st_size < 5000 for font in fonts)
    assert rules.count("@font-face") == 3 and 'font-family: "Font Awesome 6 Brands"' in rules
    again = dlbook_icons.small_icon_fonts(tmp_path, tmp_path / "cache")  # from the cache, the same
    assert again == rules


# --- math -----------------------------------------------------------------------------------------------

MATH_PAGE = """<html><head><title>t</title></head><body class="x">
<p>Inline <span class="math notranslate nohighlight">\\(a &lt; b\\)</span> and
<span class="math notranslate nohighlight">\\(x^2\\)</span>.</p>
<div class="math notranslate nohighlight" id="equation-one">
<span class="eqno">(1)<a class="headerlink" href="#equation-one">#</a></span>\\[\\frac{1}{2}\\]</div>
<div class="math notranslate nohighlight">\\begin{align} a &amp;= b \\end{align}</div>
<pre>\\(not math\\)</pre>
</body></html>"""


def test_formulas_are_found_with_their_kind_and_entities_decoded() -> None:
    assert dlbook_math.formulas_in(MATH_PAGE) == [
        dlbook_math.Formula("a < b", False),
        dlbook_math.Formula("x^2", False),
        dlbook_math.Formula("\\frac{1}{2}", True),
        dlbook_math.Formula("\\begin{align} a &= b \\end{align}", True),
    ]


def fake_cache(tmp_path: Path) -> dlbook_math.MathCache:
    """A cache holding a made-up typeset form of each formula of MATH_PAGE."""
    cache = dlbook_math.MathCache(tmp_path / "cache.json", "v1", css="mjx-container { color: red; }")
    for n, formula in enumerate(dlbook_math.formulas_in(MATH_PAGE)):
        cache.formulas[formula.key] = f'<mjx-container n="{n}"><use xlink:href="#G{n % 2}"></use></mjx-container>'
    cache.glyphs.update({"G0": '<path id="G0"></path>', "G1": '<path id="G1"></path>', "G2": "<path id='G2'/>"})
    return cache


def test_a_page_gets_each_formula_typeset_its_glyphs_and_the_style_sheet(tmp_path: Path) -> None:
    page = dlbook_math.typeset_page(MATH_PAGE, fake_cache(tmp_path))
    assert [int(n) for n in re.findall(r'<mjx-container n="(\d)">', page)] == [0, 1, 2, 3]
    assert "\\(" not in page.split("<pre>")[0] and "<pre>\\(not math\\)</pre>" in page
    assert '<span class="eqno">(1)<a class="headerlink" href="#equation-one">#</a></span><mjx-container n="2">' in page
    # The glyphs' definitions close the body: the browser draws the page's opening before it reads them.
    assert re.search(r'<svg id="MJX-SVG-global-cache" style="display: none;" aria-hidden="true">.*</svg></body>',
                     page, re.DOTALL)
    assert '<defs><path id="G0"></path><path id="G1"></path></defs>' in page  # the glyphs it uses, once
    assert "<style>mjx-container{color:red;}</style>\n</head>" in page
    assert dlbook_math.typeset_page(page, fake_cache(tmp_path)) == page  # typeset once
    assert dlbook_math.formulas_in(page) == []


@pytest.mark.skipif(NODE_MISSING, reason="needs Node.js and `npm ci` (mathjax-full)")
def test_mathjax_typesets_a_page_into_svg_with_assistive_mathml(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    pages, errors = dlbook_math.typeset_pages({path: MATH_PAGE}, ROOT, tmp_path / "math.json")
    assert errors == []
    page = pages[path]
    containers = re.findall(r"<mjx-container.*?</mjx-container>", page, re.DOTALL)
    assert len(containers) == 4
    for container in containers:
        assert '<svg style="vertical-align' in container and 'aria-hidden="true"' in container
        assert "<mjx-assistive-mml" in container and "<math " in container
    assert "<mi>a</mi><mo>&lt;</mo><mi>b</mi>" in containers[0]  # what a screen reader reads
    assert 'display="true"' in containers[2] and "<mfrac>" in containers[2]
    used = set(re.findall(r'xlink:href="#([^"]+)"', page))
    defined = set(re.findall(r'<path [^>]*id="([^"]+)"', page))
    assert used and used <= defined
    assert "mjx-assistive-mml{position:absolute !important;" in page


@pytest.mark.skipif(NODE_MISSING, reason="needs Node.js and `npm ci` (mathjax-full)")
def test_typeset_formulas_are_cached_and_tex_errors_name_the_page(tmp_path: Path, monkeypatch) -> None:
    path, cache = tmp_path / "page.html", tmp_path / "math.json"
    first, _ = dlbook_math.typeset_pages({path: MATH_PAGE}, ROOT, cache)

    def no_node(*args: object) -> None:
        raise AssertionError("MathJax ran again for formulas in the cache")

    monkeypatch.setattr(dlbook_math, "typeset", no_node)
    again, errors = dlbook_math.typeset_pages({path: MATH_PAGE}, ROOT, cache)
    assert errors == [] and again == first
    monkeypatch.undo()
    broken = MATH_PAGE.replace("x^2", "\\frac{x")
    pages, errors = dlbook_math.typeset_pages({tmp_path / "broken.html": broken}, ROOT, cache)
    assert len(errors) == 1 and errors[0].startswith("broken.html: MathJax cannot typeset '\\\\frac{x'")
    assert pages[tmp_path / "broken.html"] == broken
    saved = json.loads(cache.read_text())
    assert saved["version"].startswith("mathjax-full 3.2.2") and len(saved["formulas"]) == 4


def test_a_cache_of_another_version_is_not_used(tmp_path: Path) -> None:
    fake_cache(tmp_path).save()
    cache = fake_cache(tmp_path)
    cache.changed = True
    cache.save()
    assert dlbook_math.MathCache.load(tmp_path / "cache.json", "v1").formulas == cache.formulas
    assert dlbook_math.MathCache.load(tmp_path / "cache.json", "v2").formulas == {}
    assert dlbook_math.MathCache.load(tmp_path / "missing.json", "v1").formulas == {}


# --- descriptions, images, modules, scripts ----------------------------------------------------------------

def test_a_description_is_the_opening_sentences_that_fit() -> None:
    text = "First sentence here. Second one, a bit longer than the first. Third."
    assert dlbook_pages.describe(text, 61) == "First sentence here. Second one, a bit longer than the first."
    assert dlbook_pages.describe(text, 60) == "First sentence here."
    long = "A sentence that goes on and on, well past the limit, with no end in sight at all."
    assert dlbook_pages.describe(long, 40) == "A sentence that goes on and on, well…"
    with pytest.raises(ValueError, match="length must be at least 20"):
        dlbook_pages.describe(text, 5)


def test_math_in_an_opening_reads_as_text() -> None:
    assert dlbook_pages.math_text("z = w \\cdot x + b") == "z = w · x + b"
    assert dlbook_pages.math_text("\\eta \\, \\nabla L(\\theta)") == "η ∇ L(θ)"
    assert dlbook_pages.math_text("x_{1}^{2}") == "x_1^2"


#: Pygments' style sheet as the theme writes it: one rule per colour mode and token.
PYGMENTS_CSS = """\
html[data-theme="light"] .highlight pre { line-height: 125%; }
html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }
html[data-theme="light"] .highlight .k { color: #6730C5 } /* Keyword */
html[data-theme="light"] .highlight .n { color: #080808 } /* Name */
html[data-theme="light"] .highlight .p { color: #080808 } /* Punctuation */
html[data-theme="light"] .highlight .nb { color: #080808 } /* Name.Builtin */
html[data-theme="light"] .highlight .gs { color: #080808; font-weight: bold } /* Generic.Strong */
html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }
html[data-theme="dark"] .highlight .k { color: #FFA07A } /* Keyword */
html[data-theme="dark"] .highlight .n { color: #F8F8F2 } /* Name */
html[data-theme="dark"] .highlight .nb { color: #FFD700 } /* Name.Builtin */
html[data-theme="dark"] .highlight .gs { color: #F8F8F2; font-weight: bold } /* Generic.Strong */
"""


def test_plain_tokens_are_those_coloured_as_the_code_block_in_every_mode() -> None:
    # .p has no dark rule: it inherits the block's colour there. .nb is the text colour in light mode only;
    # .gs is also bold.
    assert dlbook_pages.plain_token_classes(PYGMENTS_CSS) == {"n", "p"}
    assert dlbook_pages.plain_token_classes("") == set()


def test_code_keeps_spans_only_for_tokens_coloured_apart() -> None:
    code = ('<div class="highlight"><pre><span></span><span class="k">for</span><span class="w"> </span>'
            '<span class="n">x</span> <span class="ow">in</span> <span class="n">xs</span><span class="p">:</span>'
            '</pre></div>')
    page = f'<p><span class="n">prose</span></p>{code}<div class="output"><pre><span class="n">out</span></pre></div>'
    finished = dlbook_pages.plain_tokens(page, {"n", "p", "w"})
    assert finished == (
        '<p><span class="n">prose</span></p><div class="highlight"><pre><span class="k">for</span> '
        'x <span class="ow">in</span> xs:</pre></div><div class="output"><pre><span class="n">out</span></pre></div>')
    assert re.sub("<[^>]+>", "", finished) == re.sub("<[^>]+>", "", page)  # the same text
    assert dlbook_pages.plain_tokens(finished, {"n", "p", "w"}) == finished  # finishing twice changes nothing


def write_png(path: Path, width: int, height: int) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), "white").save(path)


def test_figures_get_their_size_and_all_but_the_first_load_lazily(tmp_path: Path) -> None:
    (tmp_path / "_images").mkdir()
    write_png(tmp_path / "_images" / "a.png", 30, 20)
    write_png(tmp_path / "_images" / "b.png", 40, 10)
    page = ('<img alt="logo" src="_static/logo.svg"><article class="bd-article">'
            '<img alt="A" src="_images/a.png" /><img alt="B" src="_images/b.png" />'
            '<img alt="C" src="https://example.org/c.png" /></article>')
    done = dlbook_pages.size_images(page, tmp_path)
    assert done == ('<img alt="logo" src="_static/logo.svg" loading="lazy" decoding="async">'
                    '<article class="bd-article">'
                    '<img alt="A" src="_images/a.png" width="30" height="20" />'
                    '<img alt="B" src="_images/b.png" width="40" height="10" loading="lazy" decoding="async" />'
                    '<img alt="C" src="https://example.org/c.png" loading="lazy" decoding="async" /></article>')
    assert dlbook_pages.size_images(done, tmp_path) == done


def test_explorer_modules_and_states_leave_the_page_for_files_of_their_own(tmp_path: Path) -> None:
    source = "export default { render() {} }; // </script> inside"
    state = {"state": {
        "m1": {"model_module": "anywidget", "state": {"_esm": source, "_anywidget_id": "a.B", "x": 1, "_css": ".b{}"}},
        "m2": {"model_module": "anywidget", "state": {"_esm": source, "_dom_classes": ["c"], "losses": [0.5, 0.25]}},
        "m3": {"model_module": "@jupyter-widgets/base", "state": {"width": None}}}}
    page = ('<script type="application/vnd.jupyter.widget-state+json">'
            + json.dumps(state).replace("</script>", "<\\/script>") + "</script><p>after</p>")
    done = dlbook_pages.externalize_explorers(page, tmp_path)
    saved = json.loads(re.search(r"json\">(.*?)</script>", done, re.DOTALL)[1])
    module, rest1, rest2 = (dlbook_pages.file_name(value) for value in (source, {"x": 1}, {"losses": [0.5, 0.25]}))
    assert saved["state"]["m1"]["state"] == {"_anywidget_id": "a.B", "_css": ".b{}", "_esm": f"dlbook-file:{module}",
                                             "_dlbook_state": f"dlbook-file:{rest1}"}
    assert saved["state"]["m2"]["state"] == {"_dom_classes": ["c"], "_esm": f"dlbook-file:{module}",
                                             "_dlbook_state": f"dlbook-file:{rest2}"}
    assert saved["state"]["m3"] == state["state"]["m3"]
    assert sorted(path.name for path in (tmp_path / "dlbook-explorers").iterdir()) == sorted(
        f"{name}.js" for name in (module, rest1, rest2))
    script = (tmp_path / "dlbook-explorers" / f"{module}.js").read_text()
    assert script == f'(globalThis.dlbookFiles ??= {{}})["{module}"] = {json.dumps(source)};\n'
    script = (tmp_path / "dlbook-explorers" / f"{rest2}.js").read_text()
    assert script == f'(globalThis.dlbookFiles ??= {{}})["{rest2}"] = {{"losses": [0.5, 0.25]}};\n'
    assert done.endswith("</script><p>after</p>") and dlbook_pages.externalize_explorers(done, tmp_path) == done


def test_scripts_are_held_until_the_page_is_drawn() -> None:
    page = ('<html><head><script data-cfasync="false">mode()</script><link rel="stylesheet" href="a.css">'
            '\n<link rel="preload" as="script" href="theme.js" /><link rel="preload" as="font" href="f.woff">'
            '<script src="one.js"></script>\n<script>let two = 2;</script><title>t</title></head>'
            '<body><p>text</p><script type="application/vnd.jupyter.widget-state+json">{}</script>'
            '<script defer src="theme.js"></script><script type="text/javascript">three()</script></body></html>')
    done = dlbook_pages.scripts_after_paint(page)
    loader = dlbook_pages.AFTER_PAINT.read_text(encoding="utf-8").strip()
    assert "</" not in loader  # it is inlined as it is
    assert done == (
        '<html><head><script data-cfasync="false">mode()</script><link rel="stylesheet" href="a.css">'
        '<link rel="preload" as="font" href="f.woff"><script type="text/dlbook-later" src="one.js"></script>\n'
        '<script type="text/dlbook-later">let two = 2;</script><title>t</title></head><body><p>text</p>'
        '<script type="application/vnd.jupyter.widget-state+json">{}</script>'
        '<script type="text/dlbook-later" defer src="theme.js"></script><script type="text/dlbook-later">three()</script>'
        f'<script>{loader}</script>\n</body></html>')
    assert dlbook_pages.scripts_after_paint(done) == done


#: Scripts that log when they run (and what they find of the others), for the test below.
LOGGING_SCRIPTS = {
    "a.js": "log('a'); globalThis.fromA = 1; if (document.readyState === 'loading') "
            "document.addEventListener('DOMContentLoaded', () => log('a: ready'));",
    "c.js": "log('c', typeof fromE); window.addEventListener('load', () => log('c: load'));",
    "d.js": "log('d');",
}


def test_held_scripts_run_after_the_first_paint_as_the_browser_would_have_run_them(tmp_path: Path,
                                                                                    chromium: Browser) -> None:
    """Classic scripts in the page's order, then deferred ones, then async ones; scripts that wait for
    DOMContentLoaded or the window's load still hear them; all once the browser has reported the page's
    first contentful paint (the frame is on the screen), opened from the file system."""
    for name, text in LOGGING_SCRIPTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    page = ('<html><head><script data-cfasync="false">globalThis.ran = []; '
            'globalThis.log = (...what) => ran.push([what.join(" "), '
            'performance.getEntriesByName("first-contentful-paint").length]);</script>'
            '<script src="a.js"></script><script>log("b", typeof fromA)</script></head>'
            '<body><p>Some text to draw.</p><script defer src="c.js"></script><script async src="d.js"></script>'
            '<script>log("e"); globalThis.fromE = 1;</script></body></html>')
    (tmp_path / "page.html").write_text(dlbook_pages.scripts_after_paint(page), encoding="utf-8")
    tab = chromium.new_page()
    try:
        tab.goto((tmp_path / "page.html").as_uri(), wait_until="load")
        tab.wait_for_function("() => globalThis.dlbookScriptsRun && ran.some(([what]) => what === 'c: load')")
        ran = tab.evaluate("() => ran")
        state = tab.evaluate("() => document.readyState")
    finally:
        tab.close()
    order = [what for what, _ in ran]
    assert [what for what in order if what != "d"] == ["a", "b number", "e", "c number", "a: ready", "c: load"]
    assert "d" in order
    assert all(shown for _, shown in ran), f"scripts ran before the page's first contentful paint: {ran}"
    assert state == "complete"


def test_figures_become_palette_pngs_that_look_the_same(tmp_path: Path) -> None:
    """A matplotlib figure's PNG becomes a palette PNG, smaller, whose pixels differ by at most a few levels;
    a transparent background stays transparent; a palette PNG is left as it is."""
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    figure = Figure(figsize=(4, 3), dpi=100)
    axes = figure.subplots()
    x = np.linspace(0, 6, 200)
    axes.plot(x, np.sin(x), label="sin")
    axes.scatter(x[::7], np.cos(x[::7]), alpha=0.5, label="cos")
    axes.legend()
    for transparent in (False, True):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", transparent=transparent)
        data = buffer.getvalue()
        small = dlbook_pages.compress_png(data)
        assert len(small) < 0.7 * len(data)
        before = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"), dtype=float)
        after = np.asarray(Image.open(io.BytesIO(small)).convert("RGBA"), dtype=float)
        assert Image.open(io.BytesIO(small)).mode == "P" and after.shape == before.shape
        assert np.abs(after - before).mean() < 1.0 and np.percentile(np.abs(after - before), 99.9) <= 24
        assert (after[..., 3] == 0).any() == transparent
        assert dlbook_pages.compress_png(small) == small


def test_figures_of_a_page_are_its_articles_local_pngs(tmp_path: Path) -> None:
    (tmp_path / "_images").mkdir()
    write_png(tmp_path / "_images" / "a.png", 30, 20)
    (tmp_path / "_images" / "b.svg").write_text("<svg/>")
    page = ('<img src="_images/a.png"><article class="bd-article"><img alt="A" src="_images/a.png" />'
            '<img alt="B" src="_images/b.svg" /><img alt="C" src="https://example.org/c.png" /></article>')
    assert dlbook_pages.page_figures(page, tmp_path) == {(tmp_path / "_images" / "a.png").resolve()}


def test_the_themes_tab_stop_check_is_left_to_the_sliced_one(tmp_path: Path) -> None:
    theme = tmp_path / dlbook_pages.THEME_JS
    theme.parent.mkdir()
    original = 'f(),g();function I(){}"complete"===document.readyState?I():window.addEventListener("load",I)})();'
    theme.write_text(original)
    dlbook_pages.slice_theme_tab_stops(tmp_path)
    sliced = theme.read_text()
    assert sliced == original.replace('"complete"===document.readyState?I():window.addEventListener("load",I)',
                                      dlbook_pages.TAB_STOPS_MOVED)
    dlbook_pages.slice_theme_tab_stops(tmp_path)
    assert theme.read_text() == sliced
    theme.write_text("window.addEventListener('load', somethingElse)")
    with pytest.raises(ExtensionError, match="tab-stop check"):
        dlbook_pages.slice_theme_tab_stops(tmp_path)


def test_the_built_theme_script_has_the_tab_stop_check_the_build_expects() -> None:
    """The installed theme's script holds the call the build replaces (once), so a new theme version that
    changed it fails here rather than silently keeping the long task."""
    import pydata_sphinx_theme

    script = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / dlbook_pages.THEME_JS
    assert len(dlbook_pages.THEME_TAB_STOPS.findall(script.read_text(encoding="utf-8"))) == 1


def test_the_search_scripts_go() -> None:
    page = ('<p></p>\n    <script src="../_static/searchtools.js"></script>\n'
            '<script src="../_static/language_data.js"></script><script src="../searchindex.js"></script>'
            '<script src="../_static/doctools.js"></script>')
    assert dlbook_pages.drop_search_scripts(page) == '<p></p><script src="../_static/doctools.js"></script>'


def test_a_first_visit_gets_the_systems_colour_theme_at_once() -> None:
    page = f"<script>{dlbook_pages.THEME_DEFAULT}</script>"
    assert dlbook_pages.resolve_theme(page) == f"<script>{dlbook_pages.THEME_RESOLVED}</script>"
    assert "prefers-color-scheme: dark" in dlbook_pages.THEME_RESOLVED


def test_only_pages_written_since_the_build_started_are_finished(tmp_path: Path) -> None:
    for name in ("old.html", "new.html", "chapters/new.html", "_static/new.html", "_sources/new.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<p></p>")
    started = time.time() - 10
    os.utime(tmp_path / "old.html", (started - 100, started - 100))
    assert dlbook_pages.written_pages(tmp_path, started) == [tmp_path / "chapters" / "new.html", tmp_path / "new.html"]
