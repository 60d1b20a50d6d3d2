"""The bad-input corpus: every way a user can hand chartgen something wrong, run through the CLI.

Each case takes a fresh copy of the project (with its chart rendered), breaks one thing, runs one
command and checks what the user sees: exit code 2 (bad input), one paragraph on stderr that names
where the problem is (file:line:column, the key or values path, or the flag), no Python traceback,
and no file of the project changed. The broken files themselves live in ``tests/fixtures/bad/``.

A case the CLI does not answer well yet is marked ``xfail(strict=True)`` with the fix it needs;
when that fix lands the case passes, the strict xfail fails, and the marker must go.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, copy_project
from typer.testing import CliRunner

from chartgen.cli import app
from chartgen.yamlfiles import load_values

BAD = ROOT / "tests" / "fixtures" / "bad"
CHART = "deploy/helm/certctl"

runner = CliRunner()
Setup = Callable[[Path], None]


# --- building a broken project -------------------------------------------------------------


def put(relative: str, content: str | bytes) -> Setup:
    """Write ``content`` to ``relative`` in the project."""

    def setup(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return setup


def put_fixture(relative: str, fixture: str) -> Setup:
    """Copy ``tests/fixtures/bad/<fixture>`` to ``relative`` in the project."""
    return put(relative, (BAD / fixture).read_bytes())


def remove(relative: str) -> Setup:
    def setup(project: Path) -> None:
        path = project / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return setup


def edit_yaml(relative: str, change: Callable[[Any], None]) -> Setup:
    """Load a YAML file of the project, let ``change`` modify the data, write it back."""

    def setup(project: Path) -> None:
        path = project / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return setup


def config(change: Callable[[dict[str, Any]], None]) -> Setup:
    return edit_yaml("chartgen.yaml", change)


def server_schema(change: Callable[[dict[str, Any]], None]) -> Setup:
    return edit_yaml("schemas/values/server.schema.yaml", change)


def add_server_property(name: str, schema: dict[str, Any]) -> Setup:
    return server_schema(lambda data: data["properties"].__setitem__(name, schema))


def both(*setups: Setup) -> Setup:
    def setup(project: Path) -> None:
        for step in setups:
            step(project)

    return setup


def make_dir(relative: str) -> Setup:
    return lambda project: (project / relative).mkdir(parents=True)


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # {project}: the broken copy; {tmp}: an empty scratch directory
    stderr: tuple[str, ...]  # each must appear in stderr ({project} and {tmp} filled in)
    setup: Setup | None = None
    exit_code: int = 2
    stdout: tuple[str, ...] = ()
    xfail: str | None = None  # the fix this case is waiting for


def render(*extra: str) -> tuple[str, ...]:
    return ("render", "--project", "{project}", *extra)


def matrix(*extra: str) -> tuple[str, ...]:
    return ("lint", "matrix", "--project", "{project}", "--format", "text", *extra)


def on_chart(*extra: str) -> tuple[str, ...]:
    """``lint matrix --chart`` on the project's rendered chart."""
    return ("lint", "matrix", "--chart", f"{{project}}/{CHART}", "--format", "text", *extra)


SCENARIOS = "{project}/values/scenarios"

CASES = [
    # YAML syntax errors name file:line:column, whatever the file.
    Case(
        "yaml-error/example-values-file",
        render(),
        ("{project}/values/examples/values-minimal.yaml:3:7: invalid YAML: ",),
        put_fixture("values/examples/values-minimal.yaml", "yaml/unclosed-flow-mapping.yaml"),
    ),
    Case(
        "yaml-error/scenario-file",
        matrix(),
        (f"{SCENARIOS}/broken.yaml:3:7: invalid YAML: ",),
        put_fixture("values/scenarios/broken.yaml", "yaml/unclosed-flow-mapping.yaml"),
    ),
    Case(
        "yaml-error/values-file-named-by-a-scenario",
        matrix(),
        ("{project}/values/extra/broken.yaml:3:7: invalid YAML: ",),
        both(
            put_fixture("values/extra/broken.yaml", "yaml/unclosed-flow-mapping.yaml"),
            put("values/scenarios/uses-broken.yaml", "description: x\nvaluesFiles: [../extra/broken.yaml]\n"),
        ),
    ),
    Case(
        "yaml-error/values-dir-file",
        on_chart("--values-dir", "{project}/ci"),
        ("{project}/ci/broken-values.yaml:3:7: invalid YAML: ",),
        put_fixture("ci/broken-values.yaml", "yaml/unclosed-flow-mapping.yaml"),
    ),
    Case(
        "yaml-error/section-schema-file",
        render(),
        ("{project}/schemas/values/server.schema.yaml:2:15: invalid YAML: ",),
        put_fixture("schemas/values/server.schema.yaml", "yaml/two-colons-on-one-line.yaml"),
    ),
    Case(
        "yaml-error/definitions-file",
        render(),
        ("{project}/schemas/values/definitions.yaml:3:11: invalid YAML: ",),
        put_fixture("schemas/values/definitions.yaml", "yaml/unclosed-flow-sequence.yaml"),
    ),
    Case(
        "yaml-error/chartgen-yaml-on-render",
        render(),
        ("{project}/chartgen.yaml:2:1: invalid YAML: ",),
        put_fixture("chartgen.yaml", "yaml/tab-indentation.yaml"),
    ),
    Case(
        "yaml-error/chartgen-yaml-on-lint",
        matrix(),
        ("{project}/chartgen.yaml:3:11: invalid YAML: ",),
        put_fixture("chartgen.yaml", "yaml/unclosed-flow-sequence.yaml"),
    ),
    # chartgen.yaml: unknown keys and wrong types name the key path and what it should be.
    Case(
        "config/unknown-top-level-key",
        render(),
        ("{project}/chartgen.yaml: unknown key 'outptu'",),
        config(lambda c: c.__setitem__("outptu", {"chart": "elsewhere"})),
    ),
    Case(
        "config/unknown-nested-key",
        matrix(),
        ("{project}/chartgen.yaml: unknown key 'lint.releas'",),
        config(lambda c: c.setdefault("lint", {}).__setitem__("releas", "certctl")),
    ),
    Case(
        "config/string-expected",
        render(),
        ("{project}/chartgen.yaml: 'chart.version': expected a string, got 1",),
        config(lambda c: c["chart"].__setitem__("version", 1)),
    ),
    Case(
        "config/list-expected",
        matrix(),
        ("{project}/chartgen.yaml: 'kubernetes.versions': expected a list, got '1.29'",),
        config(lambda c: c.setdefault("kubernetes", {}).__setitem__("versions", "1.29")),
    ),
    Case(
        "config/missing-required-key",
        render(),
        ("{project}/chartgen.yaml: missing required key 'output'",),
        config(lambda c: c.pop("output")),
    ),
    Case(
        "config/bad-check-level",
        matrix(),
        (
            "{project}/chartgen.yaml: 'lint.checks.name-too-long': expected one of off, error, warning, info "
            "or a mapping, got 'loud'",
        ),
        config(lambda c: c.setdefault("lint", {}).__setitem__("checks", {"name-too-long": "loud"})),
    ),
    Case(
        "config/unknown-check",
        matrix(),
        ("chartgen.yaml: unknown check 'no-such-check' in lint.checks",),
        config(lambda c: c.setdefault("lint", {}).__setitem__("checks", {"no-such-check": "error"})),
    ),
    Case(
        "config/not-a-mapping",
        render(),
        ("{project}/chartgen.yaml: expected a mapping at the top level, found list",),
        put("chartgen.yaml", "- chart\n- output\n"),
    ),
    Case(
        "config/unknown-key-in-lint-generated",
        matrix("--tier", "pairwise"),
        ("{project}/chartgen.yaml: unknown key 'lint.generated.bsae'",),
        config(
            lambda c: c.setdefault("lint", {}).setdefault("generated", {}).__setitem__("bsae", "defaults")
        ),
    ),
    Case(
        "config/unsupported-kubernetes-version",
        matrix(),
        ("{project}/chartgen.yaml: 'kubernetes.versions'", "1.9"),
        config(lambda c: c.setdefault("kubernetes", {}).__setitem__("versions", ["1.9"])),
    ),
    # Scenario files: the file, then the key path.
    Case(
        "scenario/unknown-key",
        matrix(),
        (f"{SCENARIOS}/unknown-key.yaml: unknown key 'value'",),
        put_fixture("values/scenarios/unknown-key.yaml", "scenarios/unknown-key.yaml"),
    ),
    Case(
        "scenario/wrong-type",
        matrix(),
        (f"{SCENARIOS}/wrong-type.yaml: 'expect.present.0.kind': expected a string, got 5",),
        put_fixture("values/scenarios/wrong-type.yaml", "scenarios/wrong-type.yaml"),
    ),
    Case(
        "scenario/missing-description",
        matrix(),
        (f"{SCENARIOS}/no-description.yaml: missing required key 'description'",),
        put_fixture("values/scenarios/no-description.yaml", "scenarios/no-description.yaml"),
    ),
    Case(
        "scenario/not-a-mapping",
        matrix(),
        (f"{SCENARIOS}/not-a-mapping.yaml: expected a mapping at the top level, found list",),
        put_fixture("values/scenarios/not-a-mapping.yaml", "scenarios/not-a-mapping.yaml"),
    ),
    Case(
        "scenario/bad-regex-in-expect-fails",
        matrix(),
        (
            f"{SCENARIOS}/bad-regex-in-fails.yaml: 'expect.fails': 'refuses to start (without TLS' is not a valid "
            "regular expression: missing ), unterminated subpattern",
        ),
        put_fixture("values/scenarios/bad-regex-in-fails.yaml", "scenarios/bad-regex-in-fails.yaml"),
    ),
    Case(
        "scenario/bad-regex-in-expect-present-name",
        matrix(),
        (
            f"{SCENARIOS}/bad-regex-in-present-name.yaml: 'expect.present.1.name': 'certctl-[server' is not a valid "
            "regular expression: unterminated character set",
        ),
        put_fixture(
            "values/scenarios/bad-regex-in-present-name.yaml", "scenarios/bad-regex-in-present-name.yaml"
        ),
    ),
    Case(
        "scenario/extends-cycle",
        matrix(),
        (f"{SCENARIOS}/cycle-a.yaml: scenarios extend each other in a cycle: cycle-a -> cycle-b -> cycle-a",),
        both(
            put_fixture("values/scenarios/cycle-a.yaml", "scenarios/cycle-a.yaml"),
            put_fixture("values/scenarios/cycle-b.yaml", "scenarios/cycle-b.yaml"),
        ),
    ),
    Case(
        "scenario/extends-unknown",
        matrix(),
        (f"{SCENARIOS}/extends-unknown.yaml: extends unknown scenario 'no-such-scenario' (known: ",),
        put_fixture("values/scenarios/extends-unknown.yaml", "scenarios/extends-unknown.yaml"),
    ),
    Case(
        "scenario/missing-values-file",
        matrix(),
        (
            f"{SCENARIOS}/missing-values-file.yaml: valuesFiles entry '../examples/no-such-values.yaml' not found "
            "(looked for {project}/values/examples/no-such-values.yaml)",
        ),
        put_fixture("values/scenarios/missing-values-file.yaml", "scenarios/missing-values-file.yaml"),
    ),
    # Values schema files: the file and the values path.
    Case(
        "schema/section-not-an-object",
        render(),
        ("{project}/schemas/values/server.schema.yaml: a section schema must be an object with properties",),
        server_schema(lambda s: s.__setitem__("type", "array")),
    ),
    Case(
        "schema/default-of-the-wrong-type",
        render(),
        (
            "{project}/schemas/values/server.schema.yaml: the default of 'server.zzPort' fails its own schema: "
            "'8443' is not of type 'integer'",
        ),
        add_server_property("zzPort", {"type": "integer", "default": "8443", "description": "A port."}),
    ),
    Case(
        "schema/property-without-description",
        render(),
        ("{project}/schemas/values/server.schema.yaml: 'server.zzFlag' has no description",),
        add_server_property("zzFlag", {"type": "boolean", "default": False}),
    ),
    Case(
        "schema/unknown-ref",
        render(),
        ("{project}/schemas/values/server.schema.yaml: unknown $ref '#/definitions/noSuchShape'",),
        add_server_property("zzShape", {"$ref": "#/definitions/noSuchShape", "description": "A shape."}),
    ),
    Case(
        "schema/file-not-listed-in-config",
        render(),
        (
            "{project}/schemas/values/zzextra.schema.yaml: schema file is not listed in chartgen.yaml values.sections",
        ),
        put(
            "schemas/values/zzextra.schema.yaml",
            "title: Extra\ndescription: Extra.\ntype: object\nproperties: {}\n",
        ),
    ),
    Case(
        "schema/misspelt-keyword",
        render(),
        ("{project}/schemas/values/server.schema.yaml", "server.zzPort", "minimun"),
        add_server_property(
            "zzPort", {"type": "integer", "default": 1, "minimun": 1, "description": "A port."}
        ),
    ),
    Case(
        "schema/unknown-type-name",
        render(),
        ("{project}/schemas/values/server.schema.yaml", "server.zzPort", "intger"),
        add_server_property("zzPort", {"type": "intger", "default": 1, "description": "A port."}),
    ),
    Case(
        "schema/type-that-is-not-a-string",
        render(),
        ("{project}/schemas/values/server.schema.yaml", "server.zzPort"),
        add_server_property("zzPort", {"type": 7, "default": 1, "description": "A port."}),
    ),
    # Values files: the file and the values path.
    Case(
        "values/example-with-unknown-key",
        render(),
        (
            "{project}/values/examples/zz-typo.yaml: '(top level)': Additional properties are not allowed "
            "('servr' was unexpected)",
        ),
        put("values/examples/zz-typo.yaml", "servr:\n  replicas: 2\n"),
    ),
    Case(
        "values/example-with-wrong-type",
        render(),
        ("{project}/values/examples/zz-typo.yaml: 'server': 5 is not of type 'object'",),
        put("values/examples/zz-typo.yaml", "server: 5\n"),
    ),
    Case(
        "values/binary-value-in-a-scenario",
        matrix(),
        (
            f"{SCENARIOS}/zz-binary.yaml: 'values.server.zz': a bytes value is not supported; Helm values are JSON data",
        ),
        put("values/scenarios/zz-binary.yaml", "description: x\nvalues: {server: {zz: !!binary aGVsbG8=}}\n"),
    ),
    Case(
        "values/not-a-number-in-a-values-file",
        on_chart("--values-dir", "{project}/ci"),
        (
            "{project}/ci/nan.yaml: 'server.ratio': nan is not allowed; Helm values are JSON data, which has no NaN",
        ),
        put("ci/nan.yaml", "server:\n  ratio: .nan\n"),
    ),
    Case(
        "values/recursive-alias-in-a-scenario",
        matrix(),
        (f"{SCENARIOS}/zz-alias.yaml: 'values.server.again': a YAML alias refers to its own parent",),
        put(
            "values/scenarios/zz-alias.yaml",
            "description: x\nvalues:\n  server: &server\n    again: *server\n",
        ),
    ),
    # Missing or unreadable inputs.
    Case(
        "missing/project-directory",
        ("render", "--project", "{tmp}/no-such-project"),
        ("{tmp}/no-such-project: project directory not found",),
    ),
    Case(
        "missing/chartgen-yaml",
        render(),
        ("no chartgen.yaml found in {project} or any parent directory",),
        remove("chartgen.yaml"),
    ),
    Case("missing/chart-directory", matrix(), (f"{{project}}/{CHART}: chart not found",), remove(CHART)),
    Case(
        "missing/chart-given-with-flag",
        ("lint", "matrix", "--chart", "{tmp}/no-such-chart"),
        ("{tmp}/no-such-chart: chart not found",),
    ),
    Case(
        "missing/chart-yaml-in-chart",
        matrix(),
        (f"{{project}}/{CHART}: not a chart directory (no Chart.yaml)",),
        remove(f"{CHART}/Chart.yaml"),
    ),
    Case(
        "unreadable/chart-yaml",
        matrix(),
        (f"{{project}}/{CHART}: cannot load chart: cannot load Chart.yaml",),
        put(f"{CHART}/Chart.yaml", "apiVersion: v2\nname: [certctl\n"),
    ),
    Case(
        "missing/values-dir",
        on_chart("--values-dir", "{tmp}/no-such-dir"),
        ("{tmp}/no-such-dir: values directory not found",),
    ),
    Case(
        "unreadable/values-file-not-utf8",
        on_chart("--values-dir", "{project}/ci"),
        ("{project}/ci/latin1.yaml: cannot read file: 'utf-8' codec can't decode byte 0xe9",),
        put("ci/latin1.yaml", "name: caf\xe9\n".encode("latin-1")),
    ),
    Case(
        "unreadable/values-file-is-a-directory",
        on_chart("--values-dir", "{project}/ci"),
        ("{project}/ci/dir.yaml: expected a file, found a directory",),
        make_dir("ci/dir.yaml"),
    ),
    Case(
        "missing/scenario-directory",
        matrix(),
        ("{project}/values/scenarios: scenario directory not found",),
        remove("values/scenarios"),
    ),
    Case(
        "missing/section-schema-file",
        render(),
        ("{project}/schemas/values/server.schema.yaml: file not found",),
        remove("schemas/values/server.schema.yaml"),
    ),
    Case(
        "unreadable/section-schema-is-a-directory",
        render(),
        ("{project}/schemas/values/server.schema.yaml: expected a file, found a directory",),
        both(remove("schemas/values/server.schema.yaml"), make_dir("schemas/values/server.schema.yaml")),
    ),
    Case(
        "unreadable/section-schema-not-utf8",
        render(),
        (
            "{project}/schemas/values/server.schema.yaml: cannot read file: 'utf-8' codec can't decode byte 0xff",
        ),
        put("schemas/values/server.schema.yaml", b"\xff\xfe title: x\n"),
    ),
    Case(
        "missing/chart-source-template",
        render(),
        ("{project}/templates/chart/Chart.yaml.j2: template not found: chart/Chart.yaml.j2",),
        remove("templates/chart/Chart.yaml.j2"),
    ),
    Case(
        "unreadable/component-template-not-utf8",
        render(),
        ("{project}/templates/components/server/zz-latin1.yaml.j2: cannot read template: not UTF-8 text",),
        put("templates/components/server/zz-latin1.yaml.j2", "name: caf\xe9\n".encode("latin-1")),
    ),
    Case(
        "unreadable/imported-macro-file-not-utf8",
        render(),
        ("{project}/templates/macros/latin1.j2: cannot read template: not UTF-8 text",),
        both(
            put("templates/macros/latin1.j2", "[# caf\xe9 #]\n".encode("latin-1")),
            put(
                "templates/components/server/zz-broken.yaml.j2",
                '[% import "macros/latin1.j2" as m %]\nkind: x\n',
            ),
        ),
    ),
    Case(
        "missing/templates-directory",
        render(),
        ("{project}/templates: templates directory not found",),
        remove("templates"),
    ),
    Case(
        "missing/components-directory",
        render(),
        ("{project}/templates/components",),
        remove("templates/components"),
    ),
    Case(
        "missing/crd-schema-file",
        matrix("--crd-schema", "{tmp}/no-such-crd.yaml"),
        ("{tmp}/no-such-crd.yaml: file not found",),
    ),
    Case(
        "yaml-error/crd-schema-file",
        matrix("--crd-schema", "{project}/crd.yaml"),
        ("{project}/crd.yaml:3:7: invalid YAML: ",),
        put_fixture("crd.yaml", "yaml/unclosed-flow-mapping.yaml"),
    ),
    # Jinja2 errors in source templates: the template file and line.
    Case(
        "jinja/syntax-error",
        render(),
        (
            "{project}/templates/components/server/zz-broken.yaml.j2:5: template syntax error: "
            "Expected an expression, got 'end of statement block'",
        ),
        put_fixture("templates/components/server/zz-broken.yaml.j2", "templates/syntax-error.yaml.j2"),
    ),
    Case(
        "jinja/undefined-variable",
        render(),
        (
            "{project}/templates/components/server/zz-broken.yaml.j2:6: template error: 'no_such_variable' is undefined",
        ),
        put_fixture("templates/components/server/zz-broken.yaml.j2", "templates/undefined-variable.yaml.j2"),
    ),
    Case(
        "jinja/undefined-variable-in-a-macro",
        render(),
        ("{project}/templates/macros/broken-macro.j2:3: template error: 'undefined_in_macro' is undefined",),
        both(
            put_fixture("templates/macros/broken-macro.j2", "templates/broken-macro.j2"),
            put_fixture(
                "templates/components/server/zz-broken.yaml.j2", "templates/uses-broken-macro.yaml.j2"
            ),
        ),
    ),
    Case(
        "jinja/import-of-a-missing-template",
        render(),
        (
            "{project}/templates/components/server/zz-broken.yaml.j2:3: template not found: macros/no-such-macros.j2",
        ),
        put_fixture("templates/components/server/zz-broken.yaml.j2", "templates/missing-import.yaml.j2"),
    ),
    Case(
        "jinja/runtime-error",
        render(),
        ("{project}/templates/components/server/zz-broken.yaml.j2:4: template error: ZeroDivisionError",),
        put_fixture("templates/components/server/zz-broken.yaml.j2", "templates/division-by-zero.yaml.j2"),
    ),
    # The chart under lint: unusable at load time is bad input; failing to render is a finding (exit 1).
    Case(
        "chart/template-does-not-parse",
        matrix(),
        (
            f"{{project}}/{CHART}/templates/zz-broken.yaml:5: the chart's templates do not parse: "
            "parse error at (certctl/templates/zz-broken.yaml:5): missing value for if",
        ),
        put_fixture(f"{CHART}/templates/zz-broken.yaml", "chart/parse-error.yaml"),
    ),
    Case(
        "chart/values-schema-not-json",
        matrix(),
        (
            f"{{project}}/{CHART}/values.schema.json:2:1: the chart's values schema is not valid JSON: Expecting value",
        ),
        put(f"{CHART}/values.schema.json", '{"type":\n'),
    ),
    Case(
        "chart/template-failure-is-a-finding",
        matrix("--scenario", "defaults"),
        (),
        exit_code=1,
        stdout=(f"{CHART}/templates/zz-fails.yaml:2: error RND001 render-failed", "the zz gate always fails"),
        setup=put_fixture(f"{CHART}/templates/zz-fails.yaml", "chart/fails.yaml"),
    ),
    # Flags.
    Case(
        "flag/unknown-check-id",
        ("checks", "explain", "no-such-check"),
        ("unknown check 'no-such-check'. Known checks: ",),
    ),
    Case(
        "flag/unknown-tier",
        matrix("--tier", "fuzzy"),
        ("Invalid value for '--tier'", "'fuzzy' is not one of"),
    ),
    Case(
        "flag/unknown-format-for-lint-matrix",
        matrix("--format", "xml"),
        ("unknown report format 'xml'; choose one of: auto, text, concise, json, junit, sarif, github",),
    ),
    Case(
        "flag/unknown-format-for-report-merge",
        ("lint", "report", "merge", "--format", "xml", "{project}/chartgen.yaml"),
        ("unknown report format 'xml'",),
    ),
    Case(
        "flag/unknown-format-for-checks-list",
        ("checks", "list", "--format", "xml"),
        ("Invalid value for '--format'", "'xml' is not one of"),
    ),
    Case(
        "flag/unsupported-kubernetes-version",
        matrix("--k8s-version", "1.99"),
        ("--k8s-version 1.99: Kubernetes 1.99 is not supported; supported versions are",),
    ),
    Case(
        "flag/malformed-kubernetes-version",
        matrix("--k8s-version", "latest"),
        ("--k8s-version latest: malformed Kubernetes version 'latest'",),
    ),
    *[
        Case(
            f"flag/malformed-shard-{shard.replace('/', '-of-')}",
            matrix("--shard", shard),
            (f"--shard takes I/N with 1 <= I <= N, for example 2/4; got '{shard}'",),
        )
        for shard in ("two", "3/2", "0/4", "1/0", "1/2/3")
    ],
    Case(
        "flag/count-below-one", matrix("--tier", "random", "--count", "0"), ("Invalid value for '--count'",)
    ),
    Case(
        "flag/values-dir-without-chart",
        matrix("--values-dir", "{project}/values/examples"),
        ("--values-dir needs --chart",),
    ),
    Case(
        "flag/scenario-filter-matches-nothing",
        matrix("--scenario", "no-such-*"),
        ("no scenario matches ['no-such-*'] (known: ",),
    ),
    # Output paths that cannot be written: refused before any work, nothing written.
    Case(
        "output/report-into-a-missing-directory",
        matrix("--output", "{tmp}/no-such-dir/report.json"),
        ("{tmp}/no-such-dir/report.json: cannot write the report: the directory does not exist",),
    ),
    Case(
        "output/report-onto-a-directory",
        matrix("--output", "{tmp}"),
        ("{tmp}: cannot write the report: the path is a directory",),
    ),
    Case(
        "output/checks-list-into-a-missing-directory",
        ("checks", "list", "--output", "{tmp}/no-such-dir/checks.md"),
        ("{tmp}/no-such-dir/checks.md: cannot write the report: the directory does not exist",),
    ),
    Case(
        "output/merged-report-onto-a-directory",
        ("lint", "report", "merge", "--output", "{tmp}", "{project}/chartgen.yaml"),
        ("{tmp}: cannot write the report: the path is a directory",),
    ),
    Case(
        "output/render-out-below-a-file",
        render("--out", "{project}/chartgen.yaml/charts"),
        ("cannot create the output directory: {project}/chartgen.yaml is a file, not a directory",),
    ),
    Case(
        "output/configured-chart-directory-is-a-file",
        render(),
        ("{project}/deploy/helm/precious.txt: the output path exists and is not a directory",),
        both(
            put("deploy/helm/precious.txt", "not chartgen's\n"),
            config(lambda c: c["output"].__setitem__("chart", "deploy/helm/precious.txt")),
        ),
    ),
    # lint report merge on files that are not JSON reports.
    Case(
        "merge/yaml-file",
        ("lint", "report", "merge", "{project}/chartgen.yaml"),
        ("{project}/chartgen.yaml:1:1: not valid JSON: Expecting value",),
    ),
    Case(
        "merge/json-that-is-not-a-report",
        ("lint", "report", "merge", "{project}/report.json"),
        ('{project}/report.json: not a chartgen JSON report (no "format": ',),
        put_fixture("report.json", "reports/not-a-report.json"),
    ),
    Case(
        "merge/missing-file",
        ("lint", "report", "merge", "{tmp}/no-such-report.json"),
        ("{tmp}/no-such-report.json: cannot read the report: No such file or directory",),
    ),
]


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


# --- running a case ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project sources with the chart rendered, to copy for each case."""
    project = copy_project(tmp_path_factory.mktemp("bad-input") / "project")
    result = runner.invoke(app, ["render", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def fill(text: str, project: Path, tmp: Path) -> str:
    return text.replace("{project}", str(project)).replace("{tmp}", str(tmp))


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len([case for case in CASES if case.xfail is None]) >= 30


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input(case: Case, rendered_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(rendered_project, project, symlinks=True)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.setup:
        case.setup(project)
    before = snapshot(project)

    result = runner.invoke(app, [fill(arg, project, scratch) for arg in case.args])

    assert result.exit_code == case.exit_code, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.output
    for expected in case.stderr:
        assert fill(expected, project, scratch) in result.stderr
    for expected in case.stdout:
        assert fill(expected, project, scratch) in result.stdout
    if case.exit_code == 2:
        message = result.stderr.strip()
        assert message, "a usage error must say what is wrong on stderr"
        assert "\n\n" not in message, "one paragraph"
        assert message.startswith(("chartgen: error: ", "Usage: "))
        assert message.count("chartgen: error:") <= 1
        assert result.stdout == "", "errors go to stderr only"
    else:
        assert "chartgen: error" not in result.stderr
    assert snapshot(project) == before, "bad input must change nothing"


def test_values_are_read_as_helm_reads_them(tmp_path: Path) -> None:
    # Helm keeps a date a string; PyYAML would make it a datetime.date, which JSON cannot carry.
    values = tmp_path / "values.yaml"
    values.write_text("release: 2024-01-31\nat: 2024-01-31T10:00:00Z\nshared: &a {x: 1}\nagain: *a\n")
    assert load_values(values) == {
        "release": "2024-01-31",
        "at": "2024-01-31T10:00:00Z",
        "shared": {"x": 1},
        "again": {"x": 1},
    }


def test_debug_shows_the_traceback_and_still_the_message(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-project"
    without = runner.invoke(app, ["render", "--project", str(missing)])
    with_debug = runner.invoke(app, ["--debug", "render", "--project", str(missing)])
    message = f"chartgen: error: {missing}: project directory not found"
    assert without.exit_code == with_debug.exit_code == 2
    assert "Traceback" not in without.stderr and without.stderr.strip() == message
    assert "Traceback (most recent call last)" in with_debug.stderr
    assert with_debug.stderr.strip().endswith(message)


def test_debug_is_not_sticky_between_invocations(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-project")
    runner.invoke(app, ["--debug", "render", "--project", missing])
    assert "Traceback" not in runner.invoke(app, ["render", "--project", missing]).stderr


def test_an_internal_error_is_exit_3_with_a_hint_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chartgen.generate.build as build_module

    def crash(project: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(build_module, "build", crash)
    project = copy_project(tmp_path / "project")
    result = runner.invoke(app, ["render", "--project", str(project)])
    assert result.exit_code == 3
    assert (
        result.stderr.strip()
        == "chartgen: internal error: RuntimeError: a bug (run with --debug for a traceback)"
    )
