"""Generated scenarios: the pairwise, exhaustive and random tiers.

Factors come from the chart's values.schema.json (every boolean and every enum) plus
interesting values the project declares; each generated scenario is the base
scenario's values with one level per factor. Project rules keep the combinations
meaningful, so generated scenarios test the chart rather than its gates:

    lint:
      generated:
        base: defaults                     # the scenario every row starts from
        exclude: ["*.pullPolicy"]          # paths not to vary (fnmatch)
        factors: {server.replicas: [1, 2]} # more levels, or more factors
        constraints:                       # combinations that must not be generated
          - forbid: {postgresql.enabled: false, backup.enabled: true}
          - requires: {if: {agent.enabled: false}, then: {kubernetesSecrets.enabled: false}}
        adjust:                            # settings a level needs to be valid
          - when: {postgresql.enabled: false}
            set: {externalDatabase.host: db.example.com, externalDatabase.existingSecret: db}
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any, overload

import jsonschema_rs

from chartgen.errors import UserError
from chartgen.matrix.combinations import (
    Constraint,
    Coverage,
    Factor,
    exhaustive,
    forbid,
    pair_coverage,
    pairwise,
    requires,
)
from chartgen.project import describe_schema_error, schema_errors
from chartgen.scenario import Scenario

EXHAUSTIVE_LIMIT = 4096  # beyond this, the exhaustive tier refuses and points at pairwise

GENERATED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "base": {"type": "string"},
        "exclude": {"type": "array", "items": {"type": "string"}},
        "factors": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1}},
        "constraints": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["forbid"],
                        "properties": {"forbid": {"type": "object", "minProperties": 1}},
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["requires"],
                        "properties": {
                            "requires": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["if", "then"],
                                "properties": {
                                    "if": {"type": "object"},
                                    "then": {"type": "object", "minProperties": 1},
                                },
                            }
                        },
                    },
                ]
            },
        },
        "adjust": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["when", "set"],
                "properties": {"when": {"type": "object"}, "set": {"type": "object", "minProperties": 1}},
            },
        },
    },
}


@dataclass
class FactorSpace:
    """The factors of a chart and the project's rules over them."""

    base: Scenario
    factors: list[Factor]
    constraints: list[Constraint] = field(default_factory=list)
    adjust: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def scenario(self, name: str, row: Mapping[str, Any]) -> Scenario:
        """The base values with ``row`` applied, plus what the row's levels need."""
        values = copy.deepcopy(self.base.values)
        for path, value in row.items():
            set_path(values, path, value)
        for when, settings in self.adjust:
            if all(row.get(path, get_path(values, path)) == value for path, value in when.items()):
                for path, value in settings.items():
                    set_path(values, path, value)
        return Scenario(
            name=name,
            description=f"generated from {self.base.name}: {describe_row(row, self.base_row)}",
            values=values,
            release=self.base.release,
            namespace=self.base.namespace,
            source="generated",
            implicit=True,
        )

    @property
    def base_row(self) -> dict[str, Any]:
        return {factor.name: get_path(self.base.values, factor.name) for factor in self.factors}


def factor_space(
    schema: dict[str, Any] | None, base: Scenario, config: dict[str, Any], config_file: str = "chartgen.yaml"
) -> FactorSpace:
    if schema is None:
        raise UserError("generated tiers need the chart's values.schema.json (the factors come from it)")
    errors = schema_errors(jsonschema_rs.Draft7Validator(GENERATED_SCHEMA), GENERATED_SCHEMA, config)
    if errors:
        message = describe_schema_error(errors[0])
        raise UserError(
            message.replace("'", "'lint.generated.", 1) if "'" in message else message, config_file
        )
    exclude = config.get("exclude", [])
    levels: dict[str, tuple[Any, ...]] = {
        path: choices
        for path, choices in _schema_factors(schema)
        if not any(fnmatch(path, p) for p in exclude)
    }
    for path, extra in config.get("factors", {}).items():
        levels[path] = tuple(dict.fromkeys([*levels.get(path, ()), *extra]))
    factors = [Factor(path, choices) for path, choices in sorted(levels.items()) if len(choices) > 1]
    if not factors:
        # Fail closed: a generated tier without factors would report full coverage of nothing.
        raise UserError(
            "generated tiers found no factors in the values schema (no boolean or enum values, after "
            "lint.generated.exclude); add factors under lint.generated.factors or use --tier named"
        )
    names = {factor.name for factor in factors}
    constraints: list[Constraint] = []
    for rule in config.get("constraints", []):
        mentioned = (
            rule["forbid"] if "forbid" in rule else {**rule["requires"]["if"], **rule["requires"]["then"]}
        )
        unknown = sorted(set(mentioned) - names)
        if unknown:
            raise UserError(f"lint.generated.constraints names {unknown}, which are not factors", config_file)
        constraints.append(
            forbid(**rule["forbid"])
            if "forbid" in rule
            else requires(rule["requires"]["if"], rule["requires"]["then"])
        )
    adjust = [(dict(rule["when"]), dict(rule["set"])) for rule in config.get("adjust", [])]
    return FactorSpace(base, factors, constraints, adjust)


def pairwise_tier(space: FactorSpace) -> tuple[GeneratedScenarios, str]:
    rows = pairwise(space.factors, space.constraints)
    coverage = pair_coverage(rows, space.factors, space.constraints)
    return _named(space, "pairwise", rows), coverage_note(len(rows), coverage, space)


def exhaustive_tier(space: FactorSpace) -> tuple[GeneratedScenarios, str]:
    total = combination_count(space)
    if total > EXHAUSTIVE_LIMIT:
        raise UserError(
            f"the exhaustive tier would render {total:,} combinations of {len(space.factors)} factors "
            f"(limit {EXHAUSTIVE_LIMIT:,}); use --tier pairwise, or exclude factors under lint.generated"
        )
    rows = exhaustive(space.factors, space.constraints)
    return _named(
        space, "exhaustive", rows
    ), f"exhaustive: {len(rows)} valid combinations of {len(space.factors)} factors"


def random_tier(space: FactorSpace, seed: int, count: int) -> tuple[GeneratedScenarios, str]:
    scenarios = GeneratedScenarios(space, f"random-{seed}", _random_rows(space, seed, count))
    if not scenarios:
        raise UserError("the random tier found no combination that satisfies lint.generated.constraints")
    return scenarios, f"random: {len(scenarios)} combinations from seed {seed}"


def _random_rows(space: FactorSpace, seed: int, count: int) -> Iterator[dict[str, Any]]:
    """Up to ``count`` rows that satisfy the constraints, drawn from ``seed`` one at a time."""
    rng = random.Random(seed)
    found = attempts = 0
    while found < count and attempts < count * 50:
        attempts += 1
        row = {factor.name: rng.choice(factor.levels) for factor in space.factors}
        if all(rule(row) for rule in space.constraints):
            found += 1
            yield row


def combination_count(space: FactorSpace) -> int:
    total = 1
    for factor in space.factors:
        total *= len(factor.levels)
    return total


def coverage_note(rows: int, coverage: Coverage, space: FactorSpace) -> str:
    return (
        f"pairwise: {rows} scenarios cover {coverage.percent:.1f}% of {coverage.feasible:,} feasible value pairs "
        f"of {len(space.factors)} factors ({coverage.infeasible} pairs excluded by constraints); "
        f"the exhaustive tier would need up to {combination_count(space):,} renders per Kubernetes version"
    )


def describe_row(row: Mapping[str, Any], base: Mapping[str, Any]) -> str:
    """Only what differs from the base, so a scenario reads as its overlay."""
    changed = {path: value for path, value in row.items() if base.get(path) != value}
    return ", ".join(f"{path}={value!r}" for path, value in changed.items()) or "the base values"


class GeneratedScenarios(Sequence[Scenario]):
    """The scenarios of a generated tier, made on demand from compact rows.

    A row is kept as one level index per factor, so a 4,000-scenario tier holds a few hundred
    kilobytes instead of 4,000 copies of the values; the engine builds each scenario when it
    renders it and drops it after.
    """

    def __init__(self, space: FactorSpace, prefix: str, rows: Iterable[dict[str, Any]]) -> None:
        self.space = space
        self._rows = [self._compact(row) for row in rows]  # compacted as they come
        width = len(str(len(self._rows)))
        self._names = [f"{prefix}-{number:0{width}d}" for number in range(1, len(self._rows) + 1)]
        self._numbers = {name: index for index, name in enumerate(self._names)}

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Scenario: ...

    @overload
    def __getitem__(self, index: slice) -> list[Scenario]: ...

    def __getitem__(self, index: int | slice) -> Scenario | list[Scenario]:
        if isinstance(index, slice):
            return [self[number] for number in range(*index.indices(len(self)))]
        return self.space.scenario(self._names[index], self._expand(self._rows[index]))

    def knows(self, name: str) -> bool:
        return name in self._numbers

    def row(self, name: str) -> dict[str, Any] | None:
        """The factor levels scenario ``name`` renders with (after adjustments), to shrink it."""
        number = self._numbers.get(name)
        if number is None:
            return None
        values = self[number].values
        return {factor.name: get_path(values, factor.name) for factor in self.space.factors}

    def _compact(self, row: dict[str, Any]) -> tuple[int, ...]:
        return tuple(_level_index(factor.levels, row[factor.name]) for factor in self.space.factors)

    def _expand(self, levels: tuple[int, ...]) -> dict[str, Any]:
        return {factor.name: factor.levels[i] for factor, i in zip(self.space.factors, levels, strict=True)}


def _level_index(levels: tuple[Any, ...], value: Any) -> int:
    """The index of ``value`` among ``levels`` by type and value (``1`` is not ``True``)."""
    return next(i for i, level in enumerate(levels) if type(level) is type(value) and level == value)


def _named(space: FactorSpace, prefix: str, rows: list[dict[str, Any]]) -> GeneratedScenarios:
    return GeneratedScenarios(space, prefix, rows)


def _schema_factors(
    schema: dict[str, Any],
    path: str = "",
    root: dict[str, Any] | None = None,
    seen: frozenset[str] = frozenset(),
) -> list[tuple[str, tuple[Any, ...]]]:
    """The booleans and enums of a values schema, by dotted path, following local ``$ref``s
    (``#/definitions/image``) the way the schema validator does; a recursive ref is followed once."""
    root = schema if root is None else root
    found: list[tuple[str, tuple[Any, ...]]] = []
    for key, prop in (schema.get("properties") or {}).items():
        child = f"{path}.{key}" if path else key
        prop, refs = _resolved(prop, root, seen)
        if "const" in prop:
            continue
        if "enum" in prop:
            found.append((child, tuple(prop["enum"])))
        elif prop.get("type") == "boolean":
            found.append((child, (False, True)))
        elif prop.get("type") == "object" or "properties" in prop:
            found += _schema_factors(prop, child, root, refs)
    return found


def _resolved(node: Any, root: dict[str, Any], seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
    """``node`` with its local ``$ref`` chain replaced by the target (siblings kept over it), and
    the refs followed so far; a ref already followed on this path resolves to nothing."""
    node = node if isinstance(node, dict) else {}
    while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        ref = node["$ref"]
        if ref in seen:
            return {}, seen
        seen = seen | {ref}
        target: Any = root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node = {**(target if isinstance(target, dict) else {}), **siblings}
    return node, seen


def get_path(values: Mapping[str, Any], path: str) -> Any:
    node: Any = values
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def set_path(values: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = values
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = copy.deepcopy(value)
