"""The lint engine: one run in stages, data flowing one way.

1. plan: the (scenario, version) pairs of this shard;
2. checks: chart-scope checks once, values-scope checks once per scenario, then each pair
   rendered by the store and checked (render and object scope), in parallel. A pair's render,
   documents and parse are dropped once its checks are done; what outlives it is its results
   and a compact RenderRecord (digest, document count, reached branches);
3. matrix analyses (unused-value, branch-not-covered) over the records, asking the store for
   any further renders they need;
4. engine invariants over the run's own record (check-skipped, nothing-checked);
5. suppressions (allow-list and object annotations) applied once to every result, then the
   invariant over that stage (unused-suppression);
6. the report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from glob import escape
from pathlib import Path
from typing import Any, TypeVar

from chartgen import helm
from chartgen.checks import Check, Scope
from chartgen.checks.context import (
    CheckContext,
    RenderOutcome,
    RenderRecord,
    RunRecord,
    Services,
    Skip,
    Skipped,
    Suppression,
    SuppressionRecord,
    annotation_suppressions,
)
from chartgen.findings import BranchReach, Finding, Level, Report, Result, Summary, result_key
from chartgen.kubeschema import SchemaValidator
from chartgen.manifests import Manifest, ParseFailure
from chartgen.parsecache import ParseCache
from chartgen.scenario import Scenario
from chartgen.sourcemap import TemplateLocator
from chartgen.store import Renderer, RenderStore, render_digest

ALL = "*"  # scenario / version of findings that are not about one render
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ConfiguredCheck:
    check: Check
    level: Level
    options: Any = None  # the check's options dataclass, validated when the config loaded


@dataclass
class LintTarget:
    """Everything one run lints: a chart, its scenarios, versions and checks."""

    chart_dir: Path
    scenarios: Sequence[Scenario]  # generated tiers make each one on demand
    kube_versions: list[str]
    checks: list[ConfiguredCheck]
    root: Path
    api_versions: list[str] = field(default_factory=list)
    catalog_dir: Path | None = None
    schemas: SchemaValidator = field(default_factory=SchemaValidator)
    suppressions: list[Suppression] = field(default_factory=list)
    shard: tuple[int, int] = (1, 1)
    # How a (scenario, version) is rendered; tests swap in canned output. None: the Helm engine.
    renderer: Renderer | None = None
    # Scenarios whose values files could not be read (name -> why): each fails on its own.
    unreadable: dict[str, str] = field(default_factory=dict)


@dataclass
class _ScenarioResult:
    """What one scenario leaves behind once every version of it is checked."""

    records: list[RenderRecord] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    annotations: list[Suppression] = field(default_factory=list)


def run_matrix(
    target: LintTarget,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    parse_cache: ParseCache | None = None,
) -> Report:
    """Lint ``target``: every stage, suppressions applied, one report."""
    with (
        RenderStore(target.chart_dir, target.api_versions, target.renderer, target.unreadable) as store,
        helm.go_logs_muted(),
    ):
        services = Services(
            chart_dir=target.chart_dir,
            store=store,
            schemas=target.schemas,
            locator=TemplateLocator(target.chart_dir, target.root),
            catalog_dir=target.catalog_dir,
            check_ids=frozenset(c.check.id for c in target.checks),
            sharded=target.shard[1] > 1,
            scenarios=target.scenarios,
        )
        return _Run(target, services, parse_cache if parse_cache is not None else ParseCache(), progress).run(
            workers
        )


class _Run:
    def __init__(
        self,
        target: LintTarget,
        services: Services,
        parse_cache: ParseCache,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.target = target
        self.services = services
        self.parse_cache = parse_cache
        self.progress = progress
        self.by_scope: dict[Scope, list[ConfiguredCheck]] = {scope: [] for scope in Scope}
        for configured in target.checks:
            self.by_scope[configured.check.scope].append(configured)
        self.wants_branches = any("branches" in c.check.evidence for c in self.by_scope[Scope.MATRIX])

    def run(self, workers: int) -> Report:
        results: list[Result] = []
        skipped: list[Skipped] = []
        annotations: list[Suppression] = []
        records: list[RenderRecord] = []
        evaluated: list[tuple[str, str]] = []
        if self.target.shard[0] == 1:
            for configured in self.by_scope[Scope.CHART]:
                results += self._call(configured, self.services.chart_dir, None, ALL, ALL, skipped)
        mine = range(self.target.shard[0] - 1, len(self.target.scenarios), self.target.shard[1])
        total = len(mine) * len(self.target.kube_versions)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            # Scenarios stream through a bounded window: each is made, rendered, checked and
            # dropped, so memory does not grow with the length of the matrix.
            # A shard takes whole scenarios (every version of each), so values checks run once.
            scenarios = (self.target.scenarios[number] for number in mine)
            for done in _bounded_map(pool, self._evaluate_scenario, scenarios, window=4 * max(1, workers)):
                records += done.records
                results += done.results
                skipped += done.skipped
                annotations += done.annotations
                evaluated += [(record.scenario, record.kube_version) for record in done.records]
                if self.progress:
                    self.progress(len(evaluated), total)
        for configured in self.by_scope[Scope.MATRIX]:
            results += self._call(configured, records, None, ALL, ALL, skipped)
        record = RunRecord(tuple(records), tuple(skipped), self.services.sharded)
        for configured in self.by_scope[Scope.RUN]:
            results += self._call(configured, record, None, ALL, ALL, skipped)
        suppression = _SuppressionStage(self.target.suppressions, annotations)
        results = suppression.apply(results)
        done_record = SuppressionRecord(
            suppression.declared,
            frozenset(suppression.used),
            self.services.sharded,
            frozenset(record.scenario for record in records),
        )
        for configured in self.by_scope[Scope.SUPPRESSIONS]:
            results += self._call(configured, done_record, None, ALL, ALL, skipped)
        results.sort(key=lambda r: (*result_key(r), r.scenario, r.kube_version))
        return self._report(results, records, len(skipped), suppression.count, evaluated)

    def _report(
        self,
        results: list[Result],
        records: list[RenderRecord],
        skipped: int,
        suppressed: int,
        evaluated: list[tuple[str, str]],
    ) -> Report:
        summary = Summary(
            scenarios=len({scenario for scenario, _ in evaluated}),
            renders=len(records),
            documents=sum(record.documents for record in records),
            checks=len(self.target.checks),
            skipped=skipped,
            errors=sum(r.level == Level.ERROR.value for r in results),
            warnings=sum(r.level == Level.WARNING.value for r in results),
            infos=sum(r.level == Level.INFO.value for r in results),
            suppressed=suppressed,
            kube_versions=list(self.target.kube_versions),
        )
        checks = {c.check.id: c.check.info(c.level) for c in self.target.checks}
        notes = [_coverage_note(records, len(self.services.store.branches))] if self.wants_branches else []
        return Report(
            summary,
            results,
            checks,
            evaluated,
            notes,
            coverage=_branch_reach(records, self.services) if self.wants_branches else None,
            chart=f"{self.services.chart.name}@{self.services.chart.version}",
            chart_dir=_shown_path(self.target.chart_dir, self.target.root),
            shard=self.target.shard,
        )

    def _evaluate_scenario(self, scenario: Scenario) -> _ScenarioResult:
        """The scenario's values checks, then each of its versions rendered and checked."""
        done = _ScenarioResult()
        for configured in self.by_scope[Scope.VALUES]:
            done.results += self._call(configured, scenario, None, scenario.name, ALL, done.skipped)
        for version in self.target.kube_versions:
            self._evaluate(scenario, version, done)
        return done

    def _evaluate(self, scenario: Scenario, version: str, done: _ScenarioResult) -> None:
        """Render one pair and run its checks; only results and a compact record outlive it."""
        try:
            rendered = self.services.store.render(scenario, version)
        except helm.RenderFailure as failure:
            outcome = RenderOutcome(scenario, version, failure=failure)
        else:
            manifests, failures = self._parse(rendered)
            outcome = RenderOutcome(scenario, version, rendered, tuple(manifests), tuple(failures))
        for configured in self.by_scope[Scope.RENDER]:
            done.results += self._call(configured, outcome, outcome, scenario.name, version, done.skipped)
        for manifest in outcome.manifests:
            kind = str(manifest.obj.get("kind", ""))
            for configured in self.by_scope[Scope.OBJECT]:
                if configured.check.applies_to(kind):
                    done.results += self._call(
                        configured, manifest, outcome, scenario.name, version, done.skipped
                    )
        done.records.append(
            RenderRecord(
                scenario.name,
                version,
                outcome.failure,
                len(outcome.manifests),
                render_digest(outcome.rendered),
                self.services.store.covered_branches(scenario, version)
                if self.wants_branches
                else frozenset(),
                expects_failure=scenario.expect.fails is not None,
            )
        )
        done.annotations += _annotations(outcome)

    def _parse(self, rendered: dict[str, str]) -> tuple[list[Manifest], list[ParseFailure]]:
        manifests: list[Manifest] = []
        failures: list[ParseFailure] = []
        for template in sorted(rendered):
            parsed = self.parse_cache.parse(template, rendered[template])
            manifests += parsed[0]
            failures += parsed[1]
        return manifests, failures

    def _call(
        self,
        configured: ConfiguredCheck,
        subject: Any,
        outcome: RenderOutcome | None,
        scenario: str,
        version: str,
        skipped: list[Skipped],
    ) -> list[Result]:
        context = CheckContext(self.services, configured.options, outcome)
        try:
            findings = list(configured.check.run(subject, context))
        except Skip as skip:
            skipped.append(Skipped(configured.check.id, scenario, version, str(skip)))
            return []
        except Exception as exc:  # a broken check must not pass silently: count it as skipped
            reason = f"the check crashed: {type(exc).__name__}: {exc}"
            skipped.append(Skipped(configured.check.id, scenario, version, reason))
            return []
        manifest = subject if isinstance(subject, Manifest) else None
        return [self._stamp(configured, f, manifest, outcome, scenario, version) for f in findings]

    def _stamp(
        self,
        configured: ConfiguredCheck,
        finding: Finding,
        manifest: Manifest | None,
        outcome: RenderOutcome | None,
        scenario: str,
        version: str,
    ) -> Result:
        kind = finding.kind or (str(manifest.obj.get("kind", "")) if manifest else "")
        name = finding.name or (str(manifest.obj.get("metadata", {}).get("name", "")) if manifest else "")
        template, line = "", finding.line
        locator = self.services.locator
        if finding.template:
            template = locator.file_for(finding.template)
        elif manifest is not None and outcome is not None:
            template, line = locator.locate_object(manifest, outcome.rendered, finding.path)
        return Result(
            check=configured.check.id,
            code=configured.check.code,
            level=configured.level.value,
            scenario=scenario,
            kube_version=version,
            kind=kind,
            name=name,
            path=finding.path,
            message=finding.message,
            template=template,
            line=line,
            source=locator.jinja_source(template, line) if template else "",
        )


class _SuppressionStage:
    """Every suppression of the run, applied once to every result of every stage.

    An annotation holds for the object that carries it in the render that carries it; it is
    declared once (the same annotation in many renders is one suppression to keep or delete).
    """

    def __init__(self, allow: list[Suppression], annotations: list[Suppression]) -> None:
        self._by_check: dict[str, list[Suppression]] = {}
        for suppression in [*allow, *annotations]:
            self._by_check.setdefault(suppression.check, []).append(suppression)
        self.declared = tuple(dict.fromkeys([*allow, *map(_unscoped, annotations)]))
        self.used: set[Suppression] = set()
        self.count = 0

    def apply(self, results: Iterable[Result]) -> list[Result]:
        kept = []
        for result in results:
            match = next(
                (
                    s
                    for s in self._by_check.get(result.check, ())
                    if s.covers(result.check, result.kind, result.name, result.scenario, result.kube_version)
                ),
                None,
            )
            if match is None:
                kept.append(result)
            else:
                self.used.add(_unscoped(match) if match.kube_version else match)
                self.count += 1
        return kept


def _annotations(outcome: RenderOutcome) -> Iterator[Suppression]:
    """The ``chartgen.io/ignore`` annotations of a render, scoped to that render."""
    for manifest in outcome.manifests:
        metadata = manifest.obj.get("metadata") or {}
        for suppression in annotation_suppressions(metadata, str(manifest.obj.get("kind", ""))):
            yield replace(
                suppression, scenario=escape(outcome.scenario.name), kube_version=outcome.kube_version
            )


def _bounded_map(
    pool: ThreadPoolExecutor, function: Callable[[T], R], items: Iterable[T], window: int
) -> Iterator[R]:
    """``pool.map`` that keeps at most ``window`` items in flight (``map`` submits them all at
    once, which would make every generated scenario up front); results come in order."""
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(pool.submit(function, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _unscoped(suppression: Suppression) -> Suppression:
    return replace(suppression, scenario=None, kube_version=None)


def _coverage_note(records: list[RenderRecord], branches: int) -> str:
    covered: set[int] = set()
    for record in records:
        covered |= record.branches
    scenarios = len({record.scenario for record in records})
    return (
        f"branch coverage: {len(covered)} of {branches} template branches rendered "
        f"({100.0 * len(covered) / max(1, branches):.1f}%) by {scenarios} scenarios"
    )


def _branch_reach(records: list[RenderRecord], services: Services) -> list[BranchReach]:
    """Which scenarios reach each template branch, for the reports that draw coverage (HTML)."""
    branches = services.store.branches
    reached_by: dict[int, set[str]] = {branch.id: set() for branch in branches}
    for record in records:
        for branch_id in record.branches:
            reached_by[branch_id].add(record.scenario)
    return [
        BranchReach(
            services.locator.file_for(f"{services.chart.name}/{branch.template}"),
            branch.line,
            branch.action,
            tuple(sorted(reached_by[branch.id])),
        )
        for branch in branches
    ]


def _shown_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
