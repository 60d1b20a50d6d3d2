#!/usr/bin/env python3
"""Lint every chart of a directory the way a new user would, and count what each check says.

    python scripts/corpus.py CHARTS_DIR [--findings FILE.json]

Each subdirectory (or ``.tgz``) of CHARTS_DIR with a Chart.yaml is linted like
``chartgen lint CHART``: its defaults plus each ``ci/*-values.yaml``, Helm's release and
namespace, every check at its default level for a chart from outside. Printed: per chart
the verdict (linted, refused with the message, or library), the scenarios and documents,
and the distinct findings per level; then per check the distinct findings per level over
the corpus. ``--findings`` writes every distinct error-level finding (chart, check, object,
path, message, first scenario) as JSON, to classify them by hand (docs/precision.md).
A distinct finding is a root cause: equal check, object, path, message and source line,
whatever the scenarios and versions it occurs in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from chartgen.anychart import ChartLintOptions, LibraryChart, build_chart_target, check_chart, open_chart
from chartgen.engine import run_matrix
from chartgen.errors import UserError
from chartgen.findings import Report
from chartgen.report import group_by_root_cause

LEVELS = ("error", "warning", "info")


def lint_chart(path: Path) -> tuple[str, Report | None]:
    """The verdict and report for one chart."""
    try:
        chart_dir = open_chart(path)
        check_chart(chart_dir)
        return "linted", run_matrix(build_chart_target(ChartLintOptions(chart=path), chart_dir, path.parent))
    except LibraryChart:
        return "library chart", None
    except UserError as exc:
        return f"refused: {exc}", None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("charts_dir", type=Path)
    parser.add_argument("--findings", type=Path, help="write the distinct error-level findings here (JSON)")
    args = parser.parse_args()
    charts = sorted(
        p for p in args.charts_dir.iterdir() if (p / "Chart.yaml").is_file() or p.suffix == ".tgz"
    )
    if not charts:
        print(f"no charts in {args.charts_dir}", file=sys.stderr)
        return 2
    per_check: dict[str, Counter[str]] = {}
    errors: list[dict[str, object]] = []
    refused = 0
    print(f"{'chart':32} {'verdict':8} {'scen':>4} {'docs':>5} {'errors':>6} {'warn':>5} {'info':>5}")
    for chart in charts:
        verdict, report = lint_chart(chart)
        if report is None:
            refused += verdict.startswith("refused")
            print(f"{chart.name:32} {verdict}")
            continue
        levels: Counter[str] = Counter()
        for group in group_by_root_cause(report.results):
            result = group.result
            levels[result.level] += 1
            per_check.setdefault(f"{result.code} {result.check}", Counter())[result.level] += 1
            if result.level == "error":
                errors.append(
                    {
                        "chart": chart.name,
                        "check": f"{result.code} {result.check}",
                        "object": f"{result.kind}/{result.name}",
                        "path": result.path,
                        "message": result.message,
                        "template": result.template,
                        "line": result.line,
                        "scenario": group.occurrences[0][0],
                    }
                )
        summary = report.summary
        print(
            f"{chart.name:32} {'linted':8} {summary.scenarios:>4} {summary.documents:>5} "
            + " ".join(f"{levels[level]:>{width}}" for level, width in zip(LEVELS, (6, 5, 5), strict=True))
        )
    print(f"\n{'check':48} {'errors':>6} {'warn':>5} {'info':>5}")
    for name, counts in sorted(per_check.items()):
        print(
            f"{name:48} "
            + " ".join(f"{counts[level]:>{w}}" for level, w in zip(LEVELS, (6, 5, 5), strict=True))
        )
    totals: Counter[str] = Counter()
    for counts in per_check.values():
        totals.update(counts)
    print(
        f"{'total':48} "
        + " ".join(f"{totals[level]:>{w}}" for level, w in zip(LEVELS, (6, 5, 5), strict=True))
    )
    print(f"\n{len(charts)} charts, {refused} refused")
    if args.findings:
        args.findings.write_text(json.dumps(errors, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
