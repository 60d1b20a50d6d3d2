"""The HTML matrix report: one self-contained page, scenarios × checks, for people to look at.

The page works offline and as a CI artifact: the stylesheet and script are inlined from
``assets/`` and a Content-Security-Policy forbids every network request. The run is embedded
once, as JSON, and the script builds the DOM from it, so the file stays small even for
large matrices: the grid, the findings of a clicked cell, per-check and per-template
summaries and, after ``--coverage``, which scenarios reach which template branch.

The embedded data holds only what the JSON report holds, regrouped: one entry per root
cause with the (scenario, version) pairs where it occurred. No timestamp, so the same run
gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from html import escape
from importlib.resources import files
from typing import Any

from chartgen.findings import Report
from chartgen.report import group_by_root_cause

# Where each finding occurred is listed with the group, so these per-pair fields are dropped.
_PER_PAIR = ("scenario", "kube_version")

# The report draws itself from inline code and never loads anything.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def render(report: Report) -> str:
    assets = files("chartgen.report") / "assets"
    style = (assets / "html-report.css").read_text(encoding="utf-8")
    script = (assets / "html-report.js").read_text(encoding="utf-8")
    verdict = "failed" if report.summary.errors else "passed"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_POLICY)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>chartgen lint matrix: {verdict}</title>\n"
        f"<style>\n{style}</style>\n</head>\n<body>\n"
        "<noscript><p>This report draws its tables with JavaScript. "
        "The same data is in the JSON report (--format json).</p></noscript>\n"
        '<main id="report"></main>\n'
        f'<script type="application/json" id="report-data">{embedded_data(report)}</script>\n'
        f"<script>\n{script}</script>\n</body>\n</html>\n"
    )


def embedded_data(report: Report) -> str:
    """The run as compact JSON that is safe inside a script element (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(report_data(report), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def report_data(report: Report) -> dict[str, Any]:
    """The JSON report's content with findings grouped by root cause."""
    findings = []
    for group in group_by_root_cause(report.results):
        finding = {key: value for key, value in group.result.to_dict().items() if key not in _PER_PAIR}
        finding["where"] = [list(pair) for pair in group.occurrences]
        findings.append(finding)
    return {
        "summary": report.summary.to_dict(),
        "checks": {key: asdict(info) for key, info in sorted(report.checks.items())},
        "evaluated": [list(pair) for pair in report.evaluated],
        "findings": findings,
        "notes": list(report.notes),
        "coverage": None if report.coverage is None else [b.to_dict() for b in report.coverage],
    }
