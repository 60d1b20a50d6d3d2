"""The render store: the only place in a lint run that renders.

Every render goes through here, keyed by a stable scenario key (name plus a digest of what
the render reads) and a Kubernetes version:

- ``render(scenario, version)``: the run's own render of a pair;
- ``variant(scenario, version, values)``: the same pair with other values (unused-value);
- ``covered_branches(scenario, version)``: the pair rendered on a copy of the chart with
  branch markers, reduced to the branches it reached (branch coverage).

Isolation. Helm removes disabled subcharts from a loaded chart when it processes its
dependencies, so a loaded chart with dependencies is only good for one render: each render
of such a chart loads a fresh copy. A chart without dependencies is never mutated and one
load serves every render. Measured on the certctl chart (no dependencies), a fresh load costs
about as much as the render itself, so sharing is kept where it is safe.

Values are checked against values.schema.json once per scenario with a compiled validator
(half of a Helm render's cost is that check), so the charts the store renders are copies
without the schema.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from threading import Lock
from typing import Any

import helm_python
import jsonschema_rs

from chartgen import coverage, helm
from chartgen.coverage import Branch
from chartgen.errors import UserError
from chartgen.scenario import Scenario

# How a test replaces the Helm engine: (chart, scenario, version, api versions) -> rendered texts.
Renderer = Callable[[helm_python.Chart, Scenario, str, Sequence[str]], dict[str, str]]

# Scenarios whose values-gate verdict and merged values are kept at once. A run visits one
# scenario's versions together, so a small window gives every hit there is while memory stays
# flat on long generated tiers.
_SCENARIOS_KEPT = 16


class ChartFacts:
    """What checks read about the chart: name, default values and values schema."""

    def __init__(self, handle: helm_python.Chart, schema: dict[str, Any] | None) -> None:
        self._handle = handle
        self.name: str = handle.name
        self.version: str = handle.version
        self.metadata: dict[str, Any] = handle.metadata or {}  # Chart.yaml (appVersion, ...)
        self.values: dict[str, Any] = handle.values
        self.schema = schema

    def merge_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The chart's defaults coalesced with ``values``, as Helm does before rendering."""
        return helm.merge_values(self._handle, values)


class _ChartCopy:
    """A copy of the chart on disk without its own values.schema.json (subcharts keep theirs:
    Helm checks those), loaded once, or once per render when the chart has dependencies."""

    def __init__(self, source: Path, workdir: Path, prepare: Callable[[Path], object] | None = None) -> None:
        self.dir = workdir / source.name
        shutil.copytree(
            source,
            self.dir,
            ignore=lambda folder, _names: ["values.schema.json"] if Path(folder) == source else [],
        )
        if prepare is not None:
            prepare(self.dir)
        try:
            self.handle = helm.load_chart(self.dir)
        except UserError as error:  # name the user's chart, not the copy
            raise UserError(error.message, str(source)) from None
        self.isolated = bool(self.handle.dependencies)

    def render(self, scenario: Scenario, version: str, api_versions: Sequence[str]) -> dict[str, str]:
        if not self.isolated:
            return helm_render(self.handle, scenario, version, api_versions)
        fresh = helm.load_chart(self.dir)
        try:
            return helm_render(fresh, scenario, version, api_versions)
        finally:
            fresh.close()


class RenderStore:
    """Renders of one lint run; call ``close()`` (or use it as a context manager) when done."""

    def __init__(
        self,
        chart_dir: Path,
        api_versions: Sequence[str] = (),
        renderer: Renderer | None = None,
        unreadable: Mapping[str, str] | None = None,
    ) -> None:
        self.chart_dir = chart_dir
        self.api_versions = tuple(api_versions)
        self._renderer = renderer
        # Scenarios whose values files could not be read: each fails alone, saying why.
        self._unreadable = dict(unreadable or {})
        self._workdir = Path(tempfile.mkdtemp(prefix="chartgen-store-"))
        self._copies: list[_ChartCopy] = []
        try:
            schema = _read_schema(chart_dir)
            self._main = _ChartCopy(chart_dir, self._workdir / "main")
            self._copies.append(self._main)
        except BaseException:
            self.close()
            raise
        self.chart = ChartFacts(self._main.handle, schema)
        self._validator = jsonschema_rs.validator_for(schema) if schema else None
        self._verdicts: OrderedDict[str, helm.RenderFailure | None] = OrderedDict()
        self._merged: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = Lock()
        self._coverage: tuple[_ChartCopy, list[Branch]] | None = None

    def __enter__(self) -> RenderStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for copy in self._copies:
            copy.handle.close()
        self._copies.clear()
        shutil.rmtree(self._workdir, ignore_errors=True)

    @property
    def isolated(self) -> bool:
        """Each render loads its own copy of the chart (it has dependencies)."""
        return self._main.isolated

    def render(self, scenario: Scenario, version: str) -> dict[str, str]:
        """The pair's rendered templates; raises helm.RenderFailure when the chart refuses."""
        if scenario.name in self._unreadable:
            raise helm.RenderFailure(f"cannot read the values: {self._unreadable[scenario.name]}")
        self._gate(scenario, scenario.values)
        return self._render(self._main, scenario, version)

    def variant(self, scenario: Scenario, version: str, values: dict[str, Any]) -> dict[str, str]:
        """The pair rendered with ``values`` in place of the scenario's own."""
        self._gate(None, values)
        return self._render(self._main, _with_values(scenario, values), version)

    @property
    def branches(self) -> list[Branch]:
        """The template branches the instrumented copy marks."""
        return self._instrumented()[1]

    def covered_branches(self, scenario: Scenario, version: str) -> frozenset[int]:
        """The branches the pair reaches, from a render of the copy with branch markers
        (a render stopped by a ``fail`` reaches the branch holding it)."""
        copy, branches = self._instrumented()
        try:
            self._gate(scenario, scenario.values)
            return coverage.covered_by(self._render(copy, scenario, version))
        except helm.RenderFailure as failure:
            return coverage.covered_by_failure(branches, failure.template, failure.line)

    def merged_values(self, scenario: Scenario) -> dict[str, Any]:
        """The values Helm renders a scenario with: the chart's defaults, then the scenario's.
        Shared between callers (never modify it); computed once while the scenario is in use."""
        with self._lock:
            merged = self._merged.get(scenario.key)
            if merged is not None:
                self._merged.move_to_end(scenario.key)
                return merged
        merged = self.chart.merge_values(scenario.values)
        with self._lock:
            self._merged[scenario.key] = merged
            if len(self._merged) > _SCENARIOS_KEPT:
                self._merged.popitem(last=False)
        return merged

    def _render(self, copy: _ChartCopy, scenario: Scenario, version: str) -> dict[str, str]:
        if self._renderer is not None:
            return self._renderer(copy.handle, scenario, version, self.api_versions)
        try:
            return copy.render(scenario, version, self.api_versions)
        except helm.RenderFailure as failure:
            raise _unparsable(failure, self.chart_dir) or failure from None

    def _instrumented(self) -> tuple[_ChartCopy, list[Branch]]:
        with self._lock:
            if self._coverage is None:
                branches: list[Branch] = []
                copy = _ChartCopy(
                    self.chart_dir,
                    self._workdir / "instrumented",
                    prepare=lambda d: branches.extend(coverage.mark_branches(d)),
                )
                self._coverage = (copy, branches)
                self._copies.append(copy)
            return self._coverage

    def _gate(self, scenario: Scenario | None, values: dict[str, Any]) -> None:
        """Raise the values-schema failure Helm would, deciding once per scenario key
        (``scenario`` is None for a variant, checked each time)."""
        if self._validator is None or self._renderer is not None:
            return
        if scenario is None:
            verdict = self.values_failure(values)
        else:
            with self._lock:
                known = scenario.key in self._verdicts
                verdict = self._verdicts.get(scenario.key)
            if not known:
                verdict = self._schema_failure(self.merged_values(scenario))
                with self._lock:
                    self._verdicts[scenario.key] = verdict
                    if len(self._verdicts) > _SCENARIOS_KEPT:
                        self._verdicts.popitem(last=False)
        if verdict is not None:
            raise verdict

    def values_failure(self, values: dict[str, Any]) -> helm.RenderFailure | None:
        """The failure Helm reports for values (merged over the chart's defaults) that break
        values.schema.json, saying where and what; None when they satisfy it."""
        return self._schema_failure(self.chart.merge_values(values))

    def _schema_failure(self, merged: dict[str, Any]) -> helm.RenderFailure | None:
        if self._validator is None:
            return None
        problems = sorted(
            f"at '/{'/'.join(str(part) for part in error.instance_path)}': {error.message}"
            for error in self._validator.iter_errors(merged)
        )
        if not problems:
            return None
        return helm.RenderFailure(
            "values don't meet the chart's values.schema.json:\n- " + "\n- ".join(problems), values=True
        )


def render_digest(rendered: Mapping[str, str]) -> str:
    """A digest of a render's texts: two renders with equal digests printed the same output."""
    hasher = hashlib.blake2b(digest_size=16)
    for template in sorted(rendered):
        hasher.update(template.encode())
        hasher.update(b"\0")
        hasher.update(rendered[template].encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def helm_render(
    chart: helm_python.Chart, scenario: Scenario, version: str, api_versions: Sequence[str]
) -> dict[str, str]:
    """Render one (scenario, version) with the Helm engine, in process."""
    return helm.render(
        chart,
        scenario.values,
        release=scenario.release,
        namespace=scenario.namespace,
        kube_version=version,
        api_versions=list(api_versions),
        is_upgrade=scenario.upgrade,
    )


def _with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    return replace(scenario, values=values)


def _read_schema(chart_dir: Path) -> dict[str, Any] | None:
    """The chart's values.schema.json; unreadable JSON is bad input, not a finding."""
    path = chart_dir / "values.schema.json"
    if not path.is_file():
        return None
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError("the chart's values schema is not UTF-8 text", str(path)) from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"the chart's values schema is not valid JSON: {exc.msg}", f"{path}:{exc.lineno}:{exc.colno}"
        ) from None
    return schema if isinstance(schema, dict) else None


def _unparsable(failure: helm.RenderFailure, chart_dir: Path) -> UserError | None:
    """A template that does not parse fails every render whatever the values: that is bad
    input (exit 2) naming the file and line, not a finding per scenario."""
    if not (failure.message.startswith("parse error") and failure.template):
        return None
    relative = failure.template.split("/", 1)[-1]  # Helm names it <chart name>/templates/...
    return UserError(
        f"the chart's templates do not parse: {failure.message}", f"{chart_dir / relative}:{failure.line}"
    )
