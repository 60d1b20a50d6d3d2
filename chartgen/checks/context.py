"""What checks receive: their subject (an object, a render outcome, the run's render records
or its own record), shared read-only services, and their typed options."""

from __future__ import annotations

import typing
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, TypeVar

from chartgen.helm import RenderFailure
from chartgen.kubeschema import SchemaValidator
from chartgen.manifests import Manifest, ParseFailure
from chartgen.scenario import Scenario
from chartgen.sourcemap import TemplateLocator

if TYPE_CHECKING:
    from chartgen.store import ChartFacts, RenderStore

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
    kube_version: str | None = None  # an annotation holds only in the render that carries it

    def covers(self, check: str, kind: str, name: str, scenario: str, kube_version: str) -> bool:
        return (
            self.check == check
            and self.kind in (None, kind)
            and self.name in (None, name)
            and (self.scenario is None or fnmatch(scenario, self.scenario))
            and self.kube_version in (None, kube_version)
        )


# Derived facts kept at once: the checks of one render ask for its scenario's many times.
_DERIVED_KEPT = 32
T = TypeVar("T")


@dataclass
class Services:
    """Read-only things built once per run and shared by every check."""

    chart_dir: Path
    store: RenderStore
    schemas: SchemaValidator
    locator: TemplateLocator
    catalog_dir: Path | None = None
    scenarios: Sequence[Scenario] = ()  # the run's scenarios, for analyses that need one again
    check_ids: frozenset[str] = frozenset()
    sharded: bool = False  # this run is one part of a matrix: whole-matrix conclusions are not its to draw
    _derived: OrderedDict[tuple[str, Callable[..., Any]], Any] = field(
        default_factory=OrderedDict, repr=False
    )
    _lock: Lock = field(default_factory=Lock, repr=False)

    @property
    def chart(self) -> ChartFacts:
        """The chart's name, default values and values schema."""
        return self.store.chart

    @property
    def api_versions(self) -> tuple[str, ...]:
        return self.store.api_versions

    def scenario(self, name: str) -> Scenario:
        """A scenario of the run by name (generated ones are made again on demand)."""
        return next(scenario for scenario in self.scenarios if scenario.name == name)

    def merged_values(self, scenario: Scenario) -> dict[str, Any]:
        """The values Helm renders a scenario with (chart defaults coalesced with the scenario's);
        shared between callers, so never modify it."""
        return self.store.merged_values(scenario)

    def derived(self, scenario: Scenario, compute: Callable[[dict[str, Any]], T]) -> T:
        """``compute(merged values)``, once per scenario while its renders are checked: for facts
        every object of a render asks for. ``compute`` is a module-level function (it is part
        of the key); the result is shared, so never modify it."""
        key = (scenario.key, compute)
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return typing.cast(T, self._derived[key])
        value = compute(self.merged_values(scenario))
        with self._lock:
            self._derived[key] = value
            if len(self._derived) > _DERIVED_KEPT:
                self._derived.popitem(last=False)
        return value

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
class RenderRecord:
    """What outlives a (scenario, version) render once its checks are done: compact evidence
    for the matrix analyses, not the render (nor the scenario: ``Services.scenario`` finds it)."""

    scenario: str  # the scenario's name
    kube_version: str
    failure: RenderFailure | None
    documents: int  # objects the render produced
    digest: str  # of the rendered texts: equal digests, equal output
    branches: frozenset[int] = frozenset()  # template branches reached (when coverage is measured)
    expects_failure: bool = False  # a negative scenario: its render must fail

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class Skipped:
    """An evaluation a check could not perform (fail closed: reported by check-skipped)."""

    check: str
    scenario: str
    kube_version: str
    reason: str


@dataclass(frozen=True)
class RunRecord:
    """The run's own record, read by the engine invariants (check-skipped, nothing-checked)."""

    renders: tuple[RenderRecord, ...]
    skipped: tuple[Skipped, ...]
    sharded: bool


@dataclass(frozen=True)
class SuppressionRecord:
    """What the suppression stage did, read by unused-suppression."""

    declared: tuple[Suppression, ...]
    used: frozenset[Suppression]
    sharded: bool
    scenarios: frozenset[str] = frozenset()  # the scenarios of the run


@dataclass(frozen=True)
class CheckContext:
    """Handed to every check call, next to its subject."""

    services: Services
    options: Any  # the check's options dataclass (see chartgen.checks.options)
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

    def find(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The object of the render with this kind and name in ``namespace`` (default: the
        release's), or None; objects that name no namespace are in the release's."""
        from chartgen.checks.objects.references import find_object

        where = self.release_namespace if namespace is None else namespace
        return find_object(self.object_dicts, kind, name, where, self.release_namespace)

    def selected(self, selector: dict[str, Any] | None, namespace: str | None = None) -> list[dict[str, Any]]:
        """The workloads of the render in ``namespace`` (default: the release's) whose pods
        ``selector`` matches; an empty selector matches none."""
        from chartgen.checks.objects.selectors import selected_workloads

        where = self.release_namespace if namespace is None else namespace
        return selected_workloads(selector, self.object_dicts, where, self.release_namespace)

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
