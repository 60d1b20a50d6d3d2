"""Report formats of ``chartgen lint matrix``, one module each.

A matrix run repeats the same finding in many (scenario, Kubernetes version)
pairs, so most formats show one entry per root cause with the list of where it
occurred (``group_by_root_cause``). The helpers here word those entries the same
way in every format. Format modules are imported only when used, because the
lint command also runs from pre-commit, where start-up time matters.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chartgen.errors import UserError
from chartgen.findings import Level, Report, Result, Summary, result_key

FORMATS = ("text", "concise", "json", "junit", "sarif", "github", "html")
_MODULES = {name: name for name in FORMATS} | {"json": "json_report"}  # json would shadow the stdlib

# Results of chart-wide checks carry one of these instead of a scenario or version.
WILDCARDS = frozenset({"", "*"})


@dataclass(frozen=True)
class Group:
    """One root cause: the first result reported for it, and every pair it occurred in."""

    result: Result
    occurrences: list[tuple[str, str]]  # (scenario, kube version), sorted


def resolve_format(name: str, environ: Mapping[str, str]) -> str:
    """The format to use for ``--format name``; ``auto`` annotates the PR when run by GitHub Actions."""
    if name == "auto":
        return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
    _require_known(name)
    return name


def render_report(report: Report, fmt: str, colour: bool = False) -> str:
    """The whole report as ``fmt`` (a name from ``FORMATS``), ready to print or write; the
    human formats (text, concise) in colour when asked."""
    _require_known(fmt)
    module = importlib.import_module(f"{__name__}.{_MODULES[fmt]}")
    text: str = module.render(report, colour=colour) if fmt in ("text", "concise") else module.render(report)
    return text


def wants_colour(environ: Mapping[str, str], stream: Any) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (https://no-color.org)."""
    return not environ.get("NO_COLOR") and hasattr(stream, "isatty") and stream.isatty()


def _require_known(fmt: str) -> None:
    if fmt not in FORMATS:
        choices = ", ".join(("auto", *FORMATS))
        raise UserError(f"unknown report format {fmt!r}; choose one of: {choices}")


def group_by_root_cause(results: Iterable[Result]) -> list[Group]:
    """Results with equal ``root_cause`` as one group, most severe first, then by place in the chart."""
    first: dict[tuple[Any, ...], Result] = {}
    where: dict[tuple[Any, ...], set[tuple[str, str]]] = {}
    for result in results:
        cause = result.root_cause
        first.setdefault(cause, result)
        where.setdefault(cause, set()).add((result.scenario, result.kube_version))
    groups = [Group(first[cause], sorted(where[cause], key=occurrence_key)) for cause in first]
    return sorted(groups, key=lambda group: result_key(group.result))


def occurrence_key(occurrence: tuple[str, str]) -> tuple[Any, ...]:
    scenario, kube_version = occurrence
    return (scenario, version_key(kube_version))


def version_key(version: str) -> tuple[tuple[int, ...], str]:
    """Numeric order for Kubernetes versions, so 1.9 sorts before 1.29."""
    numbers = tuple(int(part) if part.isdigit() else -1 for part in version.removeprefix("v").split("."))
    return numbers, version


def describe_object(result: Result) -> str:
    """``Kind/name at path``, or as much of it as the result knows; empty for chart-wide results."""
    subject = "/".join(part for part in (result.kind, result.name) if part)
    if result.path:
        return f"{subject} at {result.path}" if subject else f"at {result.path}"
    return subject


def describe_where(occurrences: Iterable[tuple[str, str]], evaluated: Iterable[tuple[str, str]] = ()) -> str:
    """Compact list of pairs: ``defaults @ 1.29, 1.37; backup-pvc @ 1.29``, or ``all 37 × 2``."""
    return "; ".join(where_parts(occurrences, evaluated))


def where_parts(
    occurrences: Iterable[tuple[str, str]], evaluated: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """One ``scenario @ versions`` entry per scenario, in the order of ``occurrences``; a finding
    in every evaluated pair of a run of several is ``all <scenarios> × <versions>``."""
    occurrences, run = list(occurrences), set(evaluated)
    if len(run) > 1 and run <= set(occurrences):
        return [f"all {len({s for s, _ in run})} × {len({v for _, v in run})}"]
    versions: dict[str, list[str]] = {}
    for scenario, kube_version in occurrences:
        shown = versions.setdefault("all scenarios" if scenario in WILDCARDS else scenario, [])
        if kube_version not in WILDCARDS and kube_version not in shown:
            shown.append(kube_version)
    return [f"{scenario} @ {', '.join(shown)}" if shown else scenario for scenario, shown in versions.items()]


def describe_context(group: Group) -> str:
    """The object and the pairs, for formats that carry them inside one message."""
    parts = [describe_object(group.result), f"in: {describe_where(group.occurrences)}"]
    return "; ".join(part for part in parts if part)


def describe_location(result: Result) -> str:
    """``template:line``, ``template``, or empty when the engine could not map the finding to a
    source; in a chartgen project the Jinja2 source first, the generated file beside it."""
    where = (
        f"{result.template}:{result.line}" if result.template and result.line is not None else result.template
    )
    return f"{result.source} (generated {where})" if result.source else where


def summary_lines(summary: Summary, groups: list[Group] | None = None) -> list[str]:
    """The fail-closed invariants and the verdict, printed at the end of every human-readable
    report. Given the groups a report prints, the verdict counts those, so the counts equal what
    is shown; else it counts results (one per scenario and version)."""
    invariants = " · ".join(
        f"{name} {getattr(summary, name)}"
        for name in ("scenarios", "renders", "documents", "checks", "skipped")
    )
    if groups is None:
        errors, warnings = summary.errors, summary.warnings
    else:
        errors = sum(g.result.level == Level.ERROR.value for g in groups)
        warnings = sum(g.result.level == Level.WARNING.value for g in groups)
    levels = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    if groups is not None:
        infos = sum(g.result.level == Level.INFO.value for g in groups)
        levels += f", {infos} info" if infos else ""
    verdict = f"{levels} ({summary.suppressed} suppressed)"
    return [invariants, verdict]


def per_check_lines(groups: list[Group]) -> list[str]:
    """How many distinct findings each check has, most first: ``  12  SEC004 seccomp-profile-missing (error)``."""
    counts: dict[tuple[str, str, str], int] = {}
    for group in groups:
        key = (group.result.code, group.result.check, group.result.level)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"{count:>5}  {code} {check} ({level})" for (code, check, level), count in ordered]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
