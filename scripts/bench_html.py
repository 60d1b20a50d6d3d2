#!/usr/bin/env python3
"""Measure the HTML matrix report: its size and how long headless Chromium takes to show it.

Issue 15 sets the budget: the report of the certctl named tier renders in a browser in under
a second and stays under 1 MiB, and a 10,000-finding report stays usable. This writes both
reports and loads each in headless Chromium several times (a fresh tab each), reporting the
median of: DOMContentLoaded (HTML parsed and the page's script has built the DOM), the load
event, and the first frame after it (style, layout and paint done).

    python scripts/bench_html.py [--runs N] [--coverage] [--findings N]

Needs the test extra (websocket-client) and the Debian package chromium.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium_page  # noqa: E402
from large_report import large_report  # noqa: E402

from chartgen.report import render_report  # noqa: E402

# Milliseconds since navigation start. "shown" waits for the next frame after the load event,
# so it includes style, layout and paint of the built page (and over-counts by up to a frame).
TIMINGS = """new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  resolve({
    parsed: navigation.domContentLoadedEventEnd,
    built: navigation.loadEventEnd,
    shown: performance.now(),
    elements: document.getElementsByTagName("*").length,
  });
})))"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per report (default 5)")
    parser.add_argument("--coverage", action="store_true", help="lint with --coverage, as CI does")
    parser.add_argument("--findings", type=int, default=10_000, help="size of the synthetic report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chartgen-bench-html-") as workdir:
        named = Path(workdir) / "named.html"
        command = [
            sys.executable,
            "-m",
            "chartgen",
            "lint",
            "matrix",
            "--format",
            "html",
            "--output",
            str(named),
        ]
        subprocess.run(command + (["--coverage"] if args.coverage else []), cwd=ROOT, check=False)
        large = Path(workdir) / "large.html"
        large.write_text(render_report(large_report(max(1, args.findings // 2000)), "html"), encoding="utf-8")
        print(f"{'report':<28}{'size':>10}{'parsed':>10}{'built':>10}{'shown':>10}{'elements':>10}")
        for label, page in (("certctl named tier", named), (f"{args.findings:,} synthetic findings", large)):
            measure(label, page, args.runs)
    return 0


def measure(label: str, page: Path, runs: int) -> None:
    samples = []
    for _ in range(runs):
        with chromium_page() as tab:
            tab.open(page)
            samples.append(tab.evaluate(TIMINGS))

    def median_ms(key: str) -> str:
        values = [sample[key] for sample in samples if sample[key] is not None]
        return f"{statistics.median(values):.0f} ms" if values else "-"

    size = f"{page.stat().st_size / 1024:.0f} KiB"
    elements = samples[-1]["elements"]
    print(
        f"{label:<28}{size:>10}{median_ms('parsed'):>10}{median_ms('built'):>10}{median_ms('shown'):>10}{elements:>10}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
