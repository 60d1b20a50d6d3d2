"""``chartgen lint matrix``: the engine end to end, on the project and on other charts."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from helpers import ROOT, copy_project
from typer.testing import CliRunner

from chartgen.cli import app

FIXTURES = ROOT / "tests" / "fixtures" / "charts"
runner = CliRunner()


def lint(*args: str):
    return runner.invoke(app, ["lint", "matrix", *args])


def json_report(*args: str) -> tuple[int, dict]:
    result = lint(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def findings(report: dict) -> list[tuple]:
    return sorted(
        (f["check"], f["kind"], f["path"], Path(f["template"]).name, f["line"]) for f in report["findings"]
    )


def test_project_named_tier_is_clean_and_prints_its_invariants() -> None:
    result = lint("--project", str(ROOT), "--format", "text")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    assert "skipped 0" in result.output and "renders " in result.output


def test_json_report_has_the_summary_and_finding_fields() -> None:
    _code, report = json_report("--project", str(ROOT))
    summary = report["summary"]
    for key in ("scenarios", "renders", "documents", "checks", "skipped", "errors", "warnings"):
        assert key in summary
    assert summary["scenarios"] >= 10 and summary["renders"] == summary["scenarios"] * len(
        summary["kube_versions"]
    )
    assert summary["documents"] > 0 and summary["errors"] == 0 and summary["skipped"] == 0


def test_defective_chart_yields_exactly_the_expected_findings() -> None:
    chart = FIXTURES / "defective"
    code, report = json_report(
        "--chart", str(chart), "--values-dir", str(chart / "ci"), "--k8s-version", "1.29"
    )
    assert code == 1
    assert all(f["template"] and f["line"] for f in report["findings"]), "every finding has a file and line"
    render_and_schema = {"render", "kubernetes"}
    families = {key: info["family"] for key, info in report["checks"].items()}
    report["findings"] = [f for f in report["findings"] if families[f["check"]] in render_and_schema]
    assert findings(report) == [
        ("invalid-yaml", "", "", "daemonset.yaml", 22),
        (
            "kubernetes-schema-violation",
            "Deployment",
            "spec.template.spec.securityContext",
            "deployment.yaml",
            14,
        ),
        ("name-too-long", "Service", "metadata.name", "service.yaml", 4),
        ("removed-api-version", "PodDisruptionBudget", "apiVersion", "pdb.yaml", 1),
    ]
    schema = next(f for f in report["findings"] if f["check"] == "kubernetes-schema-violation")
    assert all(
        key in schema["message"]
        for key in ("allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem")
    )


def test_third_party_chart_with_comment_separators_and_required_values() -> None:
    chart = FIXTURES / "third-party"
    code, report = json_report("--chart", str(chart), "--values-dir", str(chart / "ci"))
    assert code == 0 and report["summary"]["documents"] == 6  # 3 objects x 2 versions, split at "---#"
    code, report = json_report("--chart", str(chart))
    checks = {f["check"] for f in report["findings"]}
    assert code == 1 and checks == {"render-failed", "nothing-checked"}
    failed = next(f for f in report["findings"] if f["check"] == "render-failed")
    assert (
        "name is required" in failed["message"]
        and failed["template"].endswith("templates/rbac.yaml")
        and failed["line"] == 4
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = copy_project(tmp_path / "project")
    assert runner.invoke(app, ["render", "--project", str(directory)]).exit_code == 0
    return directory


def add_scenario(project: Path, name: str, text: str) -> None:
    (project / "values" / "scenarios" / f"{name}.yaml").write_text(textwrap.dedent(text))


def only(project: Path, *scenarios: str) -> tuple[int, dict]:
    args = ["--project", str(project), "--k8s-version", "1.29"]
    for scenario in scenarios:
        args += ["--scenario", scenario]
    return json_report(*args)


def test_negative_scenario_that_renders_is_an_error(project: Path) -> None:
    add_scenario(
        project,
        "wrongly-negative",
        """\
        description: Expects a failure that does not happen.
        extends: defaults
        expect: {fails: "this gate does not exist"}
    """,
    )
    code, report = only(project, "wrongly-negative")
    assert code == 1
    assert [f["check"] for f in report["findings"]] == ["render-failed"]
    assert "but it rendered" in report["findings"][0]["message"]


def test_expectations_and_vacuous_scenarios(project: Path) -> None:
    add_scenario(
        project,
        "unmet",
        """\
        description: Expects objects that are not there.
        extends: defaults
        expect:
          present: [{kind: CronJob}, {kind: Role, count: 2}]
          absent: [{kind: Deployment, name: certctl-server}]
          count: {Service: 5}
    """,
    )
    add_scenario(
        project,
        "vacuous",
        """\
        description: Asserts nothing.
        extends: defaults
    """,
    )
    _code, report = only(project, "unmet", "vacuous")
    messages = sorted((f["check"], f["scenario"], f["message"]) for f in report["findings"])
    assert messages == [
        ("expectation-not-met", "unmet", "expected 2 x Role; found 0"),
        ("expectation-not-met", "unmet", "expected 5 Service object(s); found 2"),
        ("expectation-not-met", "unmet", "expected CronJob to be rendered; found none"),
        ("expectation-not-met", "unmet", "expected no Deployment/certctl-server; it was rendered"),
        ("scenario-asserts-nothing", "vacuous", messages[-1][2]),
    ]


def test_suppressions_annotation_allow_list_and_unused(project: Path) -> None:
    config = project / "chartgen.yaml"
    config.write_text(
        config.read_text()
        + textwrap.dedent("""\
        lint:
          allow:
            - {check: name-too-long, name: nothing-this-long, reason: "kept to show unused suppressions"}
            - {check: expectation-not-met, scenario: "unmet*", reason: "documented gap"}
    """)
    )
    add_scenario(
        project,
        "unmet",
        """\
        description: An expectation the allow-list accepts.
        extends: defaults
        expect: {present: [{kind: CronJob}]}
    """,
    )
    add_scenario(
        project,
        "annotated",
        """\
        description: Objects that accept findings through annotations, one of them without a reason.
        extends: defaults
        values:
          server:
            service:
              # Its own entry without a reason is an invalid-suppression finding, which the other entry accepts.
              annotations: {chartgen.io/ignore: "invalid-suppression: testing the annotation; name-too-long"}
          agent:
            serviceAccount:
              annotations: {chartgen.io/ignore: "name-too-long"}
        expect: {present: [{kind: Service, name: certctl-server}]}
    """,
    )
    _code, report = only(project, "unmet", "annotated")
    found = {f["check"]: f for f in report["findings"]}
    assert sorted(found) == ["invalid-suppression", "unused-suppression"]
    invalid, unused = found["invalid-suppression"], found["unused-suppression"]
    assert (invalid["level"], invalid["kind"], invalid["name"]) == (
        "error",
        "ServiceAccount",
        "certctl-agent",
    )
    assert "'name-too-long' has no reason" in invalid["message"]
    assert (unused["level"], unused["name"]) == ("warning", "nothing-this-long")
    # the allow-listed expectation and the annotated finding, plus, in each of the two scenarios,
    # the agent DaemonSet's own (its CERTCTL_AGENT_ID is issued at start-up)
    assert report["summary"]["suppressed"] == 2 + 2


def test_custom_resource_without_schema_fails_closed(project: Path) -> None:
    shutil.rmtree(project / "schemas" / "crds")
    code, report = only(project, "cert-manager")
    assert code == 1 and report["summary"]["skipped"] == 1
    assert [f["check"] for f in report["findings"]] == ["check-skipped"]
    assert "no schema for cert-manager.io/v1 Certificate" in report["findings"][0]["message"]


def test_shards_partition_the_matrix_and_merge_back(tmp_path: Path) -> None:
    paths = []
    for index in (1, 2, 3):
        path = tmp_path / f"shard-{index}.json"
        result = lint(
            "--project", str(ROOT), "--shard", f"{index}/3", "--format", "json", "--output", str(path)
        )
        assert result.exit_code == 0, result.output
        paths.append(str(path))
    shards = [json.loads(Path(p).read_text()) for p in paths]
    pairs = [tuple(e.values()) for shard in shards for e in shard["evaluated"]]
    assert len(pairs) == len(set(pairs))
    full = json.loads(lint("--project", str(ROOT), "--format", "json").stdout)
    assert sorted(pairs) == sorted(tuple(e.values()) for e in full["evaluated"])
    merged = runner.invoke(app, ["lint", "report", "merge", *paths, "--format", "json"])
    assert merged.exit_code == 0, merged.output
    summary = json.loads(merged.stdout)["summary"]
    assert (
        summary["renders"] == full["summary"]["renders"]
        and summary["documents"] == full["summary"]["documents"]
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--k8s-version", "1.99"], "supported versions are"),
        (["--shard", "3/2"], "--shard takes I/N"),
        (["--values-dir", "ci"], "--values-dir needs --chart"),
        (["--scenario", "no-such-*"], "no scenario matches"),
        (["--format", "yaml"], "yaml"),
        (["--chart", "/nonexistent/chart"], "chart not found"),
        (["--output", "/nonexistent/dir/report.json"], "the directory does not exist"),
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], message: str) -> None:
    result = lint("--project", str(ROOT), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_custom_resources_are_checked_against_chart_crds_and_named_schemas(tmp_path: Path) -> None:
    chart = FIXTURES / "widgets"
    _code, report = json_report("--chart", str(chart), "--k8s-version", "1.29")
    assert sorted((f["check"], f["name"], f["message"]) for f in report["findings"]) == [
        (
            "check-skipped",
            "",
            "kubernetes-schema-violation skipped: no schema for example.com/v1 Gadget at Kubernetes 1.29 "
            "(first in default @ 1.29)",
        ),
        ("kubernetes-schema-violation", "bad", 'expected integer, got string "large"'),
        ("kubernetes-schema-violation", "bad", "unexpected key 'colour'"),
    ]
    schema = tmp_path / "gadget.json"
    schema.write_text(
        json.dumps(
            {
                "x-kubernetes-group-version-kind": [
                    {"group": "example.com", "version": "v1", "kind": "Gadget"}
                ],
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"teeth": {"type": "integer"}},
                    }
                },
            }
        )
    )
    _code, report = json_report("--chart", str(chart), "--k8s-version", "1.29", "--crd-schema", str(schema))
    assert {f["check"] for f in report["findings"]} == {"kubernetes-schema-violation"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Nonsense\n")
    result = lint("--chart", str(chart), "--crd-schema", str(bad))
    assert result.exit_code == 2 and "neither a CustomResourceDefinition" in result.output
