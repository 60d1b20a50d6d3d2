"""Scenarios: a values overlay plus what must be true of its render.

A scenario file (``values/scenarios/<name>.yaml``)::

    description: Backups to a PVC.
    extends: [defaults]            # other scenarios' values, merged in order
    valuesFiles: [../examples/values-minimal.yaml]   # relative to this file
    values: {backup: {enabled: true}}
    expect:
      fails: "needs the bundled Postgres"   # the render must fail with a matching message
      present: [{kind: CronJob, name: certctl-backup}]
      absent: [{kind: PrometheusRule}]
      count: {Deployment: 1}

Expectations are not inherited through ``extends``: each scenario says what it proves.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema_rs

from chartgen.errors import UserError
from chartgen.merge import deep_merge
from chartgen.project import describe_schema_error, schema_errors
from chartgen.scenario import Expectation, ObjectMatch, Scenario
from chartgen.yamlfiles import load_values

_MATCH = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "minLength": 1},
        "name": {"type": "string", "minLength": 1},
        "count": {"type": "integer", "minimum": 1},
    },
}
SCENARIO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["description"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "extends": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "valuesFiles": {"type": "array", "items": {"type": "string"}},
        "values": {"type": "object"},
        "release": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 53},
        "namespace": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "upgrade": {"type": "boolean"},
        "expect": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "fails": {"type": "string", "minLength": 1},
                "present": {"type": "array", "items": _MATCH},
                "absent": {"type": "array", "items": _MATCH},
                "count": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            },
        },
    },
}

_SCENARIO_VALIDATOR = jsonschema_rs.Draft7Validator(SCENARIO_SCHEMA)


def load_scenarios(directory: Path, *, release: str, namespace: str) -> list[Scenario]:
    """Every ``*.yaml`` in ``directory`` as a scenario, ``extends`` resolved, sorted by name."""
    if not directory.is_dir():
        raise UserError("scenario directory not found", str(directory))
    raw = {path.stem: (path, load_values(path)) for path in sorted(directory.glob("*.yaml"))}
    for _name, (path, data) in raw.items():
        _validate(data, path)
    resolved: dict[str, dict[str, Any]] = {}
    return [
        _scenario(name, path, data, _values(name, raw, resolved, ()), release, namespace)
        for name, (path, data) in raw.items()
    ]


def _validate(data: dict[str, Any], path: Path) -> None:
    """Reject a scenario file with a wrong key, type or regular expression, naming the key."""
    errors = schema_errors(_SCENARIO_VALIDATOR, SCENARIO_SCHEMA, data)
    if errors:
        raise UserError(describe_schema_error(errors[0]), str(path))
    expect = data.get("expect") or {}
    patterns = [("expect.fails", expect.get("fails"))]
    for group in ("present", "absent"):
        patterns += [
            (f"expect.{group}.{index}.name", match.get("name"))
            for index, match in enumerate(expect.get(group, []))
        ]
    for key, pattern in patterns:
        if pattern is None:
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UserError(
                f"'{key}': {pattern!r} is not a valid regular expression: {exc}", str(path)
            ) from None


def _values(
    name: str,
    raw: dict[str, tuple[Path, dict[str, Any]]],
    resolved: dict[str, dict[str, Any]],
    chain: tuple[str, ...],
) -> dict[str, Any]:
    """The merged values of scenario ``name``: extends, then values files, then its own values."""
    if name in resolved:
        return resolved[name]
    if name in chain:
        raise UserError(
            f"scenarios extend each other in a cycle: {' -> '.join((*chain, name))}", str(raw[chain[0]][0])
        )
    path, data = raw[name]
    parents = data.get("extends", [])
    values: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        if parent not in raw:
            raise UserError(
                f"extends unknown scenario '{parent}' (known: {', '.join(sorted(raw))})", str(path)
            )
        values = deep_merge(values, _values(parent, raw, resolved, (*chain, name)))
    for relative in data.get("valuesFiles", []):
        values_file = (path.parent / relative).resolve()
        if not values_file.exists():
            raise UserError(f"valuesFiles entry '{relative}' not found (looked for {values_file})", str(path))
        values = deep_merge(values, load_values(values_file))
    values = deep_merge(values, copy.deepcopy(data.get("values") or {}))
    resolved[name] = values
    return values


def _scenario(
    name: str, path: Path, data: dict[str, Any], values: dict[str, Any], release: str, namespace: str
) -> Scenario:
    expect = data.get("expect") or {}
    return Scenario(
        name=name,
        description=data["description"],
        values=values,
        expect=Expectation(
            fails=expect.get("fails"),
            present=tuple(ObjectMatch(**match) for match in expect.get("present", [])),
            absent=tuple(ObjectMatch(**match) for match in expect.get("absent", [])),
            count=tuple(sorted(expect.get("count", {}).items())),
        ),
        release=data.get("release", release),
        namespace=data.get("namespace", namespace),
        upgrade=bool(data.get("upgrade", False)),
        source=str(path),
    )


def values_dir_scenarios(directory: Path, *, release: str, namespace: str) -> list[Scenario]:
    """Each values file in a directory as a scenario (like chart-testing's ``ci/*-values.yaml``)."""
    if not directory.is_dir():
        raise UserError("values directory not found", str(directory))
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        raise UserError("no *.yaml values files in the values directory", str(directory))
    return [
        Scenario(
            name=path.stem,
            description=f"values file {path.name}",
            values=load_values(path),
            release=release,
            namespace=namespace,
            source=str(path),
            implicit=True,
        )
        for path in files
    ]
