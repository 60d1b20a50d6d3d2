"""Assemble what one ``chartgen lint matrix`` run lints, from the project and the flags."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from chartgen.checks import all_checks, find_check
from chartgen.checks.context import Suppression
from chartgen.checks.options import parse_options
from chartgen.crds import load_chart_crds, load_schema_files
from chartgen.engine import ConfiguredCheck, LintTarget
from chartgen.errors import UserError
from chartgen.findings import Level
from chartgen.helm import DEFAULT_NAMESPACE, DEFAULT_RELEASE
from chartgen.kubeschema import SchemaValidator, UnsupportedKubeVersion, resolve_version, supported_versions
from chartgen.matrix.generated import (
    GeneratedScenarios,
    exhaustive_tier,
    factor_space,
    pairwise_tier,
    random_tier,
)
from chartgen.matrix.scenarios import load_scenarios, values_dir_scenarios
from chartgen.project import Project
from chartgen.scenario import Scenario
from chartgen.yamlfiles import load_mapping


@dataclass
class MatrixOptions:
    """The flags of ``chartgen lint matrix`` that decide what is linted."""

    tier: str = "named"
    seed: int = 0
    count: int = 50
    chart: Path | None = None
    values_dir: Path | None = None
    kube_versions: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)  # name filters (globs)
    crd_schemas: list[Path] = field(default_factory=list)
    shard: str | None = None
    flags: frozenset[str] = frozenset()  # "deep", "coverage": checks that cost extra renders


@dataclass
class Plan:
    """A run to do: the engine's input, notes for the report, and for generated tiers
    their scenarios (whose rows shrink failures)."""

    target: LintTarget
    notes: list[str] = field(default_factory=list)
    generated: GeneratedScenarios | None = None


def build_plan(project: Project | None, options: MatrixOptions, root: Path) -> Plan:
    target = build_target(project, options, root)
    if options.tier == "named":
        return Plan(target)
    own = project if options.chart is None else None  # the project's own chart, not --chart
    config = dict(own.lint.get("generated", {})) if own is not None else {}
    base_name = config.pop("base", None) if own is not None else None
    config_file = str(project.config_path) if project is not None else "chartgen.yaml"
    if base_name is not None and not isinstance(base_name, str):
        raise UserError(f"'lint.generated.base': expected a scenario name, got {base_name!r}", config_file)
    base = (
        next((s for s in target.scenarios if s.name == base_name), None) if base_name else target.scenarios[0]
    )
    if base is None:
        raise UserError(f"lint.generated.base names unknown scenario '{base_name}'", config_file)
    space = factor_space(_chart_schema(target.chart_dir), base, config, config_file)
    if options.tier == "pairwise":
        scenarios, note = pairwise_tier(space)
    elif options.tier == "exhaustive":
        scenarios, note = exhaustive_tier(space)
    else:
        scenarios, note = random_tier(space, options.seed, options.count)
    target.scenarios = _filter(scenarios, options.scenarios)
    return Plan(target, [note], scenarios)


def _chart_schema(chart_dir: Path) -> dict[str, Any] | None:
    path = chart_dir / "values.schema.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"invalid JSON: {exc.msg}", f"{path}:{exc.lineno}:{exc.colno}") from None


def build_target(project: Project | None, options: MatrixOptions, root: Path) -> LintTarget:
    """The project's chart and scenarios, or any chart with a values directory (``--chart``)."""
    lint = project.lint if project and options.chart is None else {}
    config_file = str(project.config_path) if project is not None else "chartgen.yaml"
    # The configuration first: a wrong check option is reported before any file is read.
    in_project = project is not None and options.chart is None
    checks = configure_checks(lint.get("checks", {}), options.flags, config_file, outside=not in_project)
    release = lint.get("release", DEFAULT_RELEASE)
    namespace = lint.get("namespace", DEFAULT_NAMESPACE)
    scenarios: Sequence[Scenario]
    if options.chart is not None:
        chart_dir = options.chart
        scenarios = (
            values_dir_scenarios(options.values_dir, release=release, namespace=namespace)
            if options.values_dir
            else [
                Scenario(
                    name="default",
                    description="the chart's default values",
                    values={},
                    release=release,
                    namespace=namespace,
                    implicit=True,
                )
            ]
        )
    elif project is not None:
        chart_dir = project.chart_dir
        scenarios = load_scenarios(project.scenarios_dir, release=release, namespace=namespace)
    else:
        raise UserError("no chartgen.yaml found here: name a chart with --chart PATH")
    if not chart_dir.exists():
        raise UserError("chart not found", str(chart_dir))
    if not (chart_dir / "Chart.yaml").is_file():
        raise UserError("not a chart directory (no Chart.yaml)", str(chart_dir))
    if options.tier == "named":
        scenarios = _filter(scenarios, options.scenarios)
    schemas = SchemaValidator()
    load_chart_crds(schemas, chart_dir)
    schema_sources = list(options.crd_schemas)
    if project is not None and options.chart is None:
        schema_sources.append(project.root / "schemas" / "crds")
        schema_sources += [project.root / p for p in lint.get("crdSchemas", [])]
    load_schema_files(schemas, [p for p in schema_sources if p.exists() or p in options.crd_schemas])
    own = project if options.chart is None else None  # the project's own chart, not --chart
    if options.kube_versions:
        versions = _versions(options.kube_versions, chart_dir, lambda v: (f"--k8s-version {v}", None))
    elif own is not None and own.kube_versions:
        versions = _versions(
            own.kube_versions, chart_dir, lambda v: (f"'kubernetes.versions': {v}", config_file)
        )
    else:
        versions = _versions([], chart_dir, lambda v: (v, None))
    return LintTarget(
        chart_dir=chart_dir,
        scenarios=scenarios,
        kube_versions=versions,
        checks=checks,
        root=root,
        api_versions=own.api_versions if own is not None else [],
        # The certctl catalog also serves --chart runs inside the project (checks use it only for CERTCTL_ names).
        catalog_dir=project.catalog_dir if project is not None and project.catalog_dir.is_dir() else None,
        schemas=schemas,
        suppressions=[
            Suppression(
                entry["check"],
                entry["reason"],
                f"{config_file} lint.allow",
                entry.get("kind"),
                entry.get("name"),
                entry.get("scenario"),
            )
            for entry in lint.get("allow", [])
        ],
        shard=parse_shard(options.shard),
    )


def configure_checks(
    settings: dict[str, Any],
    flags: frozenset[str] = frozenset(),
    config_file: str = "chartgen.yaml",
    outside: bool = False,
) -> list[ConfiguredCheck]:
    """Every check at its default level, with the project's overrides; "off" removes one, and a
    check that needs a flag (``--deep``, ``--coverage``: extra renders) runs only with it. For a
    chart linted from ``outside`` the project, a check's ``outside_level`` is its default."""
    for key in settings:
        if find_check(key) is None:
            raise UserError(f"unknown check '{key}' in lint.checks (see `chartgen checks list`)", config_file)
    configured = []
    for check in all_checks():
        if check.flag and check.flag not in flags:
            continue
        setting = settings.get(check.id, settings.get(check.code, {}))
        if isinstance(setting, str):
            setting = {"level": setting}
        if not isinstance(setting, dict):
            raise UserError(
                f"'lint.checks.{check.id}': expected a level or a mapping with level and options", config_file
            )
        unknown = set(setting) - {"level", "options"}
        if unknown:
            raise UserError(f"'lint.checks.{check.id}': unknown key(s) {sorted(unknown)}", config_file)
        default = (outside and check.outside_level) or check.level
        level = setting.get("level", default.value)
        if level == "off":
            continue
        if level not in {member.value for member in Level}:
            raise UserError(
                f"'lint.checks.{check.id}.level': {level!r} is not one of "
                f"{', '.join(member.value for member in Level)}, off",
                config_file,
            )
        options = parse_options(check.id, check.options, setting.get("options"), config_file)
        configured.append(ConfiguredCheck(check, Level(level), options))
    return configured


def parse_shard(text: str | None) -> tuple[int, int]:
    if text is None:
        return (1, 1)
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UserError(f"--shard takes I/N with 1 <= I <= N, for example 2/4; got {text!r}")
    return int(match[1]), int(match[2])


def _filter(scenarios: Sequence[Scenario], patterns: list[str]) -> Sequence[Scenario]:
    if not patterns:
        return scenarios
    chosen = [s for s in scenarios if any(fnmatch(s.name, p) for p in patterns)]
    if not chosen:
        raise UserError(f"no scenario matches {patterns} (known: {', '.join(s.name for s in scenarios)})")
    return chosen


def _versions(
    requested: list[str], chart_dir: Path, origin: Callable[[str], tuple[str, str | None]]
) -> list[str]:
    """Resolve Kubernetes versions; ``origin`` says where a bad one came from (flag or config)."""
    if not requested:
        requested = _default_versions(chart_dir)
    resolved = []
    for version in requested:
        try:
            short = ".".join(resolve_version(version).split(".")[:2])
        except UnsupportedKubeVersion as exc:
            what, where = origin(version)
            raise UserError(f"{what}: {exc}", where) from None
        if short not in resolved:
            resolved.append(short)
    return resolved


def _default_versions(chart_dir: Path) -> list[str]:
    """The oldest supported and the newest bundled version; "supported" honours a simple
    ``kubeVersion: >=X.Y`` constraint in Chart.yaml."""
    bundled = [".".join(v.split(".")[:2]) for v in supported_versions()]
    constraint = str(load_mapping(chart_dir / "Chart.yaml").get("kubeVersion", ""))
    match = re.search(r">=\s*v?(\d+)\.(\d+)", constraint)
    oldest = bundled[0]
    if match:
        floor = (int(match[1]), int(match[2]))
        oldest = next((v for v in bundled if tuple(map(int, v.split("."))) >= floor), bundled[-1])
    return [oldest, bundled[-1]] if oldest != bundled[-1] else [oldest]
