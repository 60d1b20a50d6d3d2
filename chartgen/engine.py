"""The lint engine: render each (scenario, Kubernetes version) once, parse once, hand each
check only what it reads, and stamp every finding with where it came from.

Order of a run: chart-scope checks (once), values-scope checks (once per scenario),
then every (scenario, version) pair in parallel (render, parse, render- and
object-scope checks), then matrix-scope checks over all outcomes. Suppressions
are applied last, so the matrix checks can report the ones that matched nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chartgen import helm
from chartgen.checks import Check, Scope
from chartgen.checks.context import (
    CheckContext,
    RenderOutcome,
    Services,
    Skip,
    Suppression,
    annotation_suppressions,
)
from chartgen.findings import Finding, Level, Report, Result, Summary
from chartgen.kubeschema import SchemaValidator
from chartgen.manifests import Manifest, parse_rendered
from chartgen.matrix.scenarios import Scenario
from chartgen.sourcemap import TemplateLocator

ALL = "*"  # scenario / version of findings that are not about one render


@dataclass(frozen=True)
class ConfiguredCheck:
    check: Check
    level: Level
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class LintTarget:
    """Everything one run lints: a chart, its scenarios, versions and checks."""

    chart_dir: Path
    scenarios: list[Scenario]
    kube_versions: list[str]
    checks: list[ConfiguredCheck]
    root: Path
    api_versions: list[str] = field(default_factory=list)
    catalog_dir: Path | None = None
    schemas: SchemaValidator = field(default_factory=SchemaValidator)
    suppressions: list[Suppression] = field(default_factory=list)
    shard: tuple[int, int] = (1, 1)
    # How a (scenario, version) is rendered; tests swap in canned output. None: the Helm engine.
    renderer: Callable[[Any, Scenario, str, list[str]], dict[str, str]] | None = None


def run_matrix(
    target: LintTarget, workers: int = 2, progress: Callable[[int, int], None] | None = None
) -> Report:
    chart = helm.load_chart(target.chart_dir)
    services = Services(
        chart_dir=target.chart_dir,
        chart=chart,
        schemas=target.schemas,
        locator=TemplateLocator(target.chart_dir, target.root),
        catalog_dir=target.catalog_dir,
        check_ids=frozenset(c.check.id for c in target.checks),
        sharded=target.shard[1] > 1,
        api_versions=tuple(target.api_versions),
    )
    services.ledger.suppressions.extend(target.suppressions)
    services.render = _renderer(target, chart)
    engine = _Run(target, services, progress)
    with helm.go_logs_muted():
        return engine.run(workers)


class _Run:
    def __init__(
        self, target: LintTarget, services: Services, progress: Callable[[int, int], None] | None
    ) -> None:
        self.target = target
        self.services = services
        self.progress = progress
        self.locator = services.locator
        self._suppressed = 0
        self._parsed: dict[tuple[str, str], tuple[list[Manifest], list[Any]]] = {}
        self.by_scope: dict[Scope, list[ConfiguredCheck]] = {scope: [] for scope in Scope}
        for configured in target.checks:
            self.by_scope[configured.check.scope].append(configured)
        # The engine's own matrix checks report on the others (skips, suppressions): run them last.
        self.by_scope[Scope.MATRIX].sort(key=lambda configured: configured.check.family == "engine")

    def run(self, workers: int) -> Report:
        index, total = self.target.shard
        # A shard takes whole scenarios (every version of each), so values checks run once.
        scenarios = [s for number, s in enumerate(self.target.scenarios) if number % total == index - 1]
        pairs = [(s, v) for s in scenarios for v in self.target.kube_versions]
        mine = {scenario.name for scenario in scenarios}
        results: list[Result] = []
        if index == 1:
            for configured in self.by_scope[Scope.CHART]:
                results += self._call(configured, self.services.chart_dir, None, ALL, ALL)
        for scenario in scenarios:
            for configured in self.by_scope[Scope.VALUES]:
                results += self._call(configured, scenario, None, scenario.name, ALL)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            evaluated = []
            for done, item in enumerate(pool.map(self._evaluate, pairs), 1):
                evaluated.append(item)
                if self.progress:
                    self.progress(done, len(pairs))
        outcomes = [outcome for outcome, _ in evaluated]
        for _, pair_results in evaluated:
            results += pair_results
        results = self._apply_allow_list(results)
        for configured in self.by_scope[Scope.MATRIX]:
            results += self._call(configured, outcomes, None, ALL, ALL)
        results.sort(key=_result_order)
        summary = Summary(
            scenarios=len(mine),
            renders=len(outcomes),
            documents=sum(len(outcome.manifests) for outcome in outcomes),
            checks=len(self.target.checks),
            skipped=len(self.services.ledger.skipped),
            errors=sum(r.level == Level.ERROR.value for r in results),
            warnings=sum(r.level == Level.WARNING.value for r in results),
            infos=sum(r.level == Level.INFO.value for r in results),
            suppressed=self._suppressed,
            kube_versions=list(self.target.kube_versions),
        )
        checks = {c.check.id: c.check.info(c.level) for c in self.target.checks}
        ledger = self.services.ledger
        pairs_run = [(s.name, v) for s, v in pairs]
        return Report(summary, results, checks, pairs_run, list(ledger.notes), ledger.coverage)

    def _evaluate(self, pair: tuple[Scenario, str]) -> tuple[RenderOutcome, list[Result]]:
        scenario, version = pair
        try:
            rendered = self.services.render(scenario, version)
        except helm.RenderFailure as failure:
            outcome = RenderOutcome(scenario, version, failure=failure)
        else:
            manifests, failures = self._parse(rendered)
            outcome = RenderOutcome(scenario, version, rendered, tuple(manifests), tuple(failures))
        results: list[Result] = []
        for configured in self.by_scope[Scope.RENDER]:
            results += self._call(configured, outcome, outcome, scenario.name, version)
        for manifest in outcome.manifests:
            kind = str(manifest.obj.get("kind", ""))
            for configured in self.by_scope[Scope.OBJECT]:
                if configured.check.applies_to(kind):
                    results += self._call(configured, manifest, outcome, scenario.name, version)
        return outcome, self._apply_annotations(results, outcome)

    def _parse(self, rendered: dict[str, str]) -> tuple[list[Manifest], list[Any]]:
        """Parse each template's text once per run: most texts repeat across scenarios and
        versions. The parsed objects are shared read-only between outcomes."""
        manifests: list[Manifest] = []
        failures: list[Any] = []
        for template in sorted(rendered):
            text = rendered[template]
            cached = self._parsed.get((template, text))
            if cached is None:
                cached = parse_rendered({template: text})
                self._parsed[(template, text)] = cached
            manifests += cached[0]
            failures += cached[1]
        return manifests, failures

    def _call(
        self,
        configured: ConfiguredCheck,
        subject: Any,
        outcome: RenderOutcome | None,
        scenario: str,
        version: str,
    ) -> list[Result]:
        context = CheckContext(self.services, configured.options, outcome)
        try:
            findings = list(configured.check.run(subject, context))
        except Skip as skip:
            self._skip(configured.check.id, scenario, version, str(skip))
            return []
        except Exception as exc:  # a broken check must not pass silently: count it as skipped
            self._skip(
                configured.check.id, scenario, version, f"the check crashed: {type(exc).__name__}: {exc}"
            )
            return []
        manifest = subject if isinstance(subject, Manifest) else None
        return [self._stamp(configured, f, manifest, outcome, scenario, version) for f in findings]

    def _skip(self, check: str, scenario: str, version: str, reason: str) -> None:
        with self.services.ledger.lock:
            self.services.ledger.skipped.append((check, scenario, version, reason))

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
        if finding.template:
            template = self.locator.file_for(finding.template)
        elif manifest is not None and outcome is not None:
            template, line = self.locator.locate_object(manifest, outcome.rendered, finding.path)
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
        )

    def _apply_annotations(self, results: list[Result], outcome: RenderOutcome) -> list[Result]:
        """Drop results the object itself accepts (``chartgen.io/ignore: "check-id: reason"``)."""
        accepted = {}
        for manifest in outcome.manifests:
            metadata = manifest.obj.get("metadata") or {}
            for suppression in annotation_suppressions(metadata, str(manifest.obj.get("kind", ""))):
                accepted.setdefault((suppression.kind, suppression.name), []).append(suppression)
        kept = []
        for result in results:
            match = next(
                (s for s in accepted.get((result.kind, result.name), []) if s.check == result.check), None
            )
            if match is None:
                kept.append(result)
                continue
            with self.services.ledger.lock:
                self.services.ledger.used.add(match)
                self._suppressed += 1
        return kept

    def _apply_allow_list(self, results: list[Result]) -> list[Result]:
        kept = []
        for result in results:
            match = next(
                (
                    s
                    for s in self.target.suppressions
                    if s.covers(result.check, result.kind, result.name, result.scenario)
                ),
                None,
            )
            if match is None:
                kept.append(result)
            else:
                self.services.ledger.used.add(match)
                self._suppressed += 1
        return kept


def _renderer(target: LintTarget, chart: Any) -> Callable[[Scenario, str], dict[str, str]]:
    """How the run renders a (scenario, version): values checked once against the schema, then
    the Helm engine on a schema-less copy of the chart (or the target's canned renderer)."""
    if target.renderer is not None:
        return lambda scenario, version: target.renderer(chart, scenario, version, target.api_versions)
    gate = helm.ValuesGate(chart)
    render_chart = helm.load_render_chart(target.chart_dir)
    # The run's own scenarios live as long as the run, so their ids are stable keys: each is
    # checked once for all its versions. Scenarios made on the fly (checks) are checked each time.
    planned = {id(scenario) for scenario in target.scenarios}
    verdicts: dict[int, helm.RenderFailure | None] = {}

    def render(scenario: Scenario, version: str) -> dict[str, str]:
        if id(scenario) in planned:
            if id(scenario) not in verdicts:
                verdicts[id(scenario)] = gate.check(scenario.values)
            failure = verdicts[id(scenario)]
        else:
            failure = gate.check(scenario.values)
        if failure is not None:
            raise failure
        return helm_render(render_chart, scenario, version, target.api_versions)

    return render


def helm_render(chart: Any, scenario: Scenario, version: str, api_versions: list[str]) -> dict[str, str]:
    """Render one (scenario, version) with the Helm engine, in process."""
    return helm.render(
        chart,
        scenario.values,
        release=scenario.release,
        namespace=scenario.namespace,
        kube_version=version,
        api_versions=api_versions,
        is_upgrade=scenario.upgrade,
    )


def _result_order(result: Result) -> tuple[Any, ...]:
    return (
        -Level(result.level).rank,
        result.check,
        result.template,
        result.line or 0,
        result.kind,
        result.name,
        result.path,
        result.message,
        result.scenario,
        result.kube_version,
    )
