"""
## What it does
Finds values that change nothing: for every key of the chart's default values it renders a
scenario again with that one value changed (to another value its schema allows) and compares
the output. A key that changes no rendered output in any scenario of the run (tried richest
first, up to option `max_scenarios`; 0 means all) is unused. This is render evidence, not a reading of the
templates: a key read only in a dead branch, or overwritten before use, counts as unused. Keys
that cannot be changed validly (no alternative the schema allows) are not judged. It costs about
one render per key, so it runs with `chartgen lint matrix --deep`.

## Why is this bad?
An unused value is a promise the chart does not keep: an operator sets it and nothing happens.
The upstream chart had 23 such keys (podDisruptionBudget.*, monitoring.serviceMonitor.*,
server.logging.format...), and an example file relied on several of them.

## Example
```yaml
server:
  logging:
    format: text   # the template hard-codes CERTCTL_LOG_FORMAT=json
```

## Use instead
Wire the value into the templates, or remove it from values.yaml and the schema.

## Options
- `max_scenarios` (integer, default 0): how many renders to try each value in, those with the most objects first; 0 means all.

## References
- https://helm.sh/docs/chart_best_practices/values/
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chartgen import helm
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderRecord
from chartgen.checks.values.yaml_keys import line_of
from chartgen.findings import Finding, Level
from chartgen.scenario import Scenario
from chartgen.store import render_digest

_MISSING = object()


@dataclass(frozen=True)
class UnusedValueOptions:
    max_scenarios: int = 0  # renders tried per value, richest first; 0: all


@check(
    id="unused-value",
    code="VAL002",
    scope=Scope.MATRIX,
    level=Level.WARNING,
    description="Changing a value changes no rendered output in any scenario tried.",
    remediation="Use the value in a template, or remove it from values.yaml and the schema.",
    options=UnusedValueOptions,
    flag="deep",
)
def run(records: Sequence[RenderRecord], ctx: CheckContext) -> Iterator[Finding]:
    store = ctx.services.store
    chart = ctx.services.chart
    schema = chart.schema or {}
    baselines = _richest(records, ctx.options.max_scenarios or len(records), ctx)
    if not baselines:
        return
    paths = list(_leaves(chart.values))

    def used(path: tuple[str, ...]) -> bool | None:
        tried = False
        for record, scenario in baselines:
            values = copy.deepcopy(ctx.services.merged_values(scenario))
            current = _get(values, path)
            alternative = _alternative(current, _schema_at(schema, path))
            if alternative is _MISSING:
                continue
            _set(values, path, alternative)
            try:
                rendered = store.variant(scenario, record.kube_version, values)
            except helm.RenderFailure as failure:
                if failure.values:
                    continue  # the change broke the schema: no evidence either way
                return True  # a template gate read it
            tried = True
            if render_digest(rendered) != record.digest:
                return True
        return False if tried else None

    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(used, paths))
    values_file = ctx.services.chart_dir / "values.yaml"
    text = values_file.read_text(encoding="utf-8") if values_file.is_file() else ""
    for path, verdict in zip(paths, verdicts, strict=False):
        if verdict is False:
            dotted = ".".join(path)
            yield Finding(
                f"value {dotted} changes no rendered output in any of {len(baselines)} renders",
                template=f"{chart.name}/values.yaml",
                line=line_of(text, dotted),
            )


def _richest(
    records: Sequence[RenderRecord], limit: int, ctx: CheckContext
) -> list[tuple[RenderRecord, Scenario]]:
    """The rendered (scenario, version) pairs, those with the most objects first (a value may
    matter only at some Kubernetes versions, so every version counts), with their scenarios."""
    ranked = sorted(
        (r for r in records if r.ok and r.documents and not r.expects_failure),
        key=lambda r: (-r.documents, r.scenario, r.kube_version),
    )
    return [(record, ctx.services.scenario(record.scenario)) for record in ranked[:limit]]


def _leaves(values: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(values, dict) and values:
        for key, value in values.items():
            yield from _leaves(value, (*path, str(key)))
    elif path:
        yield path


def _get(values: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = values
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _set(values: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _schema_at(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = schema
    for key in path:
        node = (node.get("properties") or {}).get(key) or (
            node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else {}
        )
    return node or {}


def _alternative(current: Any, schema: dict[str, Any]) -> Any:
    """A different value the key's schema accepts, or _MISSING when none is found."""
    import jsonschema  # only --deep runs need it; it costs start-up to import

    for candidate in _candidates(current, schema):
        if candidate != current and not list(jsonschema.Draft7Validator(schema).iter_errors(candidate)):
            return candidate
    return _MISSING


def _candidates(current: Any, schema: dict[str, Any]) -> Iterator[Any]:
    yield from schema.get("enum", [])
    yield from schema.get("examples", [])
    if isinstance(current, bool):
        yield not current
    elif isinstance(current, int):
        yield from (current + 1, current - 1)
    elif isinstance(current, float):
        yield from (current / 2, current * 2, current + 1)
    elif isinstance(current, str):
        yield from (current + "x", f"x{current}", "1" + current, current[:-1] or "x", "certctl-probe")
        if current:
            yield from ("2" + current.lstrip("0123456789"), current.replace(current[0], "9", 1))
    elif isinstance(current, list):
        if current:
            yield current[:-1]
        item = _minimal(schema.get("items") or {})
        if item is not _MISSING:
            yield [*current, item]
    elif isinstance(current, dict):
        yield {**current, "chartgen-probe": "x"}


def _minimal(schema: dict[str, Any]) -> Any:
    """The smallest instance of an item schema: required keys with simple values."""
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {
            key: _minimal((schema.get("properties") or {}).get(key, {"type": "string"})) for key in required
        }
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return "x"
