"""Property tests over the values schema.

1. Values documents generated from values.schema.json either render and pass every check, or
   fail through one of the chart's declared gates with its message: never a crash, never an
   invalid manifest.
2. Values that break the schema (wrong type, unknown key, out of range, not in an enum) are
   always rejected by the values schema, before any template runs.

A modest number of examples runs with the suite; for a long run:
    CHARTGEN_PROPERTY_EXAMPLES=5000 python -m pytest tests/test_properties.py
Hypothesis prints the smallest failing values document (the overlay) when a property fails.

The escape hatches that take raw Kubernetes objects or free-form maps (extra env and volumes,
affinity, resources, security contexts, label and annotation maps) keep their defaults here:
their content is the operator's, checked by Kubernetes' own schema, not the chart's logic.
"""

from __future__ import annotations

import atexit
import copy
import functools
import json
import os
import re
from fnmatch import fnmatch
from typing import Any

import pytest
from helpers import CHART_DIR, ROOT, chart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from chartgen import helm
from chartgen.crds import load_schema_files
from chartgen.engine import LintTarget, run_matrix
from chartgen.findings import Level
from chartgen.kubeschema import SchemaValidator
from chartgen.matrix.target import configure_checks
from chartgen.scenario import Scenario
from chartgen.store import RenderStore

EXAMPLES = int(os.environ.get("CHARTGEN_PROPERTY_EXAMPLES", "25"))
SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
PINNED = [
    "*.extraEnv",
    "*.extraEnvFrom",
    "*.extraVolumes",
    "*.extraVolumeMounts",
    "*.affinity",
    "*.topologySpreadConstraints",
    "*.resources",
    "*.podSecurityContext",
    "*.containerSecurityContext",
    "commonLabels",
    "commonAnnotations",
    "*.podLabels",
    "*.podAnnotations",
    "*.annotations",
    "*.labels",
    "*.alertLabels",
    "*.nodeSelector",
    "networkPolicy.serverEgress",
    "networkPolicy.agentEgress",
]
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def generation_schema() -> dict[str, Any]:
    """The values schema with the pinned subtrees fixed to the chart's defaults."""
    schema = copy.deepcopy(SCHEMA)
    defaults = chart().values

    def pin(node: dict[str, Any], values: Any, path: str) -> None:
        for key, child in (node.get("properties") or {}).items():
            child_path = f"{path}.{key}" if path else key
            default = values.get(key) if isinstance(values, dict) else None
            if any(fnmatch(child_path, pattern) for pattern in PINNED):
                node["properties"][key] = {"const": default} if default is not None else {"not": {}}
            else:
                pin(child, default, child_path)

    pin(schema, defaults, "")
    return schema


def declared_gates() -> list[re.Pattern[str]]:
    """The messages of every `fail` and `required` in the chart's templates, as patterns."""
    patterns = []
    for template in (CHART_DIR / "templates").rglob("*"):
        if not template.is_file():
            continue
        text = template.read_text()
        for message in re.findall(r'(?:fail|required) (?:\(printf )?"((?:[^"\\]|\\.)+)"', text):
            pattern = re.escape(message.replace('\\"', '"'))
            pattern = re.sub(r"%[sdv]", ".*", pattern)
            patterns.append(re.compile(pattern))
    return patterns


GATES = declared_gates()


@functools.cache
def values_gate() -> RenderStore:
    """The engine's values check (values.schema.json compiled once); the store's copy of the
    chart lives until the test process ends."""
    store = RenderStore(CHART_DIR)
    atexit.register(store.close)
    return store


VALIDATOR = SchemaValidator()
load_schema_files(VALIDATOR, [ROOT / "schemas" / "crds"])


def lint(values: dict[str, Any]):
    scenario = Scenario(name="generated", description="property test", values=values, implicit=True)
    target = LintTarget(
        chart_dir=CHART_DIR,
        scenarios=[scenario],
        kube_versions=["1.29", "1.37"],
        checks=configure_checks({}),
        root=ROOT,
        catalog_dir=ROOT / "schemas" / "catalog",
        schemas=VALIDATOR,
    )
    return run_matrix(target, workers=1)


@PROPERTY
@given(from_schema(generation_schema()))
def test_schema_valid_values_render_cleanly_or_fail_through_a_declared_gate(values: dict[str, Any]) -> None:
    report = lint(values)
    errors = [r for r in report.results if r.level == Level.ERROR.value]
    for result in errors:
        if result.check == "render-failed":
            message = result.message.removeprefix("render failed: ")
            assert any(gate.search(message) for gate in GATES), f"not a declared gate: {message}"
        elif result.check != "nothing-checked":
            pytest.fail(f"{result.check} on {result.kind}/{result.name} at {result.path}: {result.message}")
    assert not any(r.check == "values-schema-violation" for r in report.results), "valid values were rejected"


# --- invalid values ----------------------------------------------------------------------


def leaves(node: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    found = []
    for key, child in (node.get("properties") or {}).items():
        if child.get("type") == "object" and "properties" in child:
            found.append(((*path, key), child))
            found += leaves(child, (*path, key))
        else:
            found.append(((*path, key), child))
    return found


LEAVES = leaves(SCHEMA)


@st.composite
def invalid_values(draw: Any) -> tuple[str, dict[str, Any]]:
    """A values document with exactly one schema violation, and what kind it is."""
    path, node = draw(st.sampled_from(LEAVES))
    kinds = ["wrong type"]
    if node.get("type") == "object" and node.get("additionalProperties") is False:
        kinds.append("unknown key")
    if "minimum" in node and node.get("type") in ("integer", "number"):
        kinds.append("below minimum")
    if "enum" in node:
        kinds.append("not in enum")
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown key":
        value: Any = {draw(st.from_regex(r"\A[a-z]{3,8}Typo\Z")): 1}
    elif kind == "below minimum":
        value = node["minimum"] - draw(st.integers(min_value=1, max_value=1000))
    elif kind == "not in enum":
        value = draw(st.text(min_size=1, max_size=12).filter(lambda v: v not in node["enum"]))
    else:
        value = draw(_wrong_type(node.get("type")))
    values: dict[str, Any] = {}
    target = values
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if kind == "unknown key":
        target.setdefault(path[-1], {}).update(value)
    else:
        target[path[-1]] = value
    return kind, values


def _wrong_type(kind: Any) -> st.SearchStrategy[Any]:
    kinds = set(kind) if isinstance(kind, list) else {kind}
    options = {
        # 1.0 is an integer to JSON Schema, so a wrong "number" for an integer has a fraction.
        "string": st.text(max_size=5),
        "integer": st.integers(),
        "number": st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
        "boolean": st.booleans(),
        "array": st.lists(st.integers(), max_size=2),
        "object": st.just({"a": 1}),
    }
    if "number" in kinds:
        kinds.add("integer")
    return st.one_of([strategy for name, strategy in options.items() if name not in kinds])


@PROPERTY
@given(invalid_values())
def test_values_that_break_the_schema_are_rejected_before_any_template_runs(
    case: tuple[str, dict[str, Any]],
) -> None:
    kind, values = case
    failure = values_gate().values_failure(values)
    assert failure is not None and failure.values, (kind, values)
    with pytest.raises(helm.RenderFailure) as rejected:
        helm.render(chart(), values)  # Helm's own check, with the schema in the chart
    assert rejected.value.values, (kind, rejected.value.message)
