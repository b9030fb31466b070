"""Lighthouse's mobile test on every page of the built website, served with gzip as GitHub Pages serves it.

    python -m benchmarks.lighthouse --site _build/html [--runs 3]   # prints one JSON document

Lighthouse is the version pinned in ``package.json`` (run from ``node_modules/``,
on Node.js) with its defaults for a phone: a Moto G Power's screen, a slow 4G
connection and a four times slower CPU, all simulated from one unthrottled load
of the page. Its Chromium is the system's (``CHROME_PATH``), headless. The site
is served on 127.0.0.1 by :class:`GzipHandler`, which compresses text files with
gzip and lets them be cached for ten minutes, as GitHub Pages does; every page
of the site is tested except those that only redirect.

The simulated times scale with how fast this machine ran a small benchmark at
the start (Lighthouse's ``benchmarkIndex``, reported with the results), so a
busy machine makes the scores a little worse: run it alone.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urljoin

from benchmarks.explorer_latency import QuietHandler, serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
#: The flags of the Chromium that Lighthouse starts: headless, and nothing of its own on the network.
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: The metrics reported for each page: Lighthouse's audit id, and the name used here.
METRICS = {
    "first-contentful-paint": "first_paint_s",
    "largest-contentful-paint": "largest_paint_s",
    "total-blocking-time": "blocking_time_s",
    "cumulative-layout-shift": "layout_shift",
    "speed-index": "speed_index_s",
    "total-byte-weight": "transferred_bytes",
    "dom-size": "dom_elements",
}
#: Metrics Lighthouse reports in milliseconds.
MILLISECONDS = {"first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index"}
#: The text files GitHub Pages sends gzipped (by their suffix).
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".map", ".inv"}
#: What GitHub Pages sends: ``Cache-Control: max-age=600``.
CACHE_CONTROL = "max-age=600"
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"', re.IGNORECASE)


class GzipHandler(QuietHandler):
    """Serves the site as GitHub Pages does: text files gzipped when the browser accepts it, cacheable 10 minutes."""

    def send_head(self) -> io.BytesIO | Any:
        path = Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", CACHE_CONTROL)
        super().end_headers()


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built ``site`` (paths relative to it), except pages that only redirect."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("_static/", "_sources/")) or REDIRECT.search(path.read_text(encoding="utf-8")):
            continue
        pages.append(relative)
    return pages


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """The scores (0-100), metrics and flagged audits of one Lighthouse JSON report."""
    audits = report["audits"]
    scores = {name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES}
    metrics = {}
    for audit, name in METRICS.items():
        value = audits[audit]["numericValue"]
        metrics[name] = value / 1000 if audit in MILLISECONDS else value
    # What Lighthouse marks as failed (a score below 0.9), in any category.
    flagged = sorted(
        audit_id
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if (audit_id := ref["id"]) in audits
        and audits[audit_id]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        and audits[audit_id]["score"] is not None
        and audits[audit_id]["score"] < 0.9
    )
    return {
        "scores": scores,
        **metrics,
        "flagged": sorted(set(flagged)),
        # Audits Lighthouse could not run (with a newer Chromium than it knows, a few fail on the
        # trace's screenshots); the scores do not count them.
        "audit_errors": sorted(audit for audit, result in audits.items() if result.get("scoreDisplayMode") == "error"),
        "benchmark_index": report.get("environment", {}).get("benchmarkIndex"),
        "warnings": report.get("runWarnings", []),
    }


def run_lighthouse(url: str, chrome: str, keep: Path | None = None) -> dict[str, Any]:
    """One Lighthouse run (mobile, the four categories) on ``url``; its JSON report (also saved as ``keep``)."""
    node = shutil.which("node")
    if node is None or not LIGHTHOUSE.is_file():
        raise RuntimeError("Lighthouse needs Node.js and `npm ci` (node_modules/lighthouse is missing)")
    with tempfile.TemporaryDirectory(prefix="dlbook-lighthouse-") as folder:
        output = Path(folder) / "report.json"
        command = [node, str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={output}",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
        process = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chrome},
                                 cwd=folder)
        if process.returncode != 0 or not output.is_file():
            raise RuntimeError(f"lighthouse failed on {url} (status {process.returncode}):\n{process.stderr[-2000:]}")
        report = json.loads(output.read_text(encoding="utf-8"))
        if report.get("runtimeError"):
            raise RuntimeError(f"lighthouse could not test {url}: {report['runtimeError'].get('message')}")
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(output, keep)
        return report


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose performance score is the median of the runs (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run["scores"]["performance"])
    return ordered[(len(ordered) - 1) // 2]


def measure_site(site: Path, runs: int = 1, pages: Sequence[str] | None = None,
                 chrome: str | None = None, reports: Path | None = None) -> dict[str, Any]:
    """Lighthouse on every page of ``site`` (``runs`` times each; the median run is kept).

    With ``reports``, each run's full JSON report is saved there (``chapters-02_perceptron.1.json``).
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    chrome = chrome or os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chrome is None:
        raise RuntimeError("Lighthouse needs Chromium: apt-get install -y chromium, or set CHROME_PATH")
    version = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text(encoding="utf-8"))["version"]
    results: dict[str, Any] = {"lighthouse": version, "chrome": chrome, "runs": runs, "pages": []}
    with serve(site, GzipHandler) as base:
        for page in pages if pages is not None else site_pages(site):
            try:
                summaries = [
                    summarise(run_lighthouse(urljoin(base, page), chrome,
                                             reports and reports / f"{page.replace('/', '-')}.{run + 1}.json"))
                    for run in range(runs)
                ]
            except Exception as error:  # one failing page must not hide the others
                results["pages"].append({"page": page, "error": f"{type(error).__name__}: {error}"[:2000]})
                continue
            kept = median_run(summaries)
            kept["performance_runs"] = [summary["scores"]["performance"] for summary in summaries]
            results["pages"].append({"page": page, **kept})
    indices = [page["benchmark_index"] for page in results["pages"] if page.get("benchmark_index")]
    results["benchmark_index"] = statistics.median(indices) if indices else None
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: test the built site and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html", help="the built site (default _build/html)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median is kept (default 1)")
    parser.add_argument("--pages", default=None, help="comma-separated pages (default: every page of the site)")
    parser.add_argument("--reports", type=Path, default=None, help="a folder to keep Lighthouse's full JSON reports in")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"no built site at {args.site}: build it first with `jupyter-book build . -W`")
    pages = args.pages.split(",") if args.pages else None
    print(json.dumps(measure_site(args.site, args.runs, pages, reports=args.reports)))


if __name__ == "__main__":
    main()
