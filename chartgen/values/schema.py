"""Compose ``schemas/values/*.schema.yaml`` into one values schema.

Each section file holds the JSON schema (draft-07, written as YAML) of one
top-level values key; sections listed as *inline* contribute their properties
directly to the top level. ``definitions.yaml`` beside them holds shared
shapes; ``$ref: "#/definitions/NAME"`` inlines one, and keys written next to
the ``$ref`` are merged over it (so each use can set its own defaults).

Rules enforced here, so that the emitted chart is fully typed and documented:
- every property has a description;
- every object with ``properties`` is closed (``additionalProperties: false``
  is added unless the file says otherwise) and every object without
  ``properties`` must say what its entries are (a declared free-form map);
- every leaf has a ``default`` unless it is marked ``x-optional: true``
  (optional keys are written commented out in values.yaml);
- the defaults validate against the composed schema.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from chartgen.errors import UserError
from chartgen.merge import deep_merge
from chartgen.yamlfiles import load_mapping

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# Every keyword of JSON Schema draft-07; anything else must be a chartgen extension (x-*).
KEYWORDS = frozenset(
    {
        "$id",
        "$schema",
        "$ref",
        "$comment",
        "title",
        "description",
        "default",
        "readOnly",
        "writeOnly",
        "examples",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "additionalItems",
        "items",
        "maxItems",
        "minItems",
        "uniqueItems",
        "contains",
        "maxProperties",
        "minProperties",
        "required",
        "additionalProperties",
        "definitions",
        "properties",
        "patternProperties",
        "dependencies",
        "propertyNames",
        "const",
        "enum",
        "type",
        "format",
        "contentMediaType",
        "contentEncoding",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    }
)
# Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_SCHEMA_VALUED = (
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "additionalProperties",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
DEFINITIONS_FILE = "definitions.yaml"
REF_PREFIX = "#/definitions/"


@dataclass(frozen=True)
class Section:
    """One top-level values section as written in its schema file."""

    name: str
    title: str
    description: str
    inline: bool
    schema: dict[str, Any]
    source: Path


@dataclass(frozen=True)
class ValuesSchema:
    """The composed schema, its sections in order, and the defaults it implies."""

    sections: list[Section]
    schema: dict[str, Any]
    defaults: dict[str, Any]

    def json_schema(self) -> dict[str, Any]:
        """The schema as shipped in values.schema.json: no chartgen extension keywords."""
        return strip_extensions(self.schema)


def load_values_schema(schemas_dir: Path, section_names: list[str], inline: set[str]) -> ValuesSchema:
    """Load, resolve, check and compose the section files in ``section_names`` order."""
    definitions = _load_definitions(schemas_dir)
    sections = [_load_section(schemas_dir, name, name in inline, definitions) for name in section_names]
    _reject_unlisted_files(schemas_dir, section_names)

    properties: dict[str, Any] = {}
    for section in sections:
        contributed = section.schema["properties"] if section.inline else {section.name: section.schema}
        for key, prop in contributed.items():
            if key in properties:
                raise UserError(f"top-level key '{key}' is defined twice", str(section.source))
            properties[key] = prop
    schema = {
        "$schema": DRAFT_07,
        "title": "Values",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    defaults = defaults_of(schema)
    _validate_defaults(schema, defaults, sections)
    return ValuesSchema(sections=sections, schema=schema, defaults=defaults)


def _load_definitions(schemas_dir: Path) -> dict[str, Any]:
    path = schemas_dir / DEFINITIONS_FILE
    if not path.exists():
        return {}
    return load_mapping(path)


def _load_section(schemas_dir: Path, name: str, inline: bool, definitions: dict[str, Any]) -> Section:
    path = schemas_dir / f"{name}.schema.yaml"
    raw = load_mapping(path)
    resolved = _resolve_refs(raw, definitions, str(path))
    if resolved.get("type") != "object" or "properties" not in resolved:
        raise UserError("a section schema must be an object with properties", str(path))
    for key in ("title", "description"):
        if not resolved.get(key):
            raise UserError(f"the section needs a '{key}'", str(path))
    prefix = "" if inline else name
    _check_keywords(resolved, prefix, str(path))
    try:
        jsonschema.Draft7Validator.check_schema(strip_extensions(resolved))
    except jsonschema.SchemaError as exc:
        where = ".".join([prefix, *(str(p) for p in exc.absolute_path if p != "properties")]).strip(".")
        raise UserError(f"'{where}' is not a valid schema: {exc.message}", str(path)) from None
    _check_node(resolved, prefix, str(path))
    return Section(
        name=name,
        title=resolved["title"],
        description=resolved["description"],
        inline=inline,
        schema=resolved,
        source=path,
    )


def _check_keywords(node: Any, path: str, source: str) -> None:
    """Refuse keys that are neither draft-07 keywords nor x-* extensions: a typo such as
    'minimun' would otherwise drop the constraint without a word."""
    if not isinstance(node, dict):
        return
    for key in node:
        if not (isinstance(key, str) and (key in KEYWORDS or key.startswith("x-"))):
            hint = (
                ", ".join(sorted(word for word in KEYWORDS if _close(str(key), word))) or "no keyword like it"
            )
            raise UserError(
                f"'{path or '(top level)'}' has the unknown schema keyword '{key}' (did you mean {hint}?)",
                source,
            )
    for name, child in (node.get("properties") or {}).items():
        _check_keywords(child, f"{path}.{name}" if path else name, source)
    for key in ("patternProperties", "definitions"):
        for child in (node.get(key) or {}).values():
            _check_keywords(child, path, source)
    for key in _SCHEMA_VALUED:
        _check_keywords(node.get(key), path, source)
    for key in _SCHEMA_LISTS:
        for child in node.get(key) or []:
            _check_keywords(child, path, source)
    items = node.get("items")
    for child in items if isinstance(items, list) else [items]:
        _check_keywords(child, f"{path}[]", source)


def _close(word: str, keyword: str) -> bool:
    """A cheap "did you mean": same first letter and nearly the same length and letters."""
    return (
        word[:1].lower() == keyword[:1].lower()
        and abs(len(word) - len(keyword)) <= 2
        and len(set(word.lower()) ^ set(keyword.lower())) <= 2
    )


def _reject_unlisted_files(schemas_dir: Path, section_names: list[str]) -> None:
    """A schema file that no section lists would be silently ignored: refuse it."""
    for path in sorted(schemas_dir.glob("*.schema.yaml")):
        if path.name.removesuffix(".schema.yaml") not in section_names:
            raise UserError("schema file is not listed in chartgen.yaml values.sections", str(path))


def _resolve_refs(node: Any, definitions: dict[str, Any], source: str) -> Any:
    """Inline ``$ref: '#/definitions/NAME'``, merging sibling keys over the definition."""
    if isinstance(node, list):
        return [_resolve_refs(item, definitions, source) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        name = ref.removeprefix(REF_PREFIX) if isinstance(ref, str) else None
        if not isinstance(ref, str) or not ref.startswith(REF_PREFIX) or name not in definitions:
            raise UserError(f"unknown $ref {ref!r} (known: {', '.join(sorted(definitions))})", source)
        base = _resolve_refs(copy.deepcopy(definitions[name]), definitions, source)
        overrides = {key: value for key, value in node.items() if key != "$ref"}
        return deep_merge(base, _resolve_refs(overrides, definitions, source))
    return {key: _resolve_refs(value, definitions, source) for key, value in node.items()}


def _check_node(node: dict[str, Any], path: str, source: str, *, in_values: bool = True) -> None:
    """Enforce the documentation and closure rules on one schema node and its children.

    ``in_values`` is false inside array items: their keys are documented and
    closed like any other, but have no defaults (the list's default covers them).
    """
    where = path or "(top level)"
    if node.get("type") == "object":
        if "properties" in node:
            node.setdefault("additionalProperties", False)
        elif "additionalProperties" not in node:
            raise UserError(
                f"'{where}' is an object without properties: declare additionalProperties "
                "(the type of its entries) to make it a free-form map",
                source,
            )
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        if not isinstance(child, dict):
            raise UserError(f"'{child_path}' must be a schema mapping", source)
        if not str(child.get("description", "")).strip():
            raise UserError(f"'{child_path}' has no description", source)
        is_branch = child.get("type") == "object" and "properties" in child
        if in_values and is_branch and "default" in child:
            raise UserError(f"'{child_path}' has properties; put defaults on its keys instead", source)
        if in_values and not is_branch and "default" not in child and not child.get("x-optional"):
            raise UserError(
                f"'{child_path}' has no default (mark it x-optional: true if it has none)", source
            )
        _check_node(child, child_path, source, in_values=in_values)
    items = node.get("items")
    if isinstance(items, dict):
        _check_node(items, f"{path}[]", source, in_values=False)


def defaults_of(node: dict[str, Any]) -> dict[str, Any]:
    """The defaults tree implied by an object schema (optional keys are left out)."""
    result: dict[str, Any] = {}
    for key, child in node.get("properties", {}).items():
        if child.get("type") == "object" and "properties" in child:
            result[key] = defaults_of(child)
        elif "default" in child:
            result[key] = copy.deepcopy(child["default"])
    return result


def first_error(schema: dict[str, Any], data: Any) -> tuple[str, str] | None:
    """The first schema violation in ``data`` as ``(values path, message)``, or None."""
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return None
    path = ".".join(str(part) for part in errors[0].absolute_path) or "(top level)"
    return path, errors[0].message


def _validate_defaults(schema: dict[str, Any], defaults: dict[str, Any], sections: list[Section]) -> None:
    error = first_error(schema, defaults)
    if error is None:
        return
    values_path, message = error
    top = values_path.split(".")[0]
    source = next((str(s.source) for s in sections if top in s.schema["properties"] or s.name == top), None)
    raise UserError(f"the default of '{values_path}' fails its own schema: {message}", source)


def strip_extensions(node: Any) -> Any:
    """Drop ``x-*`` keys (chartgen's own annotations) from a schema tree."""
    if isinstance(node, dict):
        return {
            key: strip_extensions(value)
            for key, value in node.items()
            if not (isinstance(key, str) and key.startswith("x-"))
        }
    if isinstance(node, list):
        return [strip_extensions(item) for item in node]
    return node


def walk(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(dotted path, schema)`` for every property below ``node``, depth first."""
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        yield child_path, child
        if child.get("type") == "object" and "properties" in child:
            yield from walk(child, child_path)
