"""Speed of the book's explorers on the built website, in headless Chromium, offline.

The explorers compute and draw in the reader's browser (``js/explorers/``, bundled into
``dlbook/widgets/static/``; the site's loader ``_ext/static/dlbook-widgets.js`` mounts them
with no kernel). So they are measured there: the built site (``_build/html``) is served on
127.0.0.1 by a thread of this process, Debian's Chromium (``/usr/bin/chromium``, driven by
Playwright, with the flags of ``tests/conftest.py``) opens every page that holds a widget
view, and every request that would leave localhost is blocked and reported, as is every
console error. All times are taken inside the page with ``performance.now()`` (Chromium
coarsens it to 0.1 ms on a page that is not cross-origin isolated, well below what is
measured here).

**From a control's input event to the repainted figure.** Each control of each explorer
is moved ``--moves`` times (after ``--warmup`` untimed moves), each time to a different
position: sliders walk their positions back and forth one step at a time, as a drag does;
menus pick their next option. One move is, in page JavaScript::

    requestAnimationFrame(() => {
        start = performance.now();
        input.value = position; input.dispatchEvent(new Event("input"))
        // (menus: selectedIndex = position; then input and change, as a pick fires them)
        handled = performance.now();                  // the explorer's handler has run
        post a message to a MessageChannel; on it: painted = performance.now()
    });

*Why at the start of a frame.* While a reader drags a slider, Chromium delivers the pointer
moves, and with them the slider's ``input`` events, aligned to frames: right before the
frame's ``requestAnimationFrame`` callbacks. Dispatching the event from a callback does what
a drag does. An event dispatched at a random moment would add a wait for the next frame
(0 to 16.7 ms at 60 Hz) that depends on when it came, not on the explorer.

*Why a posted message marks the paint.* Chromium runs a frame's animation callbacks, style,
layout and paint in one task (``BeginMainFrame``), so a message posted from inside it is
handled only when that frame's main-thread rendering is done: ``painted - start`` is the
explorer's work (recompute, SVG updates, the decision regions' ``putImageData``) plus the
browser's style, layout and paint of the change. That is what has to fit in one frame,
16.7 ms at 60 Hz, for the figure to follow the hand; the budget is p95 < 16 ms. What is not
included: rasterising and compositing, which Chromium does on other threads (here a
60 x 60 canvas scaled by the compositor, and a few changed SVG elements). A ``MessageChannel``
is used rather than ``setTimeout(0)``, which some browsers clamp to 1 ms or more.

*Why not the Event Timing API.* A ``PerformanceObserver`` of ``event`` entries sees only
trusted events (real input, with its own delivery delay through the DevTools protocol),
rounds ``duration`` to 8 ms, includes in it the wait for the frame, and reports only
events that took at least 16 ms (its smallest ``durationThreshold``): it cannot give the
p50 of updates that take a few milliseconds.

**Drawing.** On an explorer with a drawing pad, dots are drawn one per frame, each a
``pointerdown`` and a ``pointerup`` dispatched at a new point of the pad at the start of a frame
(:data:`PAD_JS`), and timed as a control's move: to the paint of the explorer's redrawn figure.
The pad is cleared, untimed, whenever the dots have covered it.

After each move (outside the timed part) the figure (its SVG markup and canvas pixels) is
compared with the one before; a move that left it unchanged is counted, because timing a
move that repainted nothing would time nothing. The figure is scrolled into view first:
Chromium does not paint what is off screen. Each move is followed by an *empty frame*,
timed the same way with no event: the browser's own cost of a frame with nothing to
redraw, the floor under every figure. (It is no gauge of a busy machine: a frame that
does almost nothing is rarely interrupted. Read the load average printed with the
tables.)

**The playground's default run.** A fresh page per run; the playground's figure is scrolled
into view and its Train button is clicked from page JavaScript. Until the run ends (the
button is enabled again), every ``requestAnimationFrame`` callback of the page is wrapped:
its frame's timestamp and the time it ran (training plus redrawing, per frame) are
recorded. The frames are the distinct timestamps; the mean frame rate is their number over
the time from the click to the last frame painted; the longest frame is the largest gap
between consecutive frames (the last one: from its start to its paint). The training's
own compute time is measured apart, in the same page, by importing the port's source
(``js/compute/playground.js``, which the bundle is built from; this server serves ``js/``
under ``/_bench/js/``) and running ``startRun(...)`` to the end with the page's saved
settings and data, ``--train-runs`` times in a row: the first run is cold (its code not
yet optimised by V8, as on a reader's first press), the others warm.

Run as ``python -m benchmarks.explorer_latency --site _build/html`` it prints the results
as JSON; :mod:`benchmarks.run` turns them into tables with budgets.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import math
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
MOVES = 50
WARMUP = 5
TRAIN_RUNS = 3
#: Where this server serves the repository's ``js/`` folder (the port's sources, not part of the site).
JS_PREFIX = "/_bench/js/"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


# --- what to move, and what the timestamps say -------------------------------------------------------

def range_positions(low: float, high: float, step: float, current: float, count: int) -> list[str]:
    """``count`` positions of a range input, walking one ``step`` at a time and turning at the ends.

    The walk starts next to ``current`` (going up, or down from the top end),
    so each position differs from the one before it and the first from
    ``current``. Positions are written as the browser keeps them (``"0.3"``,
    not ``"0.30000000000000004"``).
    """
    if not (math.isfinite(low) and math.isfinite(high) and step > 0 and high > low):
        raise ValueError(f"a range input needs finite min < max and step > 0, got {low}, {high}, {step}")
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    n = math.floor((high - low) / step + 1e-9) + 1  # the positions the browser allows, max included if on the grid
    grid = [f"{round(low + k * step, 10):.10g}" for k in range(n)]
    index = min(max(int(round((current - low) / step)), 0), n - 1)
    direction = 1 if index < n - 1 else -1
    positions = []
    for _ in range(count):
        if not 0 <= index + direction < n:
            direction = -direction
        index += direction
        positions.append(grid[index])
    return positions


def menu_positions(options: int, current: int, count: int) -> list[str]:
    """``count`` option indices of a menu, each the next one after the one before (wrapping around)."""
    if options < 2:
        raise ValueError(f"a menu needs at least 2 options to move, got {options}")
    return [str((current + k) % options) for k in range(1, count + 1)]


def frame_summary(clicked_at: float, stamps: Sequence[float], painted_at: float) -> dict[str, float | int]:
    """Frames and frame rate of an animation, from page times in milliseconds.

    ``stamps`` are the timestamps of the frames the animation ran in (the
    ``requestAnimationFrame`` time of each, when its frame began; repeats are
    one frame), from the click at ``clicked_at`` to the last frame painted at
    ``painted_at``.
    Returns ``frames``, ``wall_s`` (click to last paint), ``mean_fps`` (frames
    per second of that time) and ``longest_frame_s`` (the largest gap between
    consecutive frames; the last frame counts from its start to ``painted_at``).
    """
    frames = sorted(set(stamps))
    if not frames:
        raise ValueError("no frame was drawn between the click and the end of the run")
    # A frame's timestamp is when the frame began, which may be a little before the click
    # that asked for it; the run still ends after its last frame and after the click.
    if not frames[-1] <= painted_at or not clicked_at < painted_at:
        raise ValueError(f"frame times out of order: click {clicked_at}, frames {frames[0]} to {frames[-1]}, "
                         f"painted {painted_at}")
    wall_ms = painted_at - clicked_at
    gaps = [b - a for a, b in zip(frames, frames[1:])] + [painted_at - frames[-1]]
    return {"frames": len(frames), "wall_s": wall_ms / 1e3, "mean_fps": len(frames) / (wall_ms / 1e3),
            "longest_frame_s": max(gaps) / 1e3}


def frame_scripts(stamps: Sequence[float], durations: Sequence[float]) -> list[float]:
    """Seconds of animation callbacks in each frame: the ``durations`` (ms) summed per distinct stamp."""
    per_frame: dict[float, float] = {}
    for stamp, duration in zip(stamps, durations, strict=True):
        per_frame[stamp] = per_frame.get(stamp, 0.0) + duration
    return [per_frame[stamp] / 1e3 for stamp in sorted(per_frame)]


def explorer_pages(site: Path) -> list[str]:
    """The site's pages (paths relative to ``site``) that show a widget view, sorted by path."""
    pages = [path.relative_to(site).as_posix() for path in sorted(site.rglob("*.html"))
             if not path.relative_to(site).as_posix().startswith(("_static/", "_sources/"))
             and WIDGET_VIEW in path.read_text(encoding="utf-8")]
    return pages


# --- the page's side ---------------------------------------------------------------------------------

#: Every control of an explorer: its name, tag, kind (the ``dlbook-control-<kind>`` row) and position
#: (a range's value, a menu's selected index).
CONTROLS_JS = """explorer => [...explorer.querySelectorAll('.dlbook-controls input, .dlbook-controls select')]
    .map(input => ({
        name: input.name, tag: input.tagName.toLowerCase(),
        value: input.tagName === 'SELECT' ? String(input.selectedIndex) : input.value,
        kind: [...input.closest('.dlbook-control').classList]
            .find(c => c.startsWith('dlbook-control-')).slice('dlbook-control-'.length),
        min: Number(input.min), max: Number(input.max), step: Number(input.step),
        options: input.tagName === 'SELECT' ? input.options.length : 0,
    }))"""

#: Move one control through ``positions``, one move per frame; see the module's docstring.
MOVE_JS = """async (explorer, {name, positions, events, warmup}) => {
    const input = explorer.querySelector(`.dlbook-controls [name="${name}"]`);
    const figure = explorer.querySelector('.dlbook-figure');
    if (!input || !figure) throw new Error(`no control ${name} or no .dlbook-figure in the explorer`);
    figure.scrollIntoView({block: 'center'});
    const canvases = [...figure.querySelectorAll('canvas')];
    const look = () => figure.innerHTML + canvases.map(canvas => canvas.toDataURL()).join('');
    const frame = position => new Promise(resolve => requestAnimationFrame(() => {
        const start = performance.now();
        if (position !== null) {
            if (input.tagName === 'SELECT') input.selectedIndex = Number(position);
            else input.value = position;
            for (const type of events) input.dispatchEvent(new Event(type, {bubbles: true}));
        }
        const handled = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve({script: handled - start, paint: performance.now() - start});
        channel.port2.postMessage(null);
    }));
    const script = [], paint = [], empty = [];
    let unchanged = 0, before = look();
    for (let i = 0; i < positions.length; i++) {
        const sample = await frame(positions[i]);
        const after = look();
        const idle = await frame(null);
        if (i >= warmup) {
            script.push(sample.script);
            paint.push(sample.paint);
            empty.push(idle.paint);
            if (after === before) unchanged += 1;
        }
        before = after;
    }
    const final = input.tagName === 'SELECT' ? String(input.selectedIndex) : input.value;
    return {script, paint, empty, unchanged, final};
}"""

#: Draw on an explorer's pad, one dot per frame, timed as a control's move (see :data:`MOVE_JS`). A dot is
#: what a tap or the start of a stroke draws: pointerdown, then pointerup, at a point of the pad; the dots
#: walk a 6 x 6 grid (``points``, fractions of the pad), and the pad is cleared, untimed, before each walk.
PAD_JS = """async (explorer, {points, moves, warmup}) => {
    const pad = explorer.querySelector('.dlbook-pad');
    const clear = explorer.querySelector('button.dlbook-clear');
    const figure = explorer.querySelector('.dlbook-figure');
    if (!pad || !clear || !figure) throw new Error('no drawing pad, Clear button or .dlbook-figure in the explorer');
    figure.scrollIntoView({block: 'center'});
    const canvases = [...figure.querySelectorAll('canvas')];
    const look = () => figure.innerHTML + canvases.map(canvas => canvas.toDataURL()).join('');
    const dot = ([fx, fy]) => new Promise(resolve => requestAnimationFrame(() => {
        const start = performance.now();
        const box = pad.getBoundingClientRect();
        const at = {clientX: box.left + fx * box.width, clientY: box.top + fy * box.height, pointerId: 7,
                    bubbles: true, isPrimary: true, pointerType: 'mouse'};
        pad.dispatchEvent(new PointerEvent('pointerdown', {...at, buttons: 1}));
        pad.dispatchEvent(new PointerEvent('pointerup', at));
        const handled = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve({script: handled - start, paint: performance.now() - start});
        channel.port2.postMessage(null);
    }));
    const idle = () => new Promise(resolve => requestAnimationFrame(() => {
        const start = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now() - start);
        channel.port2.postMessage(null);
    }));
    const script = [], paint = [], empty = [];
    let unchanged = 0;
    for (let i = 0; i < warmup + moves; i++) {
        if (i % points.length === 0) {
            clear.click();
            await idle();
        }
        const before = look();
        const sample = await dot(points[i % points.length]);
        const after = look();
        const blank = await idle();
        if (i >= warmup) {
            script.push(sample.script);
            paint.push(sample.paint);
            empty.push(blank);
            if (after === before) unchanged += 1;
        }
    }
    return {script, paint, empty, unchanged};
}"""

#: Where the dots of :data:`PAD_JS` fall: a 6 x 6 grid over the pad, in a scattered order.
PAD_POINTS = [[(1 + 2 * (k % 6)) / 12, (1 + 2 * ((5 * k) % 36 // 6)) / 12] for k in range(36)]

#: Press Train and follow the run's frames until the button is enabled again; see the module's docstring.
TRAIN_JS = """async (explorer, {timeoutMs}) => {
    const button = explorer.querySelector('button.dlbook-train');
    const figure = explorer.querySelector('.dlbook-figure');
    const progress = explorer.querySelector('progress');
    const readout = explorer.querySelector('.dlbook-readout');
    if (!button || !figure) throw new Error('no Train button or no .dlbook-figure in the explorer');
    figure.scrollIntoView({block: 'center'});
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const request = window.requestAnimationFrame;
    const stamps = [], durations = [];
    let finish, painted = null;
    const finished = new Promise(resolve => { finish = resolve; });
    window.requestAnimationFrame = callback => request.call(window, stamp => {
        const start = performance.now();
        try {
            callback(stamp);
        } finally {
            stamps.push(stamp);
            durations.push(performance.now() - start);
            if (!button.disabled && painted === null) {
                painted = 0;
                const channel = new MessageChannel();
                channel.port1.onmessage = () => { painted = performance.now(); finish(); };
                channel.port2.postMessage(null);
            }
        }
    });
    try {
        const clickedAt = performance.now();
        button.click();
        if (!button.disabled) throw new Error('pressing Train started no run (the button stayed enabled)');
        let timer;
        const late = new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the run did not end within ${timeoutMs} ms`)), timeoutMs);
        });
        await Promise.race([finished, late]);
        clearTimeout(timer);
        return {clickedAt, painted, stamps, durations, steps: progress?.value ?? null,
                total: progress?.max ?? null, readout: readout?.textContent ?? ''};
    } finally {
        window.requestAnimationFrame = request;
    }
}"""

#: Train with the playground's port (``js/compute/playground.js``) ``runs`` times in a row, timing each run.
COMPUTE_JS = """async ({moduleUrl, state, runs}) => {
    const {startRun, networkAccuracy, splitData} = await import(moduleUrl);
    const split = splitData(state.datasets[state.data], state.noise, state.held_out);
    const settings = {seedState: state.seed_state, split, nHidden: state.n_hidden, activation: state.activation,
                      lr: state.lr, batchSize: state.batch_size, epochs: state.epochs,
                      weightDecay: state.weight_decay};
    const times = [];
    let trainer = null;
    for (let run = 0; run < runs; run++) {
        trainer = startRun(settings);
        const start = performance.now();
        while (!trainer.done) trainer.trainStep();
        times.push(performance.now() - start);
    }
    return {times, steps: trainer.total, accuracy: networkAccuracy(trainer.params, split.train, state.activation)};
}"""


def move_control(explorer: Any, control: dict[str, Any], moves: int, warmup: int) -> dict[str, Any]:
    """Move one control ``warmup + moves`` times (see :data:`MOVE_JS`); times in seconds.

    Raises ``RuntimeError`` if the control did not end where it was last set
    (the positions were not ones it accepts).
    """
    count = warmup + moves
    if control["tag"] == "select":
        positions = menu_positions(control["options"], int(control["value"]), count)
        events = ["input", "change"]  # what a browser fires when a reader picks an option
    else:
        positions = range_positions(control["min"], control["max"], control["step"], float(control["value"]), count)
        events = ["input"]  # what a drag fires at each move
    out = explorer.evaluate(MOVE_JS, {"name": control["name"], "positions": positions, "events": events,
                                      "warmup": warmup})
    if float(out["final"]) != float(positions[-1]):
        raise RuntimeError(f"{control['name']} was set to {positions[-1]} but shows {out['final']}")
    return {"name": control["name"], "kind": control["kind"], "moves": moves, "unchanged": out["unchanged"],
            **{times: [ms / 1e3 for ms in out[times]] for times in ("script", "paint", "empty")}}


def draw_on_pad(explorer: Any, moves: int, warmup: int) -> dict[str, Any]:
    """Draw ``warmup + moves`` dots on the explorer's pad, one per frame (see :data:`PAD_JS`); times in seconds."""
    out = explorer.evaluate(PAD_JS, {"points": PAD_POINTS, "moves": moves, "warmup": warmup})
    return {"name": "drawing pad", "kind": "pad", "moves": moves, "unchanged": out["unchanged"],
            **{times: [ms / 1e3 for ms in out[times]] for times in ("script", "paint", "empty")}}


def train_run(explorer: Any, timeout_s: float = 60.0) -> dict[str, Any]:
    """Press Train once and summarise the animation (:func:`frame_summary`, :func:`frame_scripts`)."""
    out = explorer.evaluate(TRAIN_JS, {"timeoutMs": timeout_s * 1e3})
    summary = frame_summary(out["clickedAt"], out["stamps"], out["painted"])
    accuracy = re.search(r"accuracy (\d+(?:\.\d+)?)\s*%", out["readout"])
    return {**summary, "frame_script_s": frame_scripts(out["stamps"], out["durations"]),
            "steps": out["steps"], "total": out["total"], "readout": out["readout"].strip(),
            "accuracy": float(accuracy.group(1)) / 100 if accuracy else None}


def training_compute(page: Any, module_url: str, state: dict[str, Any], runs: int) -> dict[str, Any]:
    """Time ``runs`` whole training runs of the port in the page (:data:`COMPUTE_JS`); seconds."""
    out = page.evaluate(COMPUTE_JS, {"moduleUrl": module_url, "state": state, "runs": runs})
    return {"times": [ms / 1e3 for ms in out["times"]], "steps": out["steps"], "accuracy": out["accuracy"]}


def run_settings(state: dict[str, Any]) -> dict[str, Any]:
    """The settings of a playground's saved state that make its run."""
    return {name: state[name] for name in ("data", "noise", "held_out", "n_hidden", "activation", "epochs",
                                           "batch_size", "lr", "weight_decay")}


# --- the browser and the server -----------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site, and ``js/`` under :data:`JS_PREFIX`; logs nothing."""

    js_root = ROOT / "js"

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        if route.startswith(JS_PREFIX):
            relative = Path(route[len(JS_PREFIX):])
            if ".." not in relative.parts:
                return str(self.js_root / relative)
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(site: Path, handler_class: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """Serve ``site`` (and ``js/``) on an unused port of 127.0.0.1 with ``handler_class``; yield the base URL."""
    handler = functools.partial(handler_class, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, with the test suite's flags (``tests/conftest.py``)."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM

    if CHROMIUM is None:
        raise RuntimeError(NO_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Offline:
    """A browser context that blocks every request leaving localhost and records it, and console errors."""

    def __init__(self, browser: Any) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(60_000)
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def open(self, url: str) -> Any:
        """A new page at ``url``, once every widget view on it is mounted."""
        page = self.context.new_page()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        from tests.explorer_driver import DRAW_EVERY_EXPLORER_JS  # noqa: PLC0415 (only where a browser runs)

        page.goto(url, wait_until="load")
        page.evaluate(DRAW_EVERY_EXPLORER_JS)
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('script[type="{WIDGET_VIEW}"]')]
                      .every(s => s.previousElementSibling?.dataset.ready === 'true')""")
        return page

    def close(self) -> None:
        self.context.close()


def explorers(page: Any) -> list[tuple[str, Any]]:
    """Every explorer on the page with its key (``perceptron``), in order.

    On the website every explorer has the id ``<key>-explorer`` (``-2``, ``-3``
    for more of the same kind on a page), the anchor of its settings link.
    """
    found = page.locator(".dlbook-explorer:has(.dlbook-controls)")
    out = []
    for i in range(found.count()):
        explorer = found.nth(i)
        key = re.fullmatch(r"(.+?)-explorer(?:-\d+)?", explorer.get_attribute("id") or "")
        out.append((key.group(1) if key else f"explorer {i + 1}", explorer))
    return out


def measure_site(site: Path, moves: int = MOVES, warmup: int = WARMUP, train_runs: int = TRAIN_RUNS,
                 pages: Sequence[str] | None = None) -> dict[str, Any]:
    """Every control of every explorer on the site's pages, and the playground's run; see the docstring."""
    pages = list(pages) if pages is not None else explorer_pages(site)
    results: dict[str, Any] = {"pages": pages, "moves": moves, "warmup": warmup, "explorers": [],
                               "playground": [], "blocked": [], "console_errors": []}
    with serve(site) as base, chromium() as browser:
        results["chromium"] = browser.version
        for path in pages:
            offline = Offline(browser)
            try:
                page = offline.open(urljoin(base, path))
                on_page = explorers(page)
                if not on_page:
                    results["explorers"].append({"page": path, "key": "?", "error": "no explorer drawn"})
                for key, explorer in on_page:
                    entry: dict[str, Any] = {"page": path, "key": key, "controls": []}
                    try:
                        for control in explorer.evaluate(CONTROLS_JS):
                            entry["controls"].append(move_control(explorer, control, moves, warmup))
                        if explorer.locator(".dlbook-pad").count():
                            entry["controls"].append(draw_on_pad(explorer, moves, warmup))
                    except Exception as error:  # one broken explorer must not hide the others
                        entry["error"] = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300]}"
                    results["explorers"].append(entry)
                    if key == "playground":  # the how-many-th playground of this page
                        index = sum(entry["page"] == path for entry in results["playground"])
                        results["playground"].append(measure_playground(offline, urljoin(base, path), base,
                                                                        index, train_runs))
            finally:
                results["blocked"] += offline.blocked
                results["console_errors"] += [f"{path}: {text}" for text in offline.console_errors]
                offline.close()
    return results


def measure_playground(offline: Offline, url: str, base: str, index: int, runs: int) -> dict[str, Any]:
    """``runs`` presses of Train, each on a fresh page, then ``runs`` timed runs of the port's training."""
    from tests.explorer_driver import SAVED_STATE_JS  # noqa: PLC0415 (only where a browser runs)

    entry: dict[str, Any] = {"page": urlsplit(url).path.lstrip("/"), "runs": []}
    try:
        for _ in range(runs):
            page = offline.open(url)
            explorer = [e for key, e in explorers(page) if key == "playground"][index]
            entry["settings"] = run_settings(explorer.evaluate(SAVED_STATE_JS))
            entry["runs"].append(train_run(explorer))
            page.close()
        page = offline.open(url)
        explorer = [e for key, e in explorers(page) if key == "playground"][index]
        state = explorer.evaluate(SAVED_STATE_JS)
        entry["compute"] = training_compute(page, urljoin(base, JS_PREFIX + "compute/playground.js"), state, runs)
        page.close()
    except Exception as error:
        entry["error"] = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300]}"
    return entry


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: measure the built site and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html", help="the built site (default _build/html)")
    parser.add_argument("--moves", type=int, default=MOVES, help=f"timed moves per control (default {MOVES})")
    parser.add_argument("--warmup", type=int, default=WARMUP, help=f"untimed moves first (default {WARMUP})")
    parser.add_argument("--train-runs", type=int, default=TRAIN_RUNS,
                        help=f"presses of Train, and timed runs of the port (default {TRAIN_RUNS})")
    parser.add_argument("--pages", default=None, help="comma-separated pages (default: every page with a widget)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"no built site at {args.site}: build it first with `jupyter-book build . -W`")
    if args.moves < 1 or args.warmup < 0 or args.train_runs < 1:
        raise SystemExit("--moves and --train-runs must be >= 1, --warmup >= 0")
    pages = args.pages.split(",") if args.pages else None
    print(json.dumps(measure_site(args.site, args.moves, args.warmup, args.train_runs, pages)))


if __name__ == "__main__":
    main()
