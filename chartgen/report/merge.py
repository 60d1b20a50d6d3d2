"""``chartgen lint report merge``: join the JSON reports of the shards of one matrix.

``--shard I/N`` deals the scenarios round-robin to CI runners (each with all of its
Kubernetes versions); each writes a JSON report, and the merged one must read as if
one runner had run the whole matrix. Shards are not disjoint in everything, so
counters are not simply added:

- renders, documents, skipped and suppressed count work done per pair: they add up;
- ``scenarios`` is counted again from the merged ``evaluated`` pairs;
- every shard runs every check, so ``checks`` is the largest count, not the sum;
- every shard runs the matrix checks, so equal results are kept once and the level
  counts are counted again from the merged results.

Reports of different charts, a shard given twice, or a set with a shard missing are refused.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from chartgen.errors import UserError
from chartgen.findings import REPORT_FORMAT, BranchReach, CheckInfo, Level, Report, Result, Summary
from chartgen.report import result_key, version_key


def merge_reports(reports: list[Report]) -> Report:
    """One report for all ``reports``; results in a fixed order whatever the order of the shards."""
    _require_one_complete_matrix(reports)
    results = sorted(
        dict.fromkeys(result for report in reports for result in report.results), key=_merged_order
    )
    evaluated = list(dict.fromkeys(pair for report in reports for pair in report.evaluated))
    summaries = [report.summary for report in reports]
    summary = Summary(
        scenarios=len({scenario for scenario, _ in evaluated}),
        renders=sum(s.renders for s in summaries),
        documents=sum(s.documents for s in summaries),
        checks=max((s.checks for s in summaries), default=0),
        skipped=sum(s.skipped for s in summaries),
        errors=sum(r.level == Level.ERROR.value for r in results),
        warnings=sum(r.level == Level.WARNING.value for r in results),
        infos=sum(r.level == Level.INFO.value for r in results),
        suppressed=sum(s.suppressed for s in summaries),
        kube_versions=sorted({v for s in summaries for v in s.kube_versions}, key=version_key),
    )
    notes = list(dict.fromkeys(note for report in reports for note in report.notes))
    if summary.documents == 0 and not any(r.check == "nothing-checked" for r in results):
        # Fail closed for the whole matrix, which no single shard could judge.
        results.append(
            Result(
                "nothing-checked",
                "RND005",
                Level.ERROR.value,
                "*",
                "*",
                "",
                "",
                "",
                "the merged shards rendered no document to check",
                "",
                None,
            )
        )
        summary.errors += 1
    merged = Report(summary, results, _merge_checks(reports), evaluated, notes)
    merged.coverage = _merge_coverage(reports)
    if reports:
        merged.chart, merged.chart_dir = reports[0].chart, reports[0].chart_dir
    return merged


def _require_one_complete_matrix(reports: list[Report]) -> None:
    """The reports must be the shards of one run: one chart, each part 1..N exactly once."""
    charts = sorted({report.chart for report in reports})
    if len(charts) > 1:
        raise UserError(
            f"the reports are of different charts ({', '.join(charts)}); merge shards of one run only"
        )
    counts = sorted({report.shard[1] for report in reports})
    if len(counts) > 1:
        raise UserError(
            f"the reports split the matrix differently (into {' and '.join(map(str, counts))} shards)"
        )
    count = counts[0] if counts else 1
    seen: set[int] = set()
    for report in reports:
        if report.shard[0] in seen:
            raise UserError(f"shard {report.shard[0]}/{count} is given twice")
        seen.add(report.shard[0])
    missing = [f"{index}/{count}" for index in range(1, count + 1) if index not in seen]
    if reports and missing:
        raise UserError(f"incomplete set of shards: {', '.join(missing)} missing")


def _merge_checks(reports: list[Report]) -> dict[str, CheckInfo]:
    """All checks; shards that describe a check differently were not run by the same chartgen."""
    merged: dict[str, CheckInfo] = {}
    for report in reports:
        for check, info in report.checks.items():
            if merged.setdefault(check, info) != info:
                raise UserError(
                    f"the reports describe check {check!r} differently; merge shards of one run only"
                )
    return dict(sorted(merged.items()))


def _merge_coverage(reports: list[Report]) -> list[BranchReach] | None:
    """Each branch once, reached by the scenarios of every shard that reached it."""
    measured = [report.coverage for report in reports if report.coverage is not None]
    if not measured:
        return None
    reached: dict[tuple[str, int, str], set[str]] = {}
    for coverage in measured:
        for branch in coverage:
            reached.setdefault((branch.template, branch.line, branch.action), set()).update(branch.scenarios)
    return [BranchReach(*place, tuple(sorted(scenarios))) for place, scenarios in sorted(reached.items())]


def _merged_order(result: Result) -> tuple[Any, ...]:
    return (*result_key(result), result.scenario, version_key(result.kube_version))


def load_report(path: Path) -> Report:
    """Read a report written by ``--format json``; anything else is a ``UserError`` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read the report: {exc.strerror or exc}", location=str(path)) from None
    except UnicodeDecodeError:
        raise UserError(
            "not a chartgen JSON report: the file is not UTF-8 text", location=str(path)
        ) from None
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON: {exc.msg}", location=f"{path}:{exc.lineno}:{exc.colno}") from None
    if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
        raise UserError(f'not a chartgen JSON report (no "format": "{REPORT_FORMAT}")', location=str(path))
    try:
        report = Report.from_dict(data)
        _check_values(report)
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"not a chartgen JSON report: {exc}", location=str(path)) from None
    return report


def _check_values(report: Report) -> None:
    """Reject what would break later: every format sorts and maps by level, and merging adds counters."""
    for result in report.results:
        Level(result.level)
    for attribute in fields(Summary):
        value = getattr(report.summary, attribute.name)
        expected = list if attribute.name == "kube_versions" else int
        if not isinstance(value, expected):
            raise TypeError(
                f"summary.{attribute.name} must be {expected.__name__}, not {type(value).__name__}"
            )
