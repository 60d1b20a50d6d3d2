"""The render store: every render isolated from the others, equal to a fresh Helm render."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CHART_DIR, ROOT, with_minimal

from chartgen import helm
from chartgen.engine import LintTarget, run_matrix
from chartgen.errors import UserError
from chartgen.manifests import parse_rendered
from chartgen.matrix.target import configure_checks
from chartgen.scenario import Scenario
from chartgen.store import RenderStore

SUBCHART = ROOT / "tests" / "fixtures" / "charts" / "conditional-subchart"
# The subchart switched on, off and on again in one run: a shared loaded chart would lose it.
SWITCHES = [("on", True), ("off", False), ("on-again", True)]


def scenarios() -> list[Scenario]:
    return [
        Scenario(name=name, description=name, values={"cache": {"enabled": on}}, implicit=True)
        for name, on in SWITCHES
    ]


def objects(rendered: dict[str, str]) -> list[tuple[str, str]]:
    manifests, failures = parse_rendered(rendered)
    assert not failures
    return sorted((m.obj["kind"], m.obj["metadata"]["name"]) for m in manifests)


def fresh_render(scenario: Scenario, version: str) -> list[tuple[str, str]]:
    """What `helm template` gives for the scenario alone: a chart loaded for this render only."""
    chart = helm.load_chart(SUBCHART)
    try:
        return objects(helm.render(chart, scenario.values, release=scenario.release, kube_version=version))
    finally:
        chart.close()


def test_each_render_equals_a_fresh_helm_render_when_a_subchart_comes_and_goes() -> None:
    with RenderStore(SUBCHART) as store:
        assert store.isolated, "a chart with dependencies is loaded afresh for each render"
        for scenario in scenarios():
            for version in ("1.29", "1.37"):
                assert objects(store.render(scenario, version)) == fresh_render(scenario, version)
    on = fresh_render(scenarios()[0], "1.29")
    assert ("Service", "certctl-cache") in on and ("Service", "certctl-cache") not in fresh_render(
        scenarios()[1], "1.29"
    )


def test_the_engine_checks_every_object_of_every_render_of_a_chart_with_subcharts() -> None:
    target = LintTarget(
        chart_dir=SUBCHART,
        scenarios=scenarios(),
        kube_versions=["1.29", "1.37"],
        checks=configure_checks({}),
        root=ROOT,
    )
    report = run_matrix(target)
    expected = sum(len(fresh_render(s, v)) for s in scenarios() for v in target.kube_versions)
    assert report.summary.documents == expected == 10
    assert report.summary.renders == 6
    assert not [r for r in report.results if r.check == "render-failed"], report.results


def test_a_chart_without_dependencies_shares_one_load_and_renders_alike_each_time() -> None:
    scenario = Scenario(name="minimal", description="", values=with_minimal())
    other = with_minimal({"server": {"database": {"maxConnections": 40}}})
    with RenderStore(CHART_DIR) as store:
        assert not store.isolated
        first = store.render(scenario, "1.29")
        assert store.render(scenario, "1.29") == first
        assert store.variant(scenario, "1.29", other) != first
        assert store.render(scenario, "1.29") == first


def test_the_store_removes_its_copies_when_closed() -> None:
    store = RenderStore(SUBCHART)
    workdir = store._workdir
    assert any(workdir.rglob("Chart.yaml"))
    store.close()
    assert not workdir.exists()


def test_a_template_that_does_not_parse_is_bad_input_naming_file_and_line(tmp_path: Path) -> None:
    chart = tmp_path / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\n{{ if }}\n")
    with RenderStore(chart) as store, pytest.raises(UserError) as error:
        store.render(Scenario(name="s", description="", values={}), "1.29")
    assert error.value.location == f"{chart / 'templates' / 'cm.yaml'}:2"
