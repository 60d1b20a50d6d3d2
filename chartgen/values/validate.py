"""Check values files against a chart's ``values.schema.json``, the way Helm would, and say
where: ``file:line:column`` of the offending key, its values path, and what was expected.

A values file is read twice. The values come from the Go-compatible YAML reader the
linter uses for manifests (YAML 1.1 scalars, duplicate keys rejected), because that
is what Helm sees; the line and column of each key come from ruamel.yaml's round-trip
tree, which keeps them. Like Helm, the file is merged over the chart's own
``values.yaml`` before validation: a key the schema requires and the chart defaults
need not be repeated in every values file. Heavy imports stay inside the functions: the
pre-commit hook's start-up is most of its run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartgen.errors import UserError

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_FILE = "values.schema.json"
ValuesPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a values file would be refused; ``line``/``column`` are 1-based."""

    line: int
    column: int
    path: str
    message: str

    def describe(self, file: Path) -> str:
        return f"{file}:{self.line}:{self.column}: {self.path or '(top level)'}: {self.message}"


def load_validator(chart_dir: Path) -> Validator:
    """The chart's schema, checked and compiled once for all files."""
    import json

    from jsonschema import SchemaError, validators

    from chartgen.yamlfiles import read_text

    if not chart_dir.is_dir():
        raise UserError("chart not found", str(chart_dir))
    path = chart_dir / SCHEMA_FILE
    if not path.is_file():
        raise UserError(
            f"the chart has no {SCHEMA_FILE}: there is nothing to validate against", str(chart_dir)
        )
    try:
        schema = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise UserError(f"invalid JSON: {exc.msg}", f"{path}:{exc.lineno}:{exc.colno}") from None
    # Like Helm, honour the draft the schema declares; draft-07 when it declares none.
    cls = validators.validator_for(schema, default=validators.Draft7Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise UserError(f"not a valid JSON schema: {exc.message}", str(path)) from None
    return cls(schema)


def check_file(file: Path, validator: Validator, defaults: dict[str, Any]) -> list[Problem]:
    """Every reason ``file`` merged over the chart ``defaults`` fails the schema, in file order."""
    from chartgen.yamlfiles import read_text

    text = read_text(file)
    values = _parse_values(text, file)
    tree = _key_positions(text)
    merged = _coalesce(defaults, values)
    problems = [problem for error in validator.iter_errors(merged) for problem in _problems(error, tree)]
    return sorted(set(problems))


def chart_defaults(chart_dir: Path) -> dict[str, Any]:
    from chartgen.yamlfiles import read_text

    path = chart_dir / "values.yaml"
    return _parse_values(read_text(path), path) if path.is_file() else {}


def _parse_values(text: str, file: Path) -> dict[str, Any]:
    """The values as Helm reads them; syntax errors are UserErrors naming file:line:column."""
    from chartgen.manifests import ManifestParseError, parse_document

    try:
        values = parse_document(text)
    except ManifestParseError as exc:
        raise UserError(f"invalid YAML: {exc.message}", f"{file}:{exc.line}:{exc.column}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise UserError(f"a values file must hold a mapping, found {_json_type(values)}", f"{file}:1:1")
    return values


def _key_positions(text: str) -> Any:
    """The ruamel round-trip tree of the file: mappings and sequences that know where each entry is."""
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(text)


def _coalesce(defaults: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Merge ``values`` over ``defaults`` as Helm does: maps merge, anything else replaces,
    and null removes a key the chart defaults (that is how users unset a default)."""
    merged = dict(defaults)
    for key, value in values.items():
        if value is None and key in defaults:
            del merged[key]
        elif isinstance(value, dict) and isinstance(defaults.get(key), dict):
            merged[key] = _coalesce(defaults[key], value)
        else:
            merged[key] = value
    return merged


def _problems(error: ValidationError, tree: Any) -> list[Problem]:
    """One problem per offending key: an ``additionalProperties`` error lists several keys,
    and each is reported on its own line."""
    path: ValuesPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return [
            Problem(
                *_position(tree, (*path, key)), _format_path((*path, key)), _unknown_key(key, error.schema)
            )
            for key in _unexpected_keys(error.instance, error.schema)
        ]
    return [Problem(*_position(tree, path), _format_path(path), _expected(error))]


def _unexpected_keys(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    import re

    patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
    known = schema.get("properties", {})
    return [key for key in instance if key not in known and not any(p.search(str(key)) for p in patterns)]


def _unknown_key(key: str, schema: dict[str, Any]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(str(key), [str(name) for name in schema.get("properties", {})], n=1)
    return "unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")


def _expected(error: ValidationError) -> str:
    """What the schema wanted, in words, and what it got."""
    want, got = error.validator_value, _show(error.instance)
    match error.validator:
        case "type":
            types = [want] if isinstance(want, str) else list(want)
            return f"expected {' or '.join(types)}, got {_json_type(error.instance)} {got}"
        case "enum":
            return f"expected one of {', '.join(_show(option) for option in want)}; got {got}"
        case "const":
            return f"expected {_show(want)}; got {got}"
        case "required":
            missing = [key for key in want if key not in error.instance]
            return f"missing required key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
        case "pattern":
            return f"expected a string matching {want!r}; got {got}"
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
            return f"expected a number {relation[error.validator]} {want}; got {got}"
        case "minLength" | "minItems" | "minProperties":
            return f"expected at least {want} {_units(error.validator)}; got {got}"
        case "maxLength" | "maxItems" | "maxProperties":
            return f"expected at most {want} {_units(error.validator)}; got {got}"
    return error.message


def _units(validator: str) -> str:
    return {"Length": "characters", "Items": "items", "Properties": "keys"}[validator[3:]]


def _position(tree: Any, path: ValuesPath) -> tuple[int, int]:
    """Line and column of the deepest entry of ``path`` that the file itself writes.

    An error about a value that only the chart's defaults supply lands on the nearest
    ancestor key the file does write (the top of the file if none).
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line, column = 0, 0
    node = tree
    for part in path:
        if isinstance(node, CommentedMap):
            key = next((k for k in node if k == part or str(k) == str(part)), None)
            if key is None:
                break
            line, column = node.lc.key(key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, column = node.lc.item(part)
            node = node[part]
        else:
            break
    return line + 1, column + 1


def _format_path(path: ValuesPath) -> str:
    """``("server", "env", 0, "name")`` -> ``server.env[0].name``; keys with dots are quoted."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif "." in str(part) or not str(part):
            text += f'["{part}"]'
        else:
            text += f".{part}" if text else str(part)
    return text


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    for kind, name in (
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _show(value: Any) -> str:
    """A short rendering of a value for a message."""
    import json

    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
