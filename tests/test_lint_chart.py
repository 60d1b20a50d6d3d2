"""``chartgen lint CHART``: any chart linted the way ``helm lint`` / ``ct lint`` users expect,
with its input read as Helm reads it."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartgen.cli import app, debug_first

runner = CliRunner()

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  namespace: {{ .Release.Namespace }}
data:
  mode: {{ .Values.mode | quote }}
  flag: {{ .Values.flag | quote }}
"""


def write_chart(root: Path, files: dict[str, str] | None = None, name: str = "demo") -> Path:
    """A small application chart; ``files`` adds or replaces files."""
    chart = root / name
    base = {
        "Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nicon: https://example.com/i.png\n",
        "values.yaml": "# The mode.\nmode: fast\n# A switch.\nflag: on\n",
        "templates/configmap.yaml": CONFIGMAP,
    }
    for relative, text in {**base, **(files or {})}.items():
        (chart / relative).parent.mkdir(parents=True, exist_ok=True)
        (chart / relative).write_text(textwrap.dedent(text))
    return chart


def lint_json(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["lint", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def scenarios(report: dict) -> list[str]:
    return sorted({pair["scenario"] for pair in report["evaluated"]})


def test_ci_files_and_defaults_are_the_scenarios_under_helm_release_and_namespace(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "ci/fast-values.yaml": "mode: fast\n",
            "ci/slow-values.yaml": "mode: slow\n",
            "ci/notes.yaml": "ignored: true\n",  # not *-values.yaml: chart-testing skips it too
            "templates/namecheck.yaml": """\
                {{- if ne .Release.Name "release-name" }}{{ fail "release is not Helm's default" }}{{ end }}
                {{- if ne .Release.Namespace "default" }}{{ fail "namespace is not Helm's default" }}{{ end }}
                """,
        },
    )
    code, report = lint_json(str(chart))
    assert code == 0, report
    assert scenarios(report) == ["default", "fast-values", "slow-values"]
    code, report = lint_json(str(chart), "--release", "other", "--namespace", "apps")
    assert code == 1
    assert any("release is not Helm's default" in f["message"] for f in report["findings"])


def test_values_and_set_make_one_scenario(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path, {"templates/gate.yaml": '{{ if ne .Values.mode "slow" }}{{ fail "mode" }}{{ end }}\n'}
    )
    overlay = tmp_path / "over.yaml"
    overlay.write_text("mode: medium\n")
    assert lint_json(str(chart), "-f", str(overlay))[0] == 1
    code, report = lint_json(str(chart), "-f", str(overlay), "--set", "mode=slow")
    assert code == 0 and scenarios(report) == ["values"]


def test_disable_removes_a_check_by_id_or_code_and_suggests_names(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n"
        },
    )
    _, report = lint_json(str(chart))
    assert any(f["check"] == "image-tag-not-pinned" for f in report["findings"])
    for key in ("image-tag-not-pinned", "SEC010"):
        _, report = lint_json(str(chart), "--disable", key)
        assert not any(f["check"] == "image-tag-not-pinned" for f in report["findings"])
    result = runner.invoke(app, ["lint", str(chart), "--disable", "image-tag-not-pined"])
    assert result.exit_code == 2
    assert "did you mean image-tag-not-pinned" in result.output


def test_style_checks_are_info_from_outside_and_enable_restores_them(tmp_path: Path) -> None:
    chart = write_chart(tmp_path, {"values.yaml": "mode: fast\nflag: on\n"})  # no comments
    code, report = lint_json(str(chart))
    levels = {f["check"]: f["level"] for f in report["findings"]}
    assert levels.get("undocumented-value") == "info" and code == 0
    code, report = lint_json(str(chart), "--enable", "VAL004", "--strict")
    assert {f["check"]: f["level"] for f in report["findings"]}["undocumented-value"] == "warning"
    assert code == 1


def test_lint_only_configuration_applies_with_unquoted_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = write_chart(
        tmp_path,
        {
            "templates/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: busybox}]\n"
        },
    )
    (tmp_path / "chartgen.yaml").write_text("lint:\n  checks:\n    image-tag-not-pinned: off\n")
    monkeypatch.chdir(tmp_path)
    _, report = lint_json(str(chart))
    assert not any(f["check"] == "image-tag-not-pinned" for f in report["findings"])
    (tmp_path / "chartgen.yaml").write_text("lint:\n  checks:\n    image-tag-not-pinned: loud\n")
    result = runner.invoke(app, ["lint", str(chart)])
    assert (
        result.exit_code == 2 and "chartgen.yaml" in result.output and "image-tag-not-pinned" in result.output
    )


def test_one_bad_values_file_fails_its_scenario_and_the_others_run(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path, {"ci/broken-values.yaml": "mode: [unclosed\n", "ci/good-values.yaml": "mode: slow\n"}
    )
    code, report = lint_json(str(chart))
    assert code == 1
    failures = [f for f in report["findings"] if f["check"] == "render-failed"]
    assert failures and all("ci/broken-values.yaml:2:1: invalid YAML" in f["message"] for f in failures)
    assert {w["scenario"] for f in failures for w in f["occurrences"]} == {"broken-values"}
    assert "good-values" in scenarios(report)


def test_values_read_like_helm_first_document_and_go_scalars(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "values.yaml": '# The mode.\nmode: "="\n# A switch.\nflag: true\n',
            "ci/eq-values.yaml": "mode: =\nflag: on\n---\n# a comment-only second document\n",
            "templates/gate.yaml": '{{ if ne .Values.mode "=" }}{{ fail "mode" }}{{ end }}{{ if ne .Values.flag true }}{{ fail "flag" }}{{ end }}\n',
        },
    )
    code, report = lint_json(str(chart))
    assert code == 0, report["findings"]


def test_missing_dependency_is_refused_with_helms_message(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n  - {name: cache, version: 1.x, repository: https://example.com}\n"
        },
    )
    result = runner.invoke(app, ["lint", str(chart)])
    assert result.exit_code == 2
    assert "found in Chart.yaml, but missing in charts/ directory: cache" in result.output
    write_chart(chart / "charts", name="cache")
    assert runner.invoke(app, ["lint", str(chart)]).exit_code in (0, 1)


def test_library_chart_is_reported_not_rendered(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path, {"Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n"}
    )
    result = runner.invoke(app, ["lint", str(chart)])
    assert result.exit_code == 0 and "library chart" in result.output


def test_packaged_chart_is_linted(tmp_path: Path) -> None:
    chart = write_chart(tmp_path, {"ci/slow-values.yaml": "mode: slow\n"})
    package = tmp_path / "demo-0.1.0.tgz"
    with tarfile.open(package, "w:gz") as archive:
        archive.add(chart, arcname="demo")
    code, report = lint_json(str(package))
    assert code == 0 and scenarios(report) == ["default", "slow-values"]


def test_crds_honour_helmignore_and_subchart_crds_are_schemas(tmp_path: Path) -> None:
    crd = """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        size: {type: integer}
        """
    chart = write_chart(
        tmp_path,
        {
            ".helmignore": "crds/kustomization.yaml\n",
            "crds/kustomization.yaml": "resources: [x.yaml]\nnot: a CRD\n",
            "templates/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n",
        },
    )
    write_chart(chart / "charts", {"crds/widget.yaml": crd}, name="widgets")
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n  - {name: widgets, version: 0.1.0}\n"
    )
    _, report = lint_json(str(chart))
    violations = [f for f in report["findings"] if f["check"] == "kubernetes-schema-violation"]
    assert violations and "size" in violations[0]["path"], report["findings"]
    assert not any(f["check"] == "check-skipped" for f in report["findings"])


def test_list_items_are_checked_as_objects(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "templates/pods.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      containers: [{name: c, image: busybox}]\n"
        },
    )
    _, report = lint_json(str(chart))
    assert any(f["check"] == "image-tag-not-pinned" and f["kind"] == "Pod" for f in report["findings"])


def test_debug_is_accepted_after_the_subcommand(tmp_path: Path) -> None:
    assert debug_first(["lint", "x", "--debug"]) == ["--debug", "lint", "x"]
    assert debug_first(["lint", "--", "--debug"]) == ["lint", "--", "--debug"]
    result = subprocess.run(
        [sys.executable, "-m", "chartgen", "lint", str(tmp_path / "missing"), "--debug"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "chart not found" in result.stderr


def test_subchart_values_schema_is_validated_with_the_parents(tmp_path: Path) -> None:
    chart = write_chart(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n  - {name: cache, version: 0.1.0}\n",
            "values.schema.json": '{"type": "object"}',
            "ci/big-values.yaml": "cache: {size: big}\n",
        },
    )
    write_chart(
        chart / "charts",
        {"values.schema.json": '{"type": "object", "properties": {"size": {"type": "integer"}}}'},
        name="cache",
    )
    code, report = lint_json(str(chart))
    failing = {
        (f["check"], w["scenario"])
        for f in report["findings"]
        if "size" in f["message"]
        for w in f["occurrences"]
    }
    assert code == 1 and {scenario for _, scenario in failing} == {"big-values"}, report["findings"]
