"""``chartgen values validate``: values files against a chart's values.schema.json, with
file:line:column for every problem and the usual exit codes (0 clean, 1 invalid, 2 usage)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import ROOT
from typer.testing import CliRunner

from chartgen.cli import app

runner = CliRunner()
EXAMPLE = ROOT / "values" / "examples" / "values-minimal.yaml"


def validate(*args: str | Path):
    return runner.invoke(app, ["values", "validate", *map(str, args)])


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture
def tiny_chart(tmp_path: Path) -> Path:
    """A chart whose schema requires a key its own values.yaml defaults, as many charts do."""
    chart = tmp_path / "tiny"
    chart.mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: tiny\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("image: nginx\nports: [80]\n")
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": False,
        "required": ["image"],
        "properties": {
            "image": {"type": "string", "minLength": 1},
            "ports": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "sidecars": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "image"],
                    "properties": {"name": {"type": "string"}, "image": {"type": "string"}},
                },
            },
        },
    }
    (chart / "values.schema.json").write_text(json.dumps(schema))
    return chart


def test_the_project_examples_are_valid() -> None:
    result = validate(
        EXAMPLE, ROOT / "deploy" / "helm" / "examples" / "values-minimal.yaml", "--project", ROOT
    )
    assert result.exit_code == 0, result.output
    assert "2 values files valid" in result.output


def test_a_misspelt_key_names_its_own_line_and_the_closest_key(tmp_path: Path) -> None:
    values = write(tmp_path / "values.yaml", EXAMPLE.read_text().replace("existingSecret", "existingSecert"))
    result = validate(values, "--project", ROOT)
    assert result.exit_code == 1
    assert (
        f"{values}:5:5: server.tls.existingSecert: unknown key (did you mean 'existingSecret'?)"
        in result.stdout
    )


def test_each_unknown_key_of_one_object_gets_its_own_line(tmp_path: Path) -> None:
    values = write(
        tmp_path / "values.yaml",
        """
        server:
          replcias: 3
          colour: blue
        """,
    )
    result = validate(values, "--project", ROOT)
    assert result.exit_code == 1
    assert f"{values}:2:3: server.replcias: unknown key (did you mean 'replicas'?)" in result.stdout
    assert f"{values}:3:3: server.colour: unknown key" in result.stdout


def test_wrong_type_and_enum_say_what_was_expected(tmp_path: Path) -> None:
    values = write(
        tmp_path / "values.yaml",
        """
        server:
          replicas: "3"
          image:
            pullPolicy: Sometimes
        """,
    )
    result = validate(values, "--project", ROOT)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f'{values}:2:3: server.replicas: expected integer, got string "3"' in lines
    assert (
        f'{values}:4:5: server.image.pullPolicy: expected one of "Always", "IfNotPresent", "Never"; '
        f'got "Sometimes"'
    ) in lines


def test_problems_inside_lists_point_at_the_item(tiny_chart: Path, tmp_path: Path) -> None:
    values = write(
        tmp_path / "values.yaml",
        """
        ports: [80, 0]
        sidecars:
          - name: proxy
          - {name: logger, image: busybox}
        """,
    )
    result = validate(values, "--chart", tiny_chart)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"{values}:1:13: ports[1]: expected a number >= 1; got 0",
        f"{values}:3:5: sidecars[0]: missing required key 'image'",
    ]


def test_values_merge_over_the_chart_defaults_like_helm(tiny_chart: Path, tmp_path: Path) -> None:
    partial = write(tmp_path / "partial.yaml", "labels: {team: pki}\n")
    assert validate(partial, "--chart", tiny_chart).exit_code == 0
    unset = write(tmp_path / "unset.yaml", "labels: {team: pki}\nimage: null\n")
    result = validate(unset, "--chart", tiny_chart)
    assert result.exit_code == 1
    assert f"{unset}:1:1: (top level): missing required key 'image'" in result.stdout


def test_only_the_invalid_file_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "bogus: 1\n")
    result = validate(EXAMPLE, bad, "--project", ROOT)
    assert result.exit_code == 1
    assert str(EXAMPLE) not in result.stdout
    assert f"{bad}:1:1: bogus: unknown key" in result.stdout
    assert "1 of 2 values files not valid" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server:\n  replicas: [1\n", ":3:1: invalid YAML"),
        ("server: {}\nserver: {}\n", ":2:1: invalid YAML: duplicate key 'server'"),
        ("- just\n- a list\n", ":1:1: a values file must hold a mapping, found array"),
    ],
)
def test_unreadable_yaml_is_a_usage_error_with_a_position(tmp_path: Path, text: str, expected: str) -> None:
    values = write(tmp_path / "values.yaml", text)
    result = validate(values, "--project", ROOT)
    assert result.exit_code == 2
    assert f"chartgen: error: {values}{expected}" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_usage_error_and_the_others_are_still_checked(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "bogus: 1\n")
    result = validate(tmp_path / "absent.yaml", bad, "--project", ROOT)
    assert result.exit_code == 2
    assert f"{tmp_path / 'absent.yaml'}: file not found" in result.stderr
    assert f"{bad}:1:1: bogus: unknown key" in result.stdout


def test_a_chart_without_a_schema_is_a_usage_error() -> None:
    chart = ROOT / "tests" / "fixtures" / "charts" / "defective"
    result = validate(EXAMPLE, "--chart", chart)
    assert result.exit_code == 2
    assert "has no values.schema.json" in result.stderr


def test_outside_a_project_it_asks_for_a_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = validate(EXAMPLE)
    assert result.exit_code == 2
    assert "no chartgen.yaml found" in result.stderr and "--chart" in result.stderr
