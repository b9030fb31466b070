"""The website as readers meet it: every page of the built book in headless Chromium, offline.

The book is built once (``site`` fixture in conftest.py) into ``_build/html`` and
served on 127.0.0.1. Chromium comes from the operating system's packages
(``apt-get install -y chromium chromium-headless-shell``; without it these tests are skipped, saying
so); Playwright only drives it. Every request
that would leave localhost is blocked and recorded, so a page that needs the
network fails here exactly as it would for a reader offline. A failing test
saves a screenshot of its page to ``_build/screenshots/``.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import hashlib
import html
import http.server
import json
import re
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import nbformat
import pytest
import yaml
from nbval.plugin import IPyNbCell
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dlbook.widgets.playground import TrainingPlayground
from tests.alt_text import IMAGE_FILE, alt_text_problem
from tests.book import CHAPTERS
from tests.conftest import BUILD, ROOT, TOC_FILES, SiteBuild
from tests.explorer_driver import (
    PAD_EXPLORERS,
    DRAW_EVERY_EXPLORER_JS,
    SAVED_STATE_JS,
    controls,
    draw,
    drawn_image,
    explorer_key,
    figure_pixels,
    find_explorers,
    makes_an_explorer,
    move,
    move_away,
    oracle,
    part,
    picture_difference,
    position,
    readout,
    settings,
    shown,
)
from tests.notebook_runs import EXECUTED_BY, RUN, cache_folder, open_cache

sys.path.insert(0, str(ROOT / "_ext"))
import dlbook_pages  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Whether the site's widget loader has drawn the explorer of anchor ``id`` (a settings link's target:
#: the loader draws it at once, wherever it is on the page).
LINKED_EXPLORER_READY = "id => document.getElementById(id)?.closest('.dlbook-widget')?.dataset.ready === 'true'"
SCREENSHOTS = BUILD / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


#: Every HTML page of the site: one per table-of-contents entry, plus what Sphinx and Jupyter Book add.
PAGES = [f"{name}.html" for name in TOC_FILES] + ["genindex.html", "search.html"]
#: ``index.html`` only redirects to the first page.
REDIRECT = "index.html"


def joined_state(state: dict[str, Any], site: Path) -> dict[str, Any]:
    """The widget state a page of the ``site`` holds, with what its files hold put back.

    ``_ext/dlbook_pages.py`` moves each explorer's module and the rest of its saved state to files
    of their own: checks that the page keeps only the names of those files and what the loader needs
    before the explorer is drawn, and that each file is a script that hands its content to the loader.
    """
    state = copy.deepcopy(state)

    def content(reference: str) -> Any:
        assert reference.startswith(dlbook_pages.REFERENCE), reference
        name = reference.removeprefix(dlbook_pages.REFERENCE)
        script = (site / "_static" / dlbook_pages.MODULES / f"{name}.js").read_text(encoding="utf-8")
        prefix = f"(globalThis.dlbookFiles ??= {{}})[{json.dumps(name)}] = "
        assert script.startswith(prefix) and script.endswith(";\n"), script[:200]
        value = json.loads(script.removeprefix(prefix).removesuffix(";\n"))
        assert dlbook_pages.file_name(value) == name, f"{name}.js does not hold what its name says"
        return value

    for model in state.get("state", {}).values():
        kept = model.get("state", {})
        if "_esm" not in kept:
            continue
        assert set(kept) <= {*dlbook_pages.KEPT, dlbook_pages.STATE_FILE}, sorted(kept)
        rest = content(kept.pop(dlbook_pages.STATE_FILE))
        assert not set(rest) & set(kept), sorted(rest)
        model["state"] = {**kept, **rest, "_esm": content(kept["_esm"])}
    return state


def source_of(page: str) -> Path | None:
    """The notebook or Markdown file a page was built from (None for generated pages)."""
    stem = page.removesuffix(".html")
    if stem not in TOC_FILES:
        return None
    return next(path for suffix in (".ipynb", ".md") if (path := ROOT / f"{stem}{suffix}").exists())


def source_cells(page: str, cell_type: str) -> list[str]:
    """The sources of a page's cells of one type (a Markdown page is one Markdown cell)."""
    path = source_of(page)
    if path is None:
        return []
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")] if cell_type == "markdown" else []
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == cell_type]


def is_local(url: str) -> bool:
    """Whether loading ``url`` stays on this machine (inline data and blobs never touch the network)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


# ----------------------------------------------------------------------------------------------
# The build itself


def test_book_builds_without_warnings(site_build: SiteBuild) -> None:
    assert site_build.returncode == 0, f"jupyter-book build failed:\n{site_build.log[-8000:]}"
    # Sphinx's own format ("file:line: WARNING: ..."); kernels' log lines ("WARNING | ...") are not
    # build warnings.
    warnings = [line for line in site_build.log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    assert warnings == [], "\n".join(warnings)


#: What ``_ext/dlbook_execution.py`` says at the end of reading: notebooks executed, of those read.
EXECUTED = re.compile(r"dlbook_execution: executed (\d+) of (\d+) notebook")


def page_scripts(html: str, mime: str) -> list[Any]:
    """The JSON of every ``<script type="mime">`` of a built page, in order."""
    return [json.loads(text) for text in re.findall(rf'<script type="{re.escape(mime)}">(.*?)</script>', html, re.S)]


def output_images(html: str, page: Path) -> list[bytes]:
    """The image files a built page shows from its cells' outputs (myst-nb writes them to ``_images/``)."""
    return [(page.parent / src).read_bytes() for src in re.findall(r'<img [^>]*src="(\.\./_images/[^"]+)"', html)]


def test_pages_show_this_runs_execution_and_the_build_executed_none(site: Path, site_build: SiteBuild,
                                                                      request: pytest.FixtureRequest) -> None:
    """One execution per chapter per run: nbval's, which the site shows, outputs and widget state alike.

    Every chapter's execution in the book's jupyter-cache is the one nbval made in
    this test run (``tests/notebook_runs.py``), the build executed no notebook, and
    each chapter's page shows that execution: its explorers' model ids (random for
    each execution), saved widget state and figures are those of this run's.
    """
    tested = {item.path.resolve() for item in request.session.items if isinstance(item, IPyNbCell)}
    untested = [chapter.name for chapter in CHAPTERS if chapter.resolve() not in tested]
    if untested:
        pytest.skip(f"the notebook tests of {untested} are not part of this run: the build executed what the "
                    "cache lacked")
    counts = [tuple(map(int, found)) for found in EXECUTED.findall(site_build.log)]
    assert counts == [(0, len(CHAPTERS))], f"the build executed notebooks: {counts}\n{site_build.log[-3000:]}"
    cache = open_cache(cache_folder())
    for chapter in CHAPTERS:
        record = cache.match_cache_notebook(nbformat.read(chapter, as_version=4))
        assert record.data.get("executed_by") == EXECUTED_BY and record.data.get("test_run") == RUN, (
            f"{chapter.name}: the cache holds another execution than this run's nbval: {record.data}")
        executed = cache.get_cache_bundle(record.pk).nb
        page = site / chapter.relative_to(ROOT).with_suffix(".html")
        html = page.read_text(encoding="utf-8")
        views = [output["data"][WIDGET_VIEW]["model_id"] for cell in executed.cells for output in cell.outputs
                 if WIDGET_VIEW in output.get("data", {})]
        assert [view["model_id"] for view in page_scripts(html, WIDGET_VIEW)] == views, chapter.name
        saved = [joined_state(state, site) for state in page_scripts(html, WIDGET_STATE)]
        assert saved == ([executed.metadata.widgets[WIDGET_STATE]] if views else []), chapter.name
        # As the site publishes them: palette PNGs where smaller (_ext/dlbook_pages.py).
        drawn = {hashlib.sha256(dlbook_pages.compress_png(base64.b64decode(output["data"]["image/png"]))).digest()
                 for cell in executed.cells for output in cell.outputs if "image/png" in output.get("data", {})}
        shown = [hashlib.sha256(image).digest() for image in output_images(html, page)]
        assert set(shown) <= drawn, f"{chapter.name}: figures that this run's execution did not draw"


def test_the_chapters_that_make_an_explorer_are_those_whose_page_shows_one(site: Path) -> None:
    """The live JupyterLab test runs the chapters that make an explorer (``makes_an_explorer``): every page
    with an explorer on the website is among them."""
    shown = [chapter.name for chapter in CHAPTERS if page_scripts(
        (site / chapter.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8"), WIDGET_VIEW)]
    assert shown == [chapter.name for chapter in CHAPTERS if makes_an_explorer(chapter)]


def test_every_built_page_is_visited(site: Path) -> None:
    built = {path.relative_to(site).as_posix() for path in site.rglob("*.html")}
    built = {page for page in built if not page.startswith(("_static/", "_sources/"))}
    assert built == {*PAGES, REDIRECT}


def test_site_serves_its_own_scripts(site: Path) -> None:
    """The widget loader is a file of the site, where ``_config.yml`` points, loaded as a deferred
    classic script (Chromium runs no module script on a page opened from the file system)."""
    for script, attributes in CONFIG["sphinx"]["config"]["nb_ipywidgets_js"].items():
        assert "://" not in script, f"{script} is loaded from outside the site"
        assert (site / "_static" / script).is_file(), f"{script} is missing from _static/"
        assert "type" not in attributes and "defer" in attributes, f"{script}: {attributes}"


#: A script that a page loads, by its address.
SCRIPT_SOURCE = re.compile(r"""<script\b[^>]*\bsrc=["']([^"']+)["']""", re.IGNORECASE)
#: An element that fontawesome.js would have to draw: Font Awesome's classes on anything but an SVG.
FONT_AWESOME_ELEMENT = re.compile(r"""<(?!svg\b)\w+\b[^>]*\bclass=["'][^"']*\bfa(?:-solid|-brands|-regular|s|b|r)\b""")


def test_no_page_loads_a_tex_engine_or_an_icon_script(site: Path) -> None:
    """Math is typeset and icons are drawn when the book is built: no page loads MathJax or fontawesome.js."""
    offenders = {}
    for page in PAGES:
        text = (site / page).read_text(encoding="utf-8")
        heavy = [src for src in SCRIPT_SOURCE.findall(text) if re.search(r"mathjax|fontawesome", src, re.IGNORECASE)]
        left = FONT_AWESOME_ELEMENT.findall(text)
        if heavy or left or "window.MathJax" in text:
            offenders[page] = heavy + left + (["window.MathJax"] if "window.MathJax" in text else [])
    assert offenders == {}


def test_only_the_search_page_loads_the_search_index(site: Path) -> None:
    """Sphinx's search scripts and index serve the search page; the others, with no search-as-you-type, skip them."""
    loads = {page: [src for src in SCRIPT_SOURCE.findall((site / page).read_text(encoding="utf-8"))
                    if re.search(r"searchtools|language_data|searchindex", src)] for page in PAGES}
    assert {page for page, scripts in loads.items() if scripts} == {"search.html"}
    assert len(loads["search.html"]) == 3


#: A page's description for search engines and link previews.
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')


def test_every_page_has_a_description_from_its_opening(site: Path) -> None:
    """Each page has a meta description; a page of the book's opens with the first words of its first paragraph."""
    for page in PAGES:
        descriptions = DESCRIPTION.findall((site / page).read_text(encoding="utf-8"))
        assert len(descriptions) == 1, f"{page}: {len(descriptions)} descriptions"
        description = html.unescape(descriptions[0])
        assert 20 <= len(description) <= 160, f"{page}: {description!r}"
        paragraphs = [p for p in "\n\n".join(source_cells(page, "markdown")).split("\n\n")
                      if p.strip() and not p.lstrip().startswith(("#", "`", ":", "<", "-", "|"))]
        if paragraphs:
            words = re.sub(r"[*_`]", "", paragraphs[0]).split()[:4]
            assert description.split()[:4] == words, f"{page}: {description!r} is not its opening"


#: An image tag of a built page.
IMAGE_TAG = re.compile(r"<img\b[^>]*>")


def test_images_have_a_size_and_figures_below_the_first_load_lazily(site: Path) -> None:
    """Every figure states its width and height (nothing moves when it arrives), and every figure but
    a page's first waits until the reader comes near it."""
    for page in PAGES:
        text = (site / page).read_text(encoding="utf-8")
        article = text.find('<article class="bd-article"')
        figures = [tag for tag in IMAGE_TAG.finditer(text) if tag.start() > article >= 0]
        for tag in figures:
            assert re.search(r'\bwidth="\d+"', tag[0]) and re.search(r'\bheight="\d+"', tag[0]), f"{page}: {tag[0]}"
        lazy = ['loading="lazy"' in tag[0] for tag in figures]
        assert lazy == [False] + [True] * (len(lazy) - 1) if lazy else True, f"{page}: {lazy}"


#: Tags that make a browser fetch something as soon as the page loads, with an absolute address.
FETCHED_FROM_OUTSIDE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|modulepreload|icon|preconnect)["'])"""
    r"""[^>]*\bhref=["'](?:https?:)?//""",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_outside(site: Path) -> None:
    """Every built page, including its scripts that only run on a click, names only local files to load."""
    offenders = {
        page.relative_to(site).as_posix(): [match[0] for match in FETCHED_FROM_OUTSIDE.finditer(text)]
        for page in site.rglob("*.html")
        if FETCHED_FROM_OUTSIDE.search(text := page.read_text(encoding="utf-8"))
    }
    assert offenders == {}


# ----------------------------------------------------------------------------------------------
# Serving the site and driving Chromium


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """Serve ``_build/html`` on an unused port of 127.0.0.1; yield its base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@dataclass
class Visit:
    """One page opened in Chromium, with everything it did while loading."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    layout_shift: float = 0.0


#: The page's cumulative layout shift so far (the browser's own measure, as Lighthouse's): the
#: shifts of what the reader sees that no input of theirs caused, summed.
LAYOUT_SHIFT = """() => new Promise(done => {
    let sum = 0;
    const add = entries => entries.forEach(entry => { if (!entry.hadRecentInput) sum += entry.value; });
    const observer = new PerformanceObserver(list => add(list.getEntries()));
    observer.observe({type: 'layout-shift', buffered: true});
    setTimeout(() => { add(observer.takeRecords()); observer.disconnect(); done(sum); }, 200);
})"""


def page_of(visit: Visit) -> str:
    """The page's path inside the site, as listed in :data:`PAGES`."""
    return urlsplit(visit.url).path.lstrip("/")


@pytest.fixture(scope="module", params=PAGES)
def visit(request: pytest.FixtureRequest, chromium: Browser, server: str) -> Iterator[Visit]:
    """Open one page (once for all the tests below) and wait until math and widgets are drawn."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)  # two cores, shared with the rest of the test suite
    page = context.new_page()
    seen = Visit(page=page, url=urljoin(server, request.param))

    def route(route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page.on("request", lambda req: seen.requests.append(req.url))
    page.on("websocket", lambda ws: seen.blocked.append(ws.url))
    page.on("console", lambda msg: msg.type == "error" and seen.console_errors.append(msg.text))
    page.on("pageerror", lambda error: seen.console_errors.append(f"uncaught: {error}"))
    page.on("response", lambda res: res.status >= 400 and seen.http_errors.append(f"{res.status} {res.url}"))
    page.goto(seen.url, wait_until="load")
    # The site's widget loader draws each saved view into the element just before its <script> when
    # it comes near the screen: scroll to each as a reader would. If one is never drawn,
    # test_widget_views_render says which; test_explorers_do_not_move_the_page measures the shifts.
    page.evaluate(DRAW_EVERY_EXPLORER_JS)
    with contextlib.suppress(PlaywrightTimeoutError):  # late requests (fonts) are recorded too
        page.wait_for_load_state("networkidle", timeout=10_000)
    seen.layout_shift = page.evaluate(LAYOUT_SHIFT)
    yield seen
    context.close()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a failed test that looked at a page, save a full-page screenshot of it."""
    yield
    report = getattr(request.node, "report_call", None)
    seen = request.node.funcargs.get("visit")
    if report is not None and report.failed and seen is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        seen.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_index_redirects_to_the_first_page(chromium: Browser, server: str) -> None:
    page = chromium.new_page()
    page.goto(urljoin(server, REDIRECT))
    page.wait_for_url(urljoin(server, PAGES[0]), timeout=10_000)
    page.close()


# ----------------------------------------------------------------------------------------------
# What every page must do


def test_no_console_errors(visit: Visit) -> None:
    assert visit.console_errors == []
    assert visit.http_errors == []


def test_no_request_leaves_localhost(visit: Visit) -> None:
    assert visit.requests, "the page made no request at all: was it served?"
    assert visit.blocked == [], f"requests to outside the site: {visit.blocked}"
    assert [url for url in visit.requests if not is_local(url)] == []


#: The math of the page as the build typeset it: every element of class ``math`` holds MathJax's
#: SVG (its glyphs defined once on the page) and, for screen readers, MathJax's assistive MathML.
MATH_STATE = """() => {
    const maths = [...document.querySelectorAll('.math')];
    const containers = [...document.querySelectorAll('mjx-container')];
    const main = (document.querySelector('main') || document.body).cloneNode(true);
    const skip = 'pre, code, script, style, textarea, mjx-container, .widget-subarea';
    main.querySelectorAll(skip).forEach(e => e.remove());
    const glyphs = [...document.querySelectorAll('mjx-container use')].map(use => use.getAttribute('xlink:href'));
    return {
        count: maths.length,
        untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
        errors: [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
            .map(e => e.dataset.mjxError || e.textContent),
        unread: containers.filter(c => !c.querySelector(':scope > svg[aria-hidden="true"]')
                                       || !c.querySelector(':scope > mjx-assistive-mml > math')).length,
        undrawn: containers.filter(c => c.checkVisibility() && c.getBoundingClientRect().width === 0).length,
        missing: [...new Set(glyphs.filter(id => !document.getElementById(id.slice(1))))],
        engine: typeof window.MathJax !== 'undefined',
        text: main.textContent,
    };
}"""


def test_math_is_typeset(visit: Visit) -> None:
    """Math arrives typeset (no TeX engine in the page), drawn, and readable by screen readers."""
    state = visit.page.evaluate(MATH_STATE)
    assert not state["engine"], "the page loads MathJax: its math should be typeset when the book is built"
    assert state["untypeset"] == [], "math left untypeset"
    assert state["errors"] == [], "MathJax could not typeset some math"
    assert state["unread"] == 0, "typeset math without its hidden SVG and assistive MathML"
    assert state["undrawn"] == 0, "typeset math that takes no room"
    assert state["missing"] == [], "glyphs the page does not define"
    raw = re.findall(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$\\[A-Za-z]+", state["text"])
    assert raw == [], "raw TeX left in the page text"
    if any("$" in text for text in source_cells(page_of(visit), "markdown")):
        assert state["count"] > 0, "the page's Markdown has math but the page shows none"


IMAGES = """async () => {
    const images = [...document.images];
    images.forEach(image => { image.loading = 'eager'; });
    await Promise.all(images.map(image => image.decode().catch(() => null)));
    return images.map(img => ({src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0}));
}"""


def test_every_image_loads(visit: Visit) -> None:
    images = visit.page.evaluate(IMAGES)
    assert [image["src"] for image in images if not image["ok"]] == []
    if any("plt.show()" in code for code in source_cells(page_of(visit), "code")):
        assert images, "the notebook draws figures but the page shows no image"


WIDGETS = f"""() => [...document.querySelectorAll('script[type="{WIDGET_VIEW}"]')].map(script => {{
    const host = script.previousElementSibling;
    const explorer = host?.closest('.dlbook-explorer') ?? host?.querySelector('.dlbook-explorer');
    const figure = explorer?.querySelector('.dlbook-figure [role="img"]');
    const output = script.closest('.cell_output') || script.parentElement;
    return {{
        ready: host?.dataset.ready === 'true',
        drawn: Boolean(explorer) && explorer.getBoundingClientRect().height > 0,
        controls: explorer ? explorer.querySelectorAll('.dlbook-controls input, .dlbook-controls select').length : 0,
        figure: Boolean(figure) && figure.getBoundingClientRect().height > 0,
        label: figure?.getAttribute('aria-label') ?? '',
        live: explorer?.querySelector('.dlbook-readout')?.getAttribute('aria-live') ?? null,
        pictures: output.querySelectorAll('img').length,
        // the old static note: "The controls above need a running Python kernel" (a convolution's kernel is fine)
        note: /(python|running|live) kernel/i.test(output.textContent),
    }};
}})"""


def test_widget_views_render(visit: Visit) -> None:
    """Each saved widget view is mounted live: controls, a read-out that is announced, a described figure."""
    views = visit.page.evaluate(WIDGETS)
    for index, view in enumerate(views):
        assert view["ready"] and view["drawn"], f"widget view {index} was not mounted"
        assert view["controls"] > 0, f"widget view {index} shows no controls"
        assert view["figure"], f"widget view {index} draws no figure"
        assert len(view["label"].split()) >= 12, f"widget view {index}'s figure is not described: {view['label']!r}"
        assert view["live"] == "polite", f"widget view {index}'s read-out is not a live region"
        assert view["pictures"] == 0, f"widget view {index} still has a static picture"
        assert not view["note"], f"widget view {index} still says the controls need a kernel"
    if any("dlbook.widgets" in code for code in source_cells(page_of(visit), "code")):
        assert views, "the notebook shows an explorer but the page saved no widget view"


#: The search fields and buttons a reader sees.
VISIBLE_SEARCH = "() => [...document.querySelectorAll('.search-button__button')].filter(e => e.checkVisibility()).length"


def test_one_search_field(visit: Visit) -> None:
    """A wide screen shows one search field (the sidebar's), not a second one in a header bar."""
    assert visit.page.evaluate("() => window.innerWidth") == 1280
    assert visit.page.evaluate(VISIBLE_SEARCH) == 1


def test_explorers_do_not_move_the_page(visit: Visit) -> None:
    """Drawing each explorer as the reader comes to it moves nothing they see: its place keeps about
    its height until then (dlbook.css). The page's layout shift, loading and scrolling to every
    explorer, stays under Lighthouse's budget (0.1)."""
    assert visit.layout_shift < 0.1, (
        f"layout shift {visit.layout_shift:.3f}: give a new explorer's place its height in _ext/static/dlbook.css"
    )


LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


@functools.cache
def fetch(url: str) -> tuple[int, str]:
    """Status and text of a page of the local site (cached: many pages link to the same ones)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a localhost URL)
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_internal_links_resolve(visit: Visit) -> None:
    origin = urlsplit(visit.url).netloc
    broken = []
    for href in sorted(set(visit.page.evaluate(LINKS))):
        if urlsplit(href).netloc != origin:
            continue
        target, fragment = urldefrag(href)
        status, text = fetch(target)
        if status != 200:
            broken.append(f"{href}: HTTP {status}")
        elif urlsplit(target).path == urlsplit(visit.url).path and fragment:
            # On the page itself, the target may be drawn by a script (an explorer's settings link).
            if not visit.page.evaluate("id => document.getElementById(id) !== null", fragment):
                broken.append(f"{href}: no element with id {fragment!r}")
        elif fragment and not re.search(rf"""\b(id|name)=["']{re.escape(fragment)}["']""", text):
            broken.append(f"{href}: no element with id {fragment!r}")
    assert broken == []


def test_launch_buttons_open_this_notebook(visit: Visit) -> None:
    """Notebook pages link to Binder and Colab, and both open this page's notebook."""
    source = source_of(page_of(visit))
    if source is None or source.suffix != ".ipynb":
        pytest.skip("not a notebook page")
    owner_repo = urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    notebook = source.relative_to(ROOT).as_posix()
    buttons = CONFIG["launch_buttons"]
    binder = f"{buttons['binderhub_url']}/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{notebook}"
    colab = f"{buttons['colab_url']}/github/{owner_repo}/blob/{branch}/{notebook}"
    links = set(visit.page.evaluate(LINKS))
    assert binder in links
    assert colab in links


# ----------------------------------------------------------------------------------------------
# The explorers are live on the page: no kernel, every control answers


def explorers_on(visit: Visit) -> list[Any]:
    explorers = find_explorers(visit.page)
    if not explorers:
        pytest.skip("no explorer on this page")
    return explorers


#: Count how often the decision regions are redrawn (the canvas's pixels are put).
COUNT_REDRAWS = """canvas => {
    const context = canvas.getContext('2d');
    const put = context.putImageData.bind(context);
    canvas.redraws = 0;
    context.putImageData = (...args) => { canvas.redraws += 1; return put(...args); };
}"""


def test_playground_trains_in_the_page(visit: Visit) -> None:
    """Press Train: the network learns in the browser, drawn as it goes, as NumPy trains it.

    A playground opens with the settings its notebook gave it (chapter 6: the
    defaults, which learn the moons; chapter 9: a run that overfits).
    """
    playgrounds = [e for e in explorers_on(visit) if explorer_key(e) == "playground"]
    if not playgrounds:
        pytest.skip("no playground on this page")
    for explorer in playgrounds:
        state = explorer.evaluate(SAVED_STATE_JS)
        shown = settings("playground", controls(explorer))
        assert shown == {name: state[name] for name in shown}, "the playground does not open with its settings"
        # The page opens with the run the notebook trained in NumPy; count the redraws of this one.
        canvas, train = part(explorer, "canvas"), part(explorer, 'button:has-text("Train")')
        canvas.evaluate(COUNT_REDRAWS)
        train.click()
        assert train.is_disabled(), "a second run could start during one"
        midway = figure_pixels(explorer)
        train.wait_for_element_state("enabled", timeout=30_000)
        expected = oracle("playground", state, shown)
        final = expected.train()
        if shown == TrainingPlayground().settings():
            assert final >= 0.95
        assert readout(explorer) == expected.readout()
        total = expected.total_steps()
        assert part(explorer, "progress").evaluate(f"p => p.value === p.max && p.max === {total}")
        assert canvas.evaluate("canvas => canvas.redraws") >= 20, "not redrawn as it learned"
        assert figure_pixels(explorer) != midway


def test_explorers_respond_to_every_control(visit: Visit) -> None:
    """Drag, step with the arrow keys, pick from a menu: the read-out is dlbook's, the figure changes."""
    for explorer in explorers_on(visit):
        key = explorer_key(explorer)
        state = explorer.evaluate(SAVED_STATE_JS)
        # What a move leaves is what the next one starts from.
        text, before = readout(explorer), figure_pixels(explorer)
        for index, control in enumerate(controls(explorer)):
            text_before = text
            how = move(visit.page, explorer, control, index)
            shown = controls(explorer)
            moved = next(c for c in shown if c.name == control.name)
            assert moved.value != control.value, f"{key}: {how} on {control.name} did not move it"
            image = drawn_image(explorer) if key in PAD_EXPLORERS else None
            expected = oracle(key, state, settings(key, shown), image).readout()
            text, after = readout(explorer), figure_pixels(explorer)
            assert text == expected, f"{key}: read-out after {how} on {control.name}"
            assert after != before, f"{key}: the figure did not change after {how} on {control.name}"
            assert text != text_before or key == "playground", f"{key}: the read-out did not change"
            before = after


def test_a_link_reopens_the_explorer_as_the_reader_left_it(visit: Visit, chromium: Browser) -> None:
    """Move every control of an explorer away from where the page opened it (drags, keys, menus), then
    open the link under it in a fresh page: that page shows the same controls, read-out and figure
    (its SVG, canvases and description, and its pixels) as the reader's page.
    """
    for explorer in explorers_on(visit):
        key = explorer_key(explorer)
        state = explorer.evaluate(SAVED_STATE_JS)
        specs = {spec["name"]: spec for spec in state["_controls"]}
        for index, control in enumerate(controls(explorer)):
            move_away(visit.page, explorer, control, position(specs[control.name], state[control.name]), index)
        chosen = settings(key, controls(explorer))
        unmoved = [name for name, value in chosen.items() if value == state[name]]
        assert unmoved == [], f"{key}: {unmoved} still show the values the page opened with"
        href = part(explorer, "a.dlbook-share").get_attribute("href")
        assert all(f"{key}.{name}=" in href for name in chosen), f"{key}: the link lacks settings: {href}"
        assert_the_link_reopens_it(visit, chromium, explorer)


def assert_the_link_reopens_it(visit: Visit, chromium: Browser, explorer: Any) -> None:
    """Open the link under ``explorer`` in a fresh page: that page shows the same controls, read-out and
    figure (its SVG, canvases and description, and its pixels) as the reader's page."""
    key = explorer_key(explorer)
    chosen = settings(key, controls(explorer))
    href = part(explorer, "a.dlbook-share").get_attribute("href")
    reader = shown(explorer)
    page = chromium.new_page(viewport=visit.page.viewport_size)
    page.set_default_timeout(60_000)
    try:
        page.goto(urljoin(visit.url, href))
        anchor = urldefrag(href).fragment
        page.wait_for_function(LINKED_EXPLORER_READY, arg=anchor)
        again = page.query_selector(f"#{anchor}")
        assert again is not None, f"{key}: the link's page has no #{anchor}"
        assert explorer_key(again) == key
        assert settings(key, controls(again)) == chosen, f"{key}: the link's page shows other settings"
        assert readout(again) == readout(explorer), f"{key}: the link's page says something else"
        assert shown(again) == reader, f"{key}: the link's page shows another state"
        difference = picture_difference(figure_pixels(again), figure_pixels(explorer))
        assert difference is None, f"{key}: the link's page draws another figure: {difference}"
    finally:
        page.close()


def test_the_playground_shows_its_settings_whatever_order_they_came_in(visit: Visit, chromium: Browser) -> None:
    """Pick the next data set and give it the most label noise and held-out points, go back to the data set
    the page opened with and choose a little of both: the figure, every data set's points included (the
    hidden ones wait in the page for the next pick), is the one a fresh page opened at these settings shows.
    """
    playgrounds = [e for e in explorers_on(visit) if explorer_key(e) == "playground"]
    if not playgrounds:
        pytest.skip("no playground on this page")
    for explorer in playgrounds:
        state = explorer.evaluate(SAVED_STATE_JS)
        data_sets = next(spec["values"] for spec in state["_controls"] if spec["name"] == "data")
        first = data_sets.index(state["data"])
        menu = part(explorer, '[name="data"]')
        menu.select_option(index=(first + 1) % len(data_sets))
        press(explorer, "noise", "End")
        press(explorer, "held_out", "End")
        menu.select_option(index=first)
        press(explorer, "noise", "Home", *["ArrowRight"] * 2)
        press(explorer, "held_out", "Home", *["ArrowRight"] * 3)
        chosen = settings("playground", controls(explorer))
        assert (chosen["data"], chosen["noise"], chosen["held_out"]) == (
            state["data"], pytest.approx(0.1), pytest.approx(0.15)), "the keys did not move the sliders"
        assert_the_link_reopens_it(visit, chromium, explorer)


def press(explorer: Any, name: str, *keys: str) -> None:
    """Focus the control ``name`` of ``explorer`` and press ``keys`` in turn, as a keyboard user would."""
    control = part(explorer, f'[name="{name}"]')
    control.focus()
    for key in keys:
        control.press(key)


def test_explorers_live_on_pages_opened_from_the_file_system(site: Path, chromium: Browser) -> None:
    """The built book opened from the file system (``file://``, as the README says): every explorer
    is drawn, a control moved changes its read-out to dlbook's, and no error is logged."""
    pages = [page for page in PAGES if WIDGET_VIEW in (site / page).read_text(encoding="utf-8")]
    assert pages, "no page of the site shows an explorer"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    errors: list[str] = []
    try:
        for name in pages:
            page = context.new_page()
            page.on("console", lambda msg, name=name: msg.type == "error" and errors.append(f"{name}: {msg.text}"))
            page.on("pageerror", lambda error, name=name: errors.append(f"{name}: uncaught: {error}"))
            page.goto((site / name).as_uri(), wait_until="load")
            views = page.evaluate(DRAW_EVERY_EXPLORER_JS)
            explorers = find_explorers(page)
            assert views > 0 and len(explorers) == views, f"{name}: {len(explorers)} of {views} explorers drawn"
            for explorer in explorers:
                key, state, text = explorer_key(explorer), explorer.evaluate(SAVED_STATE_JS), readout(explorer)
                control = controls(explorer)[0]
                how = move(page, explorer, control, 0)
                shown = controls(explorer)
                assert next(c for c in shown if c.name == control.name).value != control.value, f"{name}: {how}"
                image = drawn_image(explorer) if key == "digits" else None
                assert readout(explorer) == oracle(key, state, settings(key, shown), image).readout()
                assert readout(explorer) != text or key == "playground", f"{name}: {key}'s read-out did not change"
            page.close()
    finally:
        context.close()
    assert errors == []


FOCUS_JS = """() => {
    const active = document.activeElement;
    const style = getComputedStyle(active);
    const name = active.name || active.getAttribute('aria-roledescription') || active.textContent.trim();
    return {name, tag: active.tagName.toLowerCase(),
            outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0};
}"""
#: What follows an explorer's controls in the Tab order, besides its settings link.
AFTER_CONTROLS = {"playground": ["Train"], **{key: ["Clear", "drawing pad"] for key in PAD_EXPLORERS}}


def test_explorers_work_with_the_keyboard(visit: Visit) -> None:
    """Tab reaches every control in order with a visible focus; arrow keys move sliders; the read-out follows."""
    for explorer in explorers_on(visit):
        key = explorer_key(explorer)
        shown = controls(explorer)
        part(explorer, f'[name="{shown[0].name}"]').focus()
        visited = [visit.page.evaluate(FOCUS_JS)]
        expected = [control.name for control in shown] + AFTER_CONTROLS.get(key, [])
        for _ in range(len(expected) - 1):
            visit.page.keyboard.press("Tab")
            visited.append(visit.page.evaluate(FOCUS_JS))
        assert [focus["name"] for focus in visited] == expected, f"{key}: the Tab order"
        assert all(focus["outline"] >= 2 for focus in visited), f"{key}: focus is not visible: {visited}"
        if key in PAD_EXPLORERS:  # the pad has focus: draw a stroke with the keyboard
            text = readout(explorer)
            for press in ["Delete", "Space", *["Shift+ArrowDown"] * 4, "Space"]:
                visit.page.keyboard.press(press)
            image = drawn_image(explorer)
            assert sum(image) > 0 and readout(explorer) != text, "drawing with the keyboard left no ink"
            continue
        slider = next(control for control in shown if control.tag == "input")
        element = part(explorer, f'[name="{slider.name}"]')
        element.focus()
        text = readout(explorer)
        step = "ArrowLeft" if float(element.input_value()) >= slider.max else "ArrowRight"
        element.press(step)
        assert element.input_value() != slider.value or text != readout(explorer)
        if key != "playground":
            assert readout(explorer) != text, f"{key}: the arrow key did not change the read-out"


def test_drawing_a_digit_changes_the_read_out(visit: Visit) -> None:
    """Clear the pad and draw a digit with the mouse: the read-out follows, equal to dlbook's."""
    pads = [e for e in explorers_on(visit) if explorer_key(e) in PAD_EXPLORERS]
    if not pads:
        pytest.skip("no explorer with a drawing pad on this page")
    for explorer in pads:
        key = explorer_key(explorer)
        state = explorer.evaluate(SAVED_STATE_JS)
        part(explorer, 'button:has-text("Clear")').click()
        assert sum(drawn_image(explorer)) == 0 and readout(explorer).startswith("The pad is empty")
        empty = figure_pixels(explorer)
        draw(visit.page, explorer, [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)]])  # a seven
        image = drawn_image(explorer)
        assert sum(image) > 40, f"the stroke inked too little: {image}"
        shown = settings(key, controls(explorer))
        assert readout(explorer) == oracle(key, state, shown, image).readout()
        assert figure_pixels(explorer) != empty


#: Resolves after the browser has drawn two more frames (laid out what a scroll brought near the screen).
AFTER_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def test_clicking_or_dragging_on_the_optimiser_plot_moves_the_start(visit: Visit) -> None:
    """A click on the optimiser explorer's plot puts the start there, a drag carries it along: the start
    sliders follow (on their grid of 0.05), the read-out is dlbook's for the new start, the figure changes."""
    found = [e for e in explorers_on(visit) if explorer_key(e) == "optimisers"]
    if not found:
        pytest.skip("no optimiser explorer on this page")
    for explorer in found:
        state = explorer.evaluate(SAVED_STATE_JS)
        xmin, xmax, ymin, ymax = state["extent"]
        frame = part(explorer, ".dlbook-plot rect.dlbook-frame")
        frame.scroll_into_view_if_needed()
        # Sections drawn for the first time as the page scrolled may still move it by their real height.
        visit.page.evaluate(AFTER_TWO_FRAMES)
        box = frame.bounding_box()
        assert box is not None, "the plot is not on screen"

        def at(x: float, y: float) -> tuple[float, float]:
            return (box["x"] + (x - xmin) / (xmax - xmin) * box["width"],
                    box["y"] + (ymax - y) / (ymax - ymin) * box["height"])

        for gesture, target in (("click", (1.0, 2.0)), ("drag", (0.5, -0.5))):
            before, text = figure_pixels(explorer), readout(explorer)
            if gesture == "click":
                visit.page.mouse.click(*at(*target))
            else:
                visit.page.mouse.move(*at(-1.0, 0.0))
                visit.page.mouse.down()
                visit.page.mouse.move(*at(*target), steps=5)
                visit.page.mouse.up()
            shown = settings("optimisers", controls(explorer))
            assert (shown["start_x"], shown["start_y"]) == target, f"after a {gesture}: {shown}"
            assert readout(explorer) == oracle("optimisers", state, shown).readout(), f"after a {gesture}"
            assert readout(explorer) != text and figure_pixels(explorer) != before, f"nothing changed: {gesture}"


# ----------------------------------------------------------------------------------------------
# Every reader: screen readers (axe-core, described figures), dark mode, phones, code that fits
#
# These run on every page after the tests above, on the page as they leave it, and put back what
# they change (colour mode, screen size, open cells).

#: axe-core, the accessibility engine behind Lighthouse, pinned in package-lock.json (``npm ci``).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The WCAG 2.0 and 2.1 success criteria of levels A and AA, as axe-core tags its rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Run axe on the whole page: every WCAG A/AA rule, or only those about colour (``cat.color``:
#: contrast, links told apart from text), the ones a change of colour mode can break.
RUN_AXE = """async ({tags, colourOnly}) => {
    const rules = axe.getRules(tags)
        .filter(rule => !colourOnly || rule.tags.includes('cat.color'))
        .map(rule => rule.ruleId);
    const results = await axe.run(document, {
        runOnly: {type: 'rule', values: rules}, resultTypes: ['violations'],
    });
    return results.violations.map(violation => ({
        id: violation.id, impact: violation.impact, help: violation.help,
        nodes: violation.nodes.map(node => ({target: node.target.join(' '), summary: node.failureSummary})),
    }));
}"""


#: A style that has the browser lay out every section of a chapter, as it does each one when the reader
#: scrolls to it: without it, a section it is not drawing (content-visibility, dlbook.css) has no
#: layout, and axe-core, or a measurement, would pass over everything in it.
EVERY_SECTION = "section { content-visibility: visible !important; }"


@contextlib.contextmanager
def every_section_laid_out(page: Any) -> Iterator[None]:
    """Within the block, ``page`` lays out every section (:data:`EVERY_SECTION`)."""
    style = page.add_style_tag(content=EVERY_SECTION)
    try:
        yield
    finally:
        style.evaluate("style => style.remove()")


def run_axe(visit: Visit, colour_only: bool = False) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not visit.page.evaluate("() => typeof window.axe === 'object'"):
        if not AXE.is_file():
            pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci`")
        visit.page.add_script_tag(path=str(AXE))
    return visit.page.evaluate(RUN_AXE, {"tags": WCAG_TAGS, "colourOnly": colour_only})


def describe_violations(violations: list[dict[str, Any]], mode: str) -> str:
    """One line per rule broken (id, impact, what it asks), then the elements that break it."""
    lines = [f"{len(violations)} WCAG 2.1 A/AA rule(s) of axe-core broken in {mode} mode:"]
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}; {len(nodes)} element(s)")
        for node in nodes[:8]:
            lines.append(f"    {node['target']}: {' '.join(node['summary'].split())[:300]}")
        if len(nodes) > 8:
            lines.append(f"    ... and {len(nodes) - 8} more")
    return "\n".join(lines)


def set_theme(visit: Visit, theme: str) -> None:
    """Press the page's colour-mode button until the theme is ``theme`` ("light" or "dark")."""
    page = visit.page
    page.bring_to_front()  # the page in front draws frames (a link's page may have been opened since)
    for _ in range(3):  # the button cycles through auto, dark and light
        if page.evaluate("() => document.documentElement.dataset.theme") == theme:
            break
        page.locator(".theme-switch-button:visible").first.click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == theme
    page.mouse.move(0, 0)  # the button's tooltip goes with the pointer and the focus
    page.evaluate("() => document.activeElement?.blur()")
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("() => !document.querySelector('.tooltip')", timeout=2_000)
    assert page.evaluate(SETTLED, SETTLE_MS), f"the colours did not settle within {SETTLE_MS} ms of the {theme} theme"


#: How long (ms) the colours may take to settle after the colour mode changes.
SETTLE_MS = 15_000
#: Wait until the colours have settled: the theme fades them over a short CSS transition, and
#: halfway through, text and background are neither the old nor the new colours. False when they
#: have not within the given milliseconds (a page that draws no frames: a failure, not a hang).
#: Each transition's state is asked every 20 ms, not its ``finished`` promise awaited: Chromium now
#: and then leaves one of those promises pending after its transition has ended (seen on chapter
#: 10's page once its explorers' controls had been moved: the 15 s waited out with every one of the
#: 66 transitions ``finished`` by its ``playState``; 10 of 22 runs of four of its tests failed so,
#: none of 14 asking the state).
SETTLED = """async ms => {
    const settled = (async () => {
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const fading = document.getAnimations().filter(animation => animation instanceof CSSTransition);
        while (fading.some(animation => animation.playState === 'running')) {
            await new Promise(done => setTimeout(done, 20));
        }
        return true;
    })();
    return Promise.race([settled, new Promise(done => setTimeout(() => done(false), ms))]);
}"""


def test_no_accessibility_violations(visit: Visit) -> None:
    """axe-core finds no violation of the WCAG 2.0/2.1 A and AA rules (light mode, the default)."""
    assert visit.page.evaluate("() => document.documentElement.dataset.theme") == "light"
    with every_section_laid_out(visit.page):
        violations = run_axe(visit)
    assert violations == [], describe_violations(violations, "light")


#: The figures' backgrounds as the page shows them.
FIGURE_BACKDROPS = """() => [...document.querySelectorAll('.bd-article .cell_output img')]
    .map(img => getComputedStyle(img).backgroundColor)"""


def test_dark_mode_keeps_contrast_and_figures_readable(visit: Visit) -> None:
    """With the theme's dark mode on, axe-core's colour rules pass and every figure keeps a white
    backdrop, so its black axes, labels and points stay visible.

    Dark mode changes only colours: the rules about anything else were run in light mode.
    """
    with every_section_laid_out(visit.page):  # before the colours change, so that all of them fade
        set_theme(visit, "dark")
        try:
            violations = run_axe(visit, colour_only=True)
            backdrops = visit.page.evaluate(FIGURE_BACKDROPS)
        finally:
            set_theme(visit, "light")
    assert violations == [], describe_violations(violations, "dark")
    assert [colour for colour in backdrops if colour != "rgb(255, 255, 255)"] == []
    if any("plt.show()" in code for code in source_cells(page_of(visit), "code")):
        assert backdrops, "the notebook draws figures but the page shows none"


#: Every image on the page: its alt attribute (null when missing) and whether it is content (in
#: the article) or the theme's chrome (the launch buttons' logos).
IMAGE_ALTS = """() => [...document.images].map(img => ({
    src: img.getAttribute('src') ?? '', alt: img.getAttribute('alt'), content: Boolean(img.closest('.bd-article')),
}))"""


def test_every_figure_is_described(visit: Visit) -> None:
    """Every figure's alt text says what it shows (not a file name, not a stub), each its own.

    Images of the theme's chrome outside the article (the Binder and Colab logos
    beside their names) need an alt text that is not a file name.
    """
    images = visit.page.evaluate(IMAGE_ALTS)
    problems = []
    for image in images:
        if image["content"]:
            problem = alt_text_problem(image["alt"])
        elif image["alt"] is None or IMAGE_FILE.search(image["alt"]):
            problem = f"no alt text, or a file name: {image['alt']!r}"
        else:
            problem = None
        if problem:
            problems.append(f"{image['src']}: {problem}")
    alts = [image["alt"] for image in images if image["content"] and image["alt"]]
    repeated = sorted({alt for alt in alts if alts.count(alt) > 1})
    assert problems == [], "\n".join(problems)
    assert repeated == [], f"figures share one description (one cell showing several figures?): {repeated}"


#: A phone's screen: iPhone 12 to 15 in CSS pixels, two device pixels each.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

#: After a re-layout: how wide the document is, what sticks out of the screen (outside any element
#: that scrolls or clips it), and which figures are wider than their column. Run with every section
#: laid out (:func:`every_section_laid_out`): a section the browser is not drawing would clip what
#: sticks out of it, rather than widen the page.
PHONE_LAYOUT = """async () => {
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const screen = document.documentElement.clientWidth;
    const clipped = element => {
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX !== 'visible') return true;
        }
        return false;
    };
    const outside = [...document.body.querySelectorAll('*')].filter(element => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > screen + 0.5 && !clipped(element);
    });
    const leaves = outside.filter(element => !outside.some(other => other !== element && element.contains(other)));
    const figures = [...document.querySelectorAll('.bd-article img')].filter(img => {
        const box = img.getBoundingClientRect();
        return box.right > screen + 0.5 || box.width > img.parentElement.clientWidth + 0.5;
    });
    // Explorers stack their controls above the figure, which fits the screen.
    const explorers = [...document.querySelectorAll('.dlbook-explorer')].filter(explorer => {
        const controls = explorer.querySelector('.dlbook-controls').getBoundingClientRect();
        const figure = explorer.querySelector('.dlbook-figure').getBoundingClientRect();
        return controls.bottom > figure.top || figure.left < 0 || figure.right > screen + 0.5;
    });
    return {
        width: document.documentElement.scrollWidth, screen,
        outside: leaves.slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 60)}`),
        figures: figures.map(img => img.getAttribute('src')),
        explorers: explorers.map(explorer => explorer.className),
    };
}"""


def test_no_page_scrolls_sideways_on_a_phone(visit: Visit) -> None:
    """At 390 px wide the page is no wider than the screen and every figure fits its column."""
    page = visit.page
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        with every_section_laid_out(page):
            layout = page.evaluate(PHONE_LAYOUT)
    finally:
        session.send("Emulation.clearDeviceMetricsOverride")
        session.detach()
        page.set_viewport_size({"width": 1280, "height": 900})
    assert layout["screen"] == PHONE["width"]
    assert layout["width"] <= PHONE["width"], f"the page is {layout['width']} px wide: {layout['outside']}"
    assert layout["figures"] == [], "figures wider than their column"
    assert layout["explorers"] == [], "explorers whose controls are not above their figure, or whose figure overflows"


#: Once the page's tab-stop check has settled: the code blocks and outputs (the theme's list, as
#: dlbook-tabstops.js) whose content scrolls but which the keyboard cannot reach (tabIndex not 0), and
#: those the browser is drawing that do not scroll but are tab stops all the same. To measure an
#: element of a section the browser is not drawing (content-visibility, dlbook.css), every section is
#: laid out for the moment of the measurement, after the tab indices are read. The first pass runs with
#: the page as it is (sections near the screen drawn, the others not); the second after the page has
#: been scrolled to a quarter, half, three quarters and the end of its length, as a reader does.
TAB_STOPS = """async everySectionStyle => {
    const settle = async () => {  // until the script has checked what the resize or the scroll brought
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const start = performance.now();
        while (globalThis.dlbookTabStopsBusy() && performance.now() - start < 30000) {
            await new Promise(done => setTimeout(done, 50));
        }
    };
    const selector = 'pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, '
        + '.pst-scrollable-table-container';
    const label = element => `${element.tagName.toLowerCase()}: ${element.textContent.trim().slice(0, 50)}`;
    const problems = () => {
        const seen = [...document.querySelectorAll(selector)]
            .map(element => [element, element.checkVisibility({contentVisibilityAuto: true}), element.tabIndex]);
        const everySection = document.createElement('style');
        everySection.textContent = everySectionStyle;
        document.head.append(everySection);
        const found = {unreachable: [], needless: []};
        for (const [element, drawn, tabIndex] of seen) {
            if (!element.getClientRects().length) continue;  // in a closed cell
            const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
            if (scrolls && tabIndex !== 0) found.unreachable.push(label(element));
            if (drawn && !scrolls && tabIndex === 0) found.needless.push(label(element));
        }
        everySection.remove();
        return found;
    };
    await settle();
    const atLoad = problems();
    for (const share of [0.25, 0.5, 0.75, 1]) {  // sections drawn for the first time, and left again
        window.scrollTo(0, share * (document.documentElement.scrollHeight - innerHeight));
        await settle();
    }
    const scrolled = problems();
    window.scrollTo(0, 0);
    return {atLoad, scrolled};
}"""


def test_code_that_scrolls_on_a_phone_can_be_reached_with_the_keyboard(visit: Visit, chromium: Browser) -> None:
    """Opened on a phone (390 px wide), every code block or output that scrolls is a tab stop (tabIndex 0), in
    the sections the browser has drawn and in those it has not; one the browser draws that does not scroll is not."""
    context = chromium.new_context(viewport={"width": PHONE["width"], "height": PHONE["height"]},
                                   device_scale_factor=PHONE["deviceScaleFactor"], is_mobile=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(visit.url, wait_until="load")
        page.wait_for_function("() => globalThis.dlbookScriptsRun === true")
        found = page.evaluate(TAB_STOPS, EVERY_SECTION)
    finally:
        context.close()
    for moment, problems in found.items():
        assert problems["unreachable"] == [], f"{moment}: scrolls, but the keyboard cannot reach it"
        assert problems["needless"] == [], f"{moment}: a tab stop that does not scroll"


#: Code blocks of the main column (hidden cells opened) whose text is wider than the block.
WIDE_CODE = """() => {
    const closed = [...document.querySelectorAll('.bd-article details:not([open])')];
    closed.forEach(details => { details.open = true; });
    const wide = [...document.querySelectorAll('.bd-article pre')]
        .filter(pre => pre.scrollWidth > pre.clientWidth)
        .map(pre => ({
            overflow: pre.scrollWidth - pre.clientWidth,
            line: pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''),
        }));
    closed.forEach(details => { details.open = false; });
    return wide;
}"""


def test_code_fits_the_column(visit: Visit) -> None:
    """At the default width (1280 px) no code block, hidden cells included, is cut off or scrolls sideways."""
    assert visit.page.evaluate("() => window.innerWidth") == 1280
    with every_section_laid_out(visit.page):
        wide = visit.page.evaluate(WIDE_CODE)
    assert wide == [], "\n".join(f"{block['overflow']} px too wide: {block['line'].strip()[:90]}" for block in wide)
