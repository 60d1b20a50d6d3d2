"""What checks receive: the render outcome, shared services, and their options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path
from threading import Lock
from typing import Any

from chartgen.helm import RenderFailure, merge_values
from chartgen.kubeschema import SchemaValidator
from chartgen.manifests import Manifest, ParseFailure
from chartgen.matrix.scenarios import Scenario
from chartgen.sourcemap import TemplateLocator

IGNORE_ANNOTATION = "chartgen.io/ignore"


class Skip(Exception):
    """Raised by a check that cannot evaluate its subject; the engine reports it (fail closed)."""


@dataclass(frozen=True)
class Suppression:
    """An accepted finding: from an object annotation or the config allow-list."""

    check: str
    reason: str
    origin: str  # where it was declared, for messages
    kind: str | None = None
    name: str | None = None
    scenario: str | None = None  # fnmatch pattern

    def covers(self, check: str, kind: str, name: str, scenario: str) -> bool:
        return (
            self.check == check
            and self.kind in (None, kind)
            and self.name in (None, name)
            and (self.scenario is None or fnmatch(scenario, self.scenario))
        )


@dataclass
class Ledger:
    """What the run noticed about itself: skipped evaluations and used suppressions."""

    skipped: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # (check, scenario, version, reason)
    suppressions: list[Suppression] = field(default_factory=list)
    used: set[Suppression] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # figures a check wants in the report (e.g. coverage)
    lock: Lock = field(default_factory=Lock)


@dataclass
class Services:
    """Read-only things built once per run and shared by every check (plus the run's ledger)."""

    chart_dir: Path
    chart: Any  # helm_python.Chart
    schemas: SchemaValidator
    locator: TemplateLocator
    catalog_dir: Path | None = None
    ledger: Ledger = field(default_factory=Ledger)
    check_ids: frozenset[str] = frozenset()
    sharded: bool = False  # this run is one part of a matrix: whole-matrix conclusions are not its to draw
    # Renders a scenario at a version the way the run does (for checks that need more renders).
    render: Callable[[Scenario, str], dict[str, str]] | None = None
    api_versions: tuple[str, ...] = ()
    _merged: dict[int, tuple[Scenario, dict[str, Any]]] = field(default_factory=dict, repr=False)

    def merged_values(self, scenario: Scenario) -> dict[str, Any]:
        """The values Helm renders a scenario with (chart defaults coalesced with the scenario's),
        computed once per scenario; the entry keeps the scenario alive so its id stays unique."""
        entry = self._merged.get(id(scenario))
        if entry is None or entry[0] is not scenario:
            entry = (scenario, merge_values(self.chart, scenario.values))
            self._merged[id(scenario)] = entry
        return entry[1]

    @cached_property
    def env_catalog(self) -> Any:
        from chartgen.catalog import load_env_catalog

        return load_env_catalog(self.catalog_dir / "env.yaml") if self.catalog_dir else None

    @cached_property
    def certctl_catalog(self) -> Any:
        from chartgen.catalog import load_certctl_catalog

        # Optional: without it, contract checks judge names but not versions or flags.
        path = self.catalog_dir / "certctl.yaml" if self.catalog_dir else None
        return load_certctl_catalog(path) if path and path.is_file() else None

    @cached_property
    def metric_catalog(self) -> Any:
        from chartgen.catalog import load_metric_catalog

        return load_metric_catalog(self.catalog_dir / "metrics.yaml") if self.catalog_dir else None


@dataclass(frozen=True)
class RenderOutcome:
    """One (scenario, Kubernetes version) render: the objects, or why there are none."""

    scenario: Scenario
    kube_version: str
    rendered: Mapping[str, str] = field(default_factory=dict)
    manifests: tuple[Manifest, ...] = ()
    parse_failures: tuple[ParseFailure, ...] = ()
    failure: RenderFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class CheckContext:
    """Handed to every check call, next to its subject."""

    services: Services
    options: Mapping[str, Any]
    outcome: RenderOutcome | None = None

    @property
    def objects(self) -> tuple[Manifest, ...]:
        """Every object of the same render (read-only), for checks that cross-reference."""
        return self.outcome.manifests if self.outcome else ()

    @property
    def object_dicts(self) -> list[dict[str, Any]]:
        """The same objects as plain dicts, for lookups by kind, name and selector."""
        return [manifest.obj for manifest in self.objects]

    @property
    def release_namespace(self) -> str:
        """Where objects without a namespace of their own are installed."""
        return self.outcome.scenario.namespace if self.outcome else ""

    def namespace_of(self, obj: dict[str, Any]) -> str:
        """The namespace an object lands in: its own, else the release's."""
        return str((obj.get("metadata") or {}).get("namespace") or self.release_namespace)

    @property
    def kube_version(self) -> str:
        return self.outcome.kube_version if self.outcome else ""


def annotation_suppressions(metadata: dict[str, Any], kind: str) -> list[Suppression]:
    """Parse ``chartgen.io/ignore: "check-a: reason; check-b: reason"`` (entries without a reason
    are left out here and reported by the invalid-suppression check)."""
    text = (metadata.get("annotations") or {}).get(IGNORE_ANNOTATION)
    if not isinstance(text, str):
        return []
    name = str(metadata.get("name", ""))
    found = []
    for entry in filter(None, (part.strip() for part in text.replace("\n", ";").split(";"))):
        check, _, reason = entry.partition(":")
        if check.strip() and reason.strip():
            found.append(Suppression(check.strip(), reason.strip(), f"{kind}/{name} annotation", kind, name))
    return found
