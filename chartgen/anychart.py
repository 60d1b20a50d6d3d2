"""Lint any chart the way ``helm lint`` and ``ct lint`` users expect.

The chart is a directory or a packaged ``.tgz``; its scenarios are the chart's defaults plus
each ``ci/*-values.yaml`` (as chart-testing runs them), or one scenario made of ``-f`` files and
``--set`` values. Release and namespace default to Helm's (``release-name``, ``default``).
Checks are configured by a lint-only configuration (a file holding just a ``lint:`` section)
and by ``--enable``/``--disable``. Input Helm refuses is refused with Helm's message (missing
dependencies); input Helm accepts is linted, and one values file that cannot be read is a
render failure of its scenario while the other scenarios still run.
"""

from __future__ import annotations

import atexit
import difflib
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from chartgen.checks import all_checks, find_check
from chartgen.checks.context import Suppression
from chartgen.engine import LintTarget
from chartgen.errors import UserError
from chartgen.matrix.target import MatrixOptions, build_target, configure_checks
from chartgen.merge import deep_merge
from chartgen.project import CONFIG_NAME, CONFIG_SCHEMA, describe_schema_error
from chartgen.scenario import Scenario
from chartgen.setvalues import parse_set
from chartgen.yamlfiles import load_mapping, load_values

HELM_RELEASE = "release-name"  # what `helm template` and `helm lint` call a release without a name
HELM_NAMESPACE = "default"


@dataclass
class ChartLintOptions:
    """The flags of ``chartgen lint CHART``."""

    chart: Path
    values_files: list[Path] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    release: str | None = None
    namespace: str | None = None
    api_versions: list[str] = field(default_factory=list)
    kube_versions: list[str] = field(default_factory=list)
    crd_schemas: list[Path] = field(default_factory=list)
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    config: Path | None = None


class LibraryChart(Exception):
    """A library chart: Helm lints it but renders nothing from it."""


def open_chart(path: Path) -> Path:
    """The chart directory: ``path`` itself, or a packaged chart unpacked for the run."""
    if not path.exists():
        raise UserError("chart not found", str(path))
    if path.is_dir():
        if not (path / "Chart.yaml").is_file():
            raise UserError("not a chart directory (no Chart.yaml)", str(path))
        return path
    if not tarfile.is_tarfile(path):
        raise UserError("not a chart: expected a chart directory or a packaged chart (.tgz)", str(path))
    workdir = Path(tempfile.mkdtemp(prefix="chartgen-chart-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    with tarfile.open(path) as archive:
        archive.extractall(workdir, filter="data")
    charts = [entry for entry in workdir.iterdir() if (entry / "Chart.yaml").is_file()]
    if len(charts) != 1:
        raise UserError("a packaged chart holds one directory with a Chart.yaml", str(path))
    return charts[0]


def check_chart(chart_dir: Path) -> None:
    """Refuse what Helm refuses before rendering: dependencies missing from ``charts/`` (with
    Helm's message); raise LibraryChart for a library chart."""
    metadata = load_mapping(chart_dir / "Chart.yaml")
    if metadata.get("type") == "library":
        raise LibraryChart()
    declared = metadata.get("dependencies")
    requirements = chart_dir / "requirements.yaml"
    if declared is None and requirements.is_file():  # apiVersion v1 charts
        declared = load_mapping(requirements).get("dependencies")
    wanted = [str(d.get("name")) for d in declared or [] if isinstance(d, dict) and d.get("name")]
    present = vendored_charts(chart_dir)
    missing = [name for name in wanted if name not in present]
    if missing:
        raise UserError(
            "An error occurred while checking for chart dependencies. You may need to run "
            "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing "
            f"in charts/ directory: {', '.join(missing)}",
            str(chart_dir / "Chart.yaml"),
        )


def vendored_charts(chart_dir: Path) -> set[str]:
    """The names of the charts in ``charts/``: unpacked directories and packaged ``.tgz``."""
    names = set()
    charts = chart_dir / "charts"
    for entry in sorted(charts.iterdir()) if charts.is_dir() else []:
        if (entry / "Chart.yaml").is_file():
            names.add(str(load_mapping(entry / "Chart.yaml").get("name", entry.name)))
        elif entry.suffix == ".tgz" and tarfile.is_tarfile(entry):
            names.add(_packaged_name(entry))
    return names


def _packaged_name(path: Path) -> str:
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.name.count("/") == 1 and member.name.endswith("/Chart.yaml"):
                handle = archive.extractfile(member)
                match = re.search(r"(?m)^name:\s*['\"]?([^\s'\"]+)", handle.read().decode() if handle else "")
                if match:
                    return match[1]
    return re.sub(r"-\d+\.\d+\.\d+.*$", "", path.stem)  # name-1.2.3.tgz


@dataclass
class LintConfig:
    """The ``lint:`` section that applies to any chart."""

    settings: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    base: Path = Path(".")


def load_lint_config(path: Path | None, start: Path) -> LintConfig:
    """``path``, or the nearest ``chartgen.yaml`` at or above ``start`` that holds only a ``lint:``
    section (a project's configuration is about the project's chart, not this one)."""
    if path is None:
        for directory in (start.resolve(), *start.resolve().parents):
            candidate = directory / CONFIG_NAME
            if candidate.is_file():
                data = load_mapping(candidate)
                if set(data) <= {"lint"}:
                    path = candidate
                break
        if path is None:
            return LintConfig()
    data = load_mapping(path)
    unknown = sorted(set(data) - {"lint", "chart", "output", "values", "kubernetes"})
    if unknown:
        raise UserError(f"unknown key(s) {unknown}: a lint configuration holds a 'lint:' section", str(path))
    settings = normalise_levels(dict(data.get("lint") or {}))
    errors = sorted(
        jsonschema.Draft7Validator(CONFIG_SCHEMA["properties"]["lint"]).iter_errors(settings),
        key=lambda e: list(e.path),
    )
    if errors:
        error = errors[0]
        error.path.appendleft("lint")
        raise UserError(describe_schema_error(error), str(path))
    return LintConfig(settings, str(path), path.parent)


def normalise_levels(lint: dict[str, Any]) -> dict[str, Any]:
    """An unquoted ``off`` is YAML's false: read it as the level it was meant to be."""
    checks = lint.get("checks")
    if isinstance(checks, dict):
        for key, setting in checks.items():
            if setting is False:
                checks[key] = "off"
            elif isinstance(setting, dict) and setting.get("level") is False:
                setting["level"] = "off"
    return lint


def resolve_check(key: str, flag: str) -> str:
    """A check id from an id or code, or a UserError with the nearest names."""
    check = find_check(key)
    if check is not None:
        return check.id
    names = [name for c in all_checks() for name in (c.id, c.code)]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (see `chartgen checks list`)"
    raise UserError(f"{flag} {key}: no such check{hint}")


def check_settings(config: LintConfig, options: ChartLintOptions) -> tuple[dict[str, Any], frozenset[str]]:
    """The checks' settings: the configuration's, then ``--enable`` (a check at its own default
    level, with the flag it needs) and ``--disable``; and the flags the enabled checks need."""
    settings = dict(config.settings.get("checks") or {})
    flags = set()
    for key in options.enable:
        check = find_check(resolve_check(key, "--enable"))
        assert check is not None
        settings.pop(check.code, None)
        settings[check.id] = check.level.value
        if check.flag:
            flags.add(check.flag)
    for key in options.disable:
        check_id = resolve_check(key, "--disable")
        settings.pop(str(getattr(find_check(check_id), "code", "")), None)
        settings[check_id] = "off"
    return settings, frozenset(flags)


def chart_scenarios(
    chart_dir: Path, options: ChartLintOptions, release: str, namespace: str
) -> tuple[list[Scenario], dict[str, str]]:
    """The scenarios, and for each one whose values file cannot be read, why."""
    broken: dict[str, str] = {}

    def scenario(name: str, description: str, files: list[Path], sets: list[str], source: str) -> Scenario:
        values: dict[str, Any] = {}
        try:
            for file in files:
                values = deep_merge(values, load_values(file))
            for expression in sets:
                parse_set(expression, values)
        except UserError as exc:
            if sets:  # a flag the user typed: refuse it now
                raise
            broken[name] = str(exc)
        return Scenario(
            name, description, values, release=release, namespace=namespace, source=source, implicit=True
        )

    if options.values_files or options.set_values:
        given = [str(p) for p in options.values_files] + [f"--set {s}" for s in options.set_values]
        return [
            scenario(
                "values",
                "values from the command line",
                options.values_files,
                options.set_values,
                ", ".join(given),
            )
        ], broken
    scenarios = [
        Scenario(
            "default", "the chart's default values", {}, release=release, namespace=namespace, implicit=True
        )
    ]
    for path in sorted((chart_dir / "ci").glob("*-values.yaml")):
        scenarios.append(
            scenario(path.name.removesuffix(".yaml"), f"values file ci/{path.name}", [path], [], str(path))
        )
    return scenarios, broken


def build_chart_target(options: ChartLintOptions, chart_dir: Path, root: Path) -> LintTarget:
    """What the run lints: the chart with its scenarios, versions, schemas and configured checks."""
    config = load_lint_config(options.config, Path.cwd())
    release = options.release or config.settings.get("release") or HELM_RELEASE
    namespace = options.namespace or config.settings.get("namespace") or HELM_NAMESPACE
    crd_schemas = options.crd_schemas + [config.base / p for p in config.settings.get("crdSchemas", [])]
    target = build_target(
        None,
        MatrixOptions(chart=chart_dir, kube_versions=options.kube_versions, crd_schemas=crd_schemas),
        root,
    )
    target.scenarios, broken = chart_scenarios(chart_dir, options, release, namespace)
    settings, flags = check_settings(config, options)
    target.checks = configure_checks(settings, flags, config.origin or CONFIG_NAME, outside=True)
    target.api_versions = list(options.api_versions)
    target.suppressions = [
        Suppression(
            a["check"],
            a["reason"],
            f"{config.origin} lint.allow",
            a.get("kind"),
            a.get("name"),
            a.get("scenario"),
        )
        for a in config.settings.get("allow", [])
    ]
    target.unreadable = broken
    return target
