"""The only module that talks to the Helm engine (helm_python, Helm v4 in-process).

``Chart.render()`` in helm-python-sdk 0.2 does not pass the Kubernetes version
or API versions through, but the native ``helm_render`` call accepts both, so
render goes through it directly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python
import jsonschema_rs
from helm_python import _native

from chartgen.errors import UserError

DEFAULT_RELEASE = "certctl"
DEFAULT_NAMESPACE = "certctl"

# Helm names the failing template as "chart/templates/x.yaml:LINE[:COL]".
_TEMPLATE_LOCATION = re.compile(
    r"(?P<template>[\w.\-/]+\.(?:ya?ml|tpl|txt|json)):(?P<line>\d+)(?::(?P<column>\d+))?"
)
LINT_LEVELS = {0: "unknown", 1: "info", 2: "warning", 3: "error"}


class RenderFailure(Exception):
    """The chart did not render (a ``fail`` gate, a template error, or schema-invalid values)."""

    def __init__(
        self, message: str, template: str | None = None, line: int | None = None, *, values: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.template = template
        self.line = line
        self.values = values  # the values failed values.schema.json; no template ran


@dataclass(frozen=True)
class LintMessage:
    level: str
    path: str
    message: str


def load_chart(path: Path) -> helm_python.Chart:
    """Load a chart directory (or .tgz) once; chart handles are thread-safe."""
    if not path.exists():
        raise UserError("chart not found", str(path))
    try:
        return helm_python.Chart.load(path)
    except helm_python.HelmError as exc:
        raise UserError(f"cannot load chart: {exc}", str(path)) from None


def load_render_chart(path: Path) -> helm_python.Chart:
    """The chart without its values.schema.json, for rendering many times.

    Helm validates values against the schema on every render, which is about half of a
    render's cost; the engine checks each scenario's values once with a compiled
    validator (ValuesGate) instead.
    """
    if not (path / "values.schema.json").is_file():
        return load_chart(path)
    with tempfile.TemporaryDirectory(prefix="chartgen-render-") as workdir:
        copy = Path(workdir) / path.name
        # Only the chart's own schema (checked by ValuesGate); Helm still validates the subcharts'.
        shutil.copytree(
            path, copy, ignore=lambda folder, names: ["values.schema.json"] if Path(folder) == path else []
        )
        return load_chart(copy)  # Helm reads every file at load time; the copy can go


class ValuesGate:
    """values.schema.json compiled once: the check Helm makes before rendering, reported the way
    Helm reports it (the values path and what is wrong)."""

    def __init__(self, chart: helm_python.Chart) -> None:
        schema = chart.schema
        self._chart = chart
        self._validator = jsonschema_rs.validator_for(schema) if schema else None

    def check(self, values: dict[str, Any]) -> RenderFailure | None:
        """None when the values (merged over the chart's defaults) satisfy the schema."""
        if self._validator is None:
            return None
        merged = merge_values(self._chart, values)
        problems = sorted(
            f"at '/{'/'.join(str(part) for part in error.instance_path)}': {error.message}"
            for error in self._validator.iter_errors(merged)
        )
        if not problems:
            return None
        return RenderFailure(
            "values don't meet the chart's values.schema.json:\n- " + "\n- ".join(problems), values=True
        )


def merge_values(chart: helm_python.Chart, values: dict[str, Any]) -> dict[str, Any]:
    """The chart's defaults coalesced with ``values``, as Helm does before rendering."""
    merged: dict[str, Any] = chart.merge_values(values)
    return merged


@contextmanager
def go_logs_muted() -> Iterator[None]:
    """Mute what the Helm engine's Go code writes to file descriptor 2 (coalesce warnings such
    as "cannot overwrite table with non table", lint's INFO lines for every ``fail``): the
    checks report those problems themselves. Python's sys.stderr keeps the real stream."""
    sys.stderr.flush()
    saved = os.dup(2)
    original = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        sys.stderr.close()
        sys.stderr = original
        os.close(saved)
        os.close(devnull)


def render(
    chart: helm_python.Chart,
    values: dict[str, Any] | None = None,
    *,
    release: str = DEFAULT_RELEASE,
    namespace: str = DEFAULT_NAMESPACE,
    kube_version: str | None = None,
    api_versions: list[str] | None = None,
    is_upgrade: bool = False,
) -> dict[str, str]:
    """Render like ``helm template``; returns ``{template path: text}``.

    Raises RenderFailure carrying the template file and line when Helm names them.
    """
    options: dict[str, Any] = {"name": release, "namespace": namespace}
    if is_upgrade:
        options.update(is_install=False, is_upgrade=True)
    else:
        options["is_install"] = True
    if kube_version:
        options["kube_version"] = kube_version if kube_version.startswith("v") else f"v{kube_version}"
    if api_versions:
        options["api_versions"] = api_versions
    try:
        text = _native.call_string("helm_render", chart._raw(), json.dumps(values or {}), json.dumps(options))
    except helm_python.HelmValuesError as exc:
        raise RenderFailure(str(exc).strip(), values=True) from None
    except helm_python.HelmRenderError as exc:
        raise failure_from_message(str(exc)) from None
    rendered: dict[str, str] = json.loads(text)
    return rendered


def lint(
    chart_dir: Path, values: dict[str, Any] | None = None, *, kube_version: str | None = None
) -> list[LintMessage]:
    """``helm lint --strict`` on a chart directory."""
    options: dict[str, Any] = {"strict": True}
    if kube_version:
        options["kube_version"] = kube_version if kube_version.startswith("v") else f"v{kube_version}"
    try:
        with go_logs_muted():
            report = helm_python.lint(chart_dir, values or {}, **options)
    except helm_python.HelmError as exc:
        raise UserError(f"helm lint could not run: {exc}", str(chart_dir)) from None
    messages = [
        LintMessage(LINT_LEVELS.get(m["severity"], "unknown"), m.get("path", ""), m.get("error", ""))
        for m in report.get("messages", [])
    ]
    # In strict mode Helm repeats each failing message in "errors" without its path.
    seen = {m.message for m in messages}
    messages += [LintMessage("error", "", error) for error in report.get("errors", []) if error not in seen]
    return messages


def failure_from_message(message: str) -> RenderFailure:
    """A RenderFailure carrying the template and line Helm names in its message, if any."""
    message = message.strip()
    match = _TEMPLATE_LOCATION.search(message)
    if not match:
        return RenderFailure(message)
    return RenderFailure(message, match["template"], int(match["line"]))
