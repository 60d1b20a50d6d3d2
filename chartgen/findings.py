"""What checks produce and reports consume.

A check yields ``Finding``s: a message, a path inside the object and, where it
knows better than the engine, a location. The engine stamps each one into a
``Result`` with the check's id, code and level, the scenario, the Kubernetes
version and the source template file and line. A ``Report`` is the whole run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

REPORT_FORMAT = "chartgen-report/2"  # marks a JSON report, so merge knows its input


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem, as a check reports it. ``kind``/``name`` name the object when the
    check reports about one other than the object it was given (or has none)."""

    message: str
    path: str = ""
    kind: str | None = None
    name: str | None = None
    template: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Result:
    """A finding as reported: stamped with where it came from."""

    check: str
    code: str
    level: str
    scenario: str
    kube_version: str
    kind: str
    name: str
    path: str
    message: str
    template: str
    line: int | None
    source: str = ""  # in a chartgen project: the Jinja2 source line that generated ``template:line``

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def root_cause(self) -> tuple[Any, ...]:
        """Findings with the same root cause differ only in scenario and version."""
        return (self.check, self.kind, self.name, self.path, self.message, self.template, self.line)


@dataclass(frozen=True)
class CheckInfo:
    """The documentation of a check, as reports show it."""

    id: str
    code: str
    family: str
    level: str
    description: str
    remediation: str


@dataclass(frozen=True)
class BranchReach:
    """A template branch measured by ``--coverage`` and the scenarios whose render reached it."""

    template: str
    line: int
    action: str  # e.g. "if .Values.backup.enabled"
    scenarios: tuple[str, ...]  # sorted; empty when no scenario reached the branch

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "scenarios": list(self.scenarios)}


@dataclass
class Summary:
    """The fail-closed invariants of a run."""

    scenarios: int = 0
    renders: int = 0
    documents: int = 0
    checks: int = 0
    skipped: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    suppressed: int = 0
    kube_versions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """Everything a run produced; report formats only read this."""

    summary: Summary
    results: list[Result]
    checks: dict[str, CheckInfo]
    evaluated: list[tuple[str, str]] = field(default_factory=list)  # (scenario, kube version) pairs run
    notes: list[str] = field(default_factory=list)
    chart: str = ""  # the chart linted (name@version), so reports of different charts are not merged
    chart_dir: str = ""  # where it is, relative to the run's root when inside it (for locations)
    shard: tuple[int, int] = (1, 1)  # part I of N of the matrix
    coverage: list[BranchReach] | None = None  # measured with --coverage only

    def to_dict(self) -> dict[str, Any]:
        """One entry per distinct finding (root cause), with the pairs it occurs in."""
        findings: dict[tuple[Any, ...], dict[str, Any]] = {}
        for result in self.results:
            entry = findings.get(result.root_cause)
            if entry is None:
                entry = findings[result.root_cause] = {
                    key: value
                    for key, value in result.to_dict().items()
                    if key not in ("scenario", "kube_version")
                }
                entry["occurrences"] = []
            entry["occurrences"].append({"scenario": result.scenario, "kube_version": result.kube_version})
        data = {
            "format": REPORT_FORMAT,
            "chart": self.chart,
            "chart_dir": self.chart_dir,
            "shard": {"index": self.shard[0], "count": self.shard[1]},
            "summary": self.summary.to_dict(),
            "findings": list(findings.values()),
            "checks": {key: asdict(info) for key, info in sorted(self.checks.items())},
            "evaluated": [{"scenario": s, "kube_version": v} for s, v in self.evaluated],
            "notes": list(self.notes),
        }
        if self.coverage is not None:
            data["coverage"] = [branch.to_dict() for branch in self.coverage]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        summary = Summary(**data["summary"])
        results = [
            Result(**{**_without(item, "occurrences"), **where})
            for item in data["findings"]
            for where in item["occurrences"]
        ]
        checks = {key: CheckInfo(**value) for key, value in data.get("checks", {}).items()}
        evaluated = [(item["scenario"], item["kube_version"]) for item in data.get("evaluated", [])]
        shard = data.get("shard") or {"index": 1, "count": 1}
        coverage = data.get("coverage")
        if coverage is not None:
            coverage = [BranchReach(**{**item, "scenarios": tuple(item["scenarios"])}) for item in coverage]
        return cls(
            summary,
            results,
            checks,
            evaluated,
            list(data.get("notes", [])),
            str(data.get("chart", "")),
            str(data.get("chart_dir", "")),
            (int(shard["index"]), int(shard["count"])),
            coverage,
        )

    def exit_code(self, strict: bool = False) -> int:
        failing = self.summary.errors + (self.summary.warnings if strict else 0)
        return 1 if failing else 0


def _without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def result_key(result: Result) -> tuple[Any, ...]:
    """Sort order of findings: level (error first), check, template, line, kind, name, path, message."""
    return (
        -Level(result.level).rank,
        result.check,
        result.template,
        result.line or 0,
        result.kind,
        result.name,
        result.path,
        result.message,
    )
