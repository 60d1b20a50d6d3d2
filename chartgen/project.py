"""Find and load the project configuration (``chartgen.yaml``).

The configuration is validated strictly: an unknown key or a wrong type is a
UserError naming the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from chartgen.errors import UserError
from chartgen.yamlfiles import load_mapping

if TYPE_CHECKING:
    import jsonschema

CONFIG_NAME = "chartgen.yaml"

_STRING = {"type": "string", "minLength": 1}
_STRINGS = {"type": "array", "items": _STRING}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["chart", "output", "values"],
    "properties": {
        "chart": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "version", "appVersion", "description"],
            "properties": {
                "name": _STRING,
                "version": _STRING,
                "appVersion": _STRING,
                "description": _STRING,
                "kubeVersion": _STRING,
                "home": _STRING,
                "icon": _STRING,
                "sources": _STRINGS,
                "keywords": _STRINGS,
                "maintainers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {"name": _STRING, "email": _STRING, "url": _STRING},
                    },
                },
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "output": {
            "type": "object",
            "additionalProperties": False,
            "required": ["chart", "examples"],
            "properties": {"chart": _STRING, "examples": _STRING},
        },
        "values": {
            "type": "object",
            "additionalProperties": False,
            "required": ["sections"],
            "properties": {
                "schemas": _STRING,
                "sections": {"type": "array", "items": _STRING, "minItems": 1},
                "inline": _STRINGS,
            },
        },
        "kubernetes": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "versions": {"type": "array", "items": _STRING, "minItems": 1},
                "apiVersions": _STRINGS,
            },
        },
        "lint": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "scenarios": _STRING,
                "release": _STRING,
                "namespace": _STRING,
                "crdSchemas": _STRINGS,
                "generated": {"type": "object"},  # validated in detail by chartgen.matrix.generated
                "checks": {
                    "type": "object",
                    "additionalProperties": {
                        "oneOf": [
                            {"enum": ["off", "error", "warning", "info"]},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "level": {"enum": ["off", "error", "warning", "info"]},
                                    "options": {"type": "object"},
                                },
                            },
                        ]
                    },
                },
                "allow": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["check", "reason"],
                        "properties": {
                            "check": _STRING,
                            "reason": _STRING,
                            "kind": _STRING,
                            "name": _STRING,
                            "scenario": _STRING,
                        },
                    },
                },
            },
        },
    },
}


class NoProject(UserError):
    """There is no chartgen.yaml at or above the directory."""


_CONFIG_VALIDATOR = jsonschema_rs.Draft7Validator(CONFIG_SCHEMA)


@dataclass(frozen=True)
class Project:
    """A loaded chartgen project: its root directory and validated configuration."""

    root: Path
    config: dict[str, Any]

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def chart(self) -> dict[str, Any]:
        return self.config["chart"]

    @property
    def chart_dir(self) -> Path:
        return self.root / self.config["output"]["chart"]

    @property
    def examples_dir(self) -> Path:
        return self.root / self.config["output"]["examples"]

    @property
    def schemas_dir(self) -> Path:
        return self.root / self.config["values"].get("schemas", "schemas/values")

    @property
    def sections(self) -> list[str]:
        return list(self.config["values"]["sections"])

    @property
    def inline_sections(self) -> set[str]:
        return set(self.config["values"].get("inline", []))

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def catalog_dir(self) -> Path:
        return self.root / "schemas" / "catalog"

    @property
    def example_sources(self) -> Path:
        return self.root / "values" / "examples"

    @property
    def profile_sources(self) -> Path:
        return self.root / "values" / "profiles"

    @property
    def kube_versions(self) -> list[str]:
        return list(self.config.get("kubernetes", {}).get("versions", []))

    @property
    def api_versions(self) -> list[str]:
        return list(self.config.get("kubernetes", {}).get("apiVersions", []))

    @property
    def lint(self) -> dict[str, Any]:
        return dict(self.config.get("lint", {}))

    @property
    def scenarios_dir(self) -> Path:
        return self.root / self.lint.get("scenarios", "values/scenarios")


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds ``chartgen.yaml``."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise NoProject(f"no {CONFIG_NAME} found in {start} or any parent directory")


def find_project(start: Path | None = None, *, required: bool = True) -> Project | None:
    """The project around ``start`` (default: cwd); None when there is none and it is optional."""
    try:
        return load_project(start)
    except NoProject:
        if required:
            raise
        return None


def load_project(start: Path | None = None) -> Project:
    """Load and validate the project configuration found from ``start`` (default: cwd)."""
    if start is not None and not start.exists():
        raise UserError("project directory not found", str(start))
    root = find_root(start or Path.cwd())
    path = root / CONFIG_NAME
    config = load_mapping(path)
    errors = schema_errors(_CONFIG_VALIDATOR, CONFIG_SCHEMA, config)
    if errors:
        raise UserError(describe_schema_error(errors[0]), str(path))
    return Project(root=root, config=config)


def schema_errors(
    validator: jsonschema_rs.Validator, schema: dict[str, Any], data: Any
) -> list[jsonschema.ValidationError]:
    """The errors of ``data`` against ``schema`` (draft 7), ordered by path. The compiled
    ``validator`` answers the common case (valid) without importing jsonschema, which costs
    about 0.2 s of start-up; jsonschema describes the errors when there are some."""
    try:
        if validator.is_valid(data):
            return []
    except ValueError:
        pass  # data JSON cannot hold (a YAML date...): jsonschema judges it
    import jsonschema

    return sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.path))


_JSON_TYPES = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def describe_schema_error(error: jsonschema.ValidationError) -> str:
    """One readable sentence for an error in a config-like file (chartgen.yaml, a scenario), naming the key."""
    where = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = ".".join(filter(None, [where, extra[0]])) if extra else where
        return f"unknown key '{key}'"
    if error.validator == "required":
        return f"missing required key '{where + '.' if where else ''}{error.message.split(chr(39))[1]}'"
    if error.validator in ("oneOf", "anyOf") and error.context:
        deeper = [sub for sub in error.context if sub.relative_path]
        if deeper:  # an alternative has the right shape but fails inside: name what is wrong there
            return describe_schema_error(max(deeper, key=lambda sub: len(sub.relative_path)))
        wanted = _alternatives(error.context)
        if wanted:
            return f"'{where}': expected {wanted}, got {error.instance!r}"
    if error.validator == "type":
        return f"'{where or '(top level)'}': expected {_type_names(error.validator_value)}, got {error.instance!r}"
    return f"'{where}': {error.message}"


def _alternatives(errors: list[jsonschema.ValidationError]) -> str | None:
    """ "a string or a list" for the failed alternatives of a oneOf; None unless all are type or enum errors."""
    wanted = []
    for error in errors:
        if error.validator == "type":
            wanted.append(_type_names(error.validator_value))
        elif error.validator == "enum":
            wanted.append("one of " + ", ".join(str(value) for value in error.validator_value))
        else:
            return None
    return " or ".join(dict.fromkeys(wanted))


def _type_names(types: str | list[str]) -> str:
    return " or ".join(_JSON_TYPES.get(name, name) for name in ([types] if isinstance(types, str) else types))
