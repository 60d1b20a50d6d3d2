"""Flat memory: the engine streams scenarios; generated tiers make each one on demand."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers import ROOT

from chartgen.engine import LintTarget, run_matrix
from chartgen.matrix.generated import random_tier
from chartgen.matrix.target import MatrixOptions, build_plan, configure_checks
from chartgen.parsecache import ParseCache
from chartgen.project import load_project
from chartgen.scenario import Scenario

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  n: '{number}'\n"


class CountingScenarios(Sequence[Scenario]):
    """Scenarios made on demand that count how many are alive at once."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.alive = 0
        self.most_alive = 0

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: Any) -> Any:
        scenario = Scenario(name=f"s{index:03d}", description="", values={"n": index}, implicit=True)
        self.alive += 1
        self.most_alive = max(self.most_alive, self.alive)
        weakref.finalize(scenario, self._dropped)
        return scenario

    def _dropped(self) -> None:
        self.alive -= 1


def test_the_engine_keeps_only_a_window_of_scenarios_alive(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    scenarios = CountingScenarios(120)

    def render(_chart: Any, scenario: Scenario, _version: str, _apis: Any) -> dict[str, str]:
        number = scenario.values["n"]
        return {"chart/templates/cm.yaml": CONFIGMAP.format(name=f"cm-{number}", number=number)}

    target = LintTarget(
        chart_dir=chart,
        scenarios=scenarios,
        kube_versions=["1.29", "1.37"],
        checks=[c for c in configure_checks({}) if c.check.family in ("render", "kubernetes", "engine")],
        root=tmp_path,
        renderer=render,
    )
    cache = ParseCache(budget=2_000)
    report = run_matrix(target, workers=2, parse_cache=cache)
    assert report.summary.renders == 240 and report.summary.documents == 240
    assert len(report.evaluated) == 240
    assert scenarios.most_alive <= 10, "scenarios are made, checked and dropped in a bounded window"
    assert cache.hits == 120 and cache.misses == 120, "each text is parsed once, for its two versions"
    assert len(cache) < 120, "the parse cache stays within its budget"


def test_generated_scenarios_are_made_on_demand_and_shrink_from_their_rows() -> None:
    plan = build_plan(load_project(ROOT), MatrixOptions(tier="random", seed=3, count=40), ROOT)
    generated = plan.generated
    assert generated is not None and len(generated) == 40
    again, _note = random_tier(generated.space, 3, 40)
    assert [s.values for s in generated] == [s.values for s in again], "same seed, same scenarios"
    first = generated[0]
    row = generated.row(first.name)
    assert row is not None and generated.space.scenario("x", row).values == first.values
    assert generated.row("no-such-scenario") is None and not generated.knows("no-such-scenario")
