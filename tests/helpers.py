"""Shared test helpers: render the committed chart with the Helm engine and look inside."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from chartgen import helm
from chartgen.manifests import Manifest, parse_rendered
from chartgen.merge import deep_merge

ROOT = Path(__file__).resolve().parents[1]
CHART_DIR = ROOT / "deploy" / "helm" / "certctl"
EXAMPLES_DIR = ROOT / "deploy" / "helm" / "examples"
# tests/alerts: the alert unit tests the lint configuration runs (lint.checks.rule-test-failed).
PROJECT_SOURCES = ["chartgen.yaml", "schemas", "templates", "values", "tests/alerts"]


@lru_cache(maxsize=1)
def chart() -> Any:
    return helm.load_chart(CHART_DIR)


def minimal_values() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES_DIR / "values-minimal.yaml").read_text())


def with_minimal(overlay: dict[str, Any] | None = None) -> dict[str, Any]:
    """The minimal example values with ``overlay`` merged over them."""
    return deep_merge(minimal_values(), copy.deepcopy(overlay or {}))


def render(values: dict[str, Any], *, release: str = "certctl", kube_version: str = "1.29") -> list[Manifest]:
    """Render with the Helm engine and parse; any unparsable document fails the test."""
    rendered = helm.render(chart(), values, release=release, kube_version=kube_version)
    manifests, failures = parse_rendered(rendered)
    assert not failures, failures
    return manifests


def objects(values: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    return [manifest.obj for manifest in render(values, **kwargs)]


def find(objs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    matches = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, found {len(matches)}"
    return matches[0]


def kinds(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["kind"] for o in objs)


def pod_specs(objs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod spec) for every object with a pod template."""
    for obj in objs:
        template = obj.get("spec", {}).get("template")
        if obj["kind"] == "CronJob":
            template = obj["spec"]["jobTemplate"]["spec"]["template"]
        if template:
            yield obj, template["spec"]


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return pod_spec.get("initContainers", []) + pod_spec["containers"]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def copy_project(target: Path) -> Path:
    """A copy of the project sources (not the generated output) to render into."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def require_program(name: str) -> str:
    """The path of a system program a test runs. Missing, the test is skipped on a developer's
    machine and fails in CI (CI=true), where .ci/run installs it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (see the README's test requirements)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
