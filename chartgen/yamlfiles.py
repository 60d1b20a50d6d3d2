"""Read the user's YAML files, turning every failure into a UserError with file:line:column."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from chartgen.errors import UserError

# libyaml when PyYAML was built with it (the wheels are); the pure-Python loader otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path) -> str:
    """Read a UTF-8 file or raise a UserError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("file not found", str(path)) from None
    except IsADirectoryError:
        raise UserError("expected a file, found a directory", str(path)) from None
    except (PermissionError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read file: {exc}", str(path)) from None


class GoYamlLoader(_LOADER):  # type: ignore[misc, valid-type]
    """Reads YAML (values, CRD files) as Helm's YAML library (go-yaml v2 through sigs.k8s.io/yaml) does: a date or
    a time stays a string, a bare ``=`` is the string "=" (YAML 1.1's "value" key type, which
    PyYAML cannot build), ``1e3`` is a number; ``yes``/``on``/``off`` are booleans there too."""


# Only what PyYAML reads differently from Helm is changed.
_HELM_DIFFERENCES = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")
GoYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _HELM_DIFFERENCES]
    for first, resolvers in _LOADER.yaml_implicit_resolvers.items()
}
GoYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def parse_yaml(text: str, source: str, *, loader: type = _LOADER) -> Any:
    """Parse one YAML document; syntax errors name ``source:line:column``."""
    return _parsing(lambda: yaml.load(text, Loader=loader), source)


def parse_yaml_documents(text: str, source: str, *, loader: type = _LOADER) -> list[Any]:
    """Parse every document of a YAML stream; syntax errors name ``source:line:column``."""
    return _parsing(lambda: list(yaml.load_all(text, Loader=loader)), source)


def parse_first_document(text: str, source: str, *, loader: type = _LOADER) -> Any:
    """Parse the first document of a YAML stream, as Helm reads a values file: what follows it
    (a comment-only second document, anything) is not read."""
    return _parsing(lambda: next(yaml.load_all(text, Loader=loader), None), source)


def _parsing(parse: Any, source: str) -> Any:
    try:
        return parse()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise UserError(f"invalid YAML: {exc.problem}", where) from None
    except yaml.YAMLError as exc:
        raise UserError(f"invalid YAML: {exc}", source) from None


def load_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file."""
    return parse_yaml(read_text(path), str(path))


def load_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping (an empty file is an empty mapping)."""
    return _mapping(load_yaml_file(path), path)


def load_values(path: Path) -> dict[str, Any]:
    """Read a values file (or a scenario, which holds values) as Helm would: its first document,
    a mapping of JSON data, dates left as strings; a value JSON cannot carry is a UserError naming its path."""
    data = _mapping(parse_first_document(read_text(path), str(path), loader=GoYamlLoader), path)
    problem = _not_json(data, "", set())
    if problem:
        raise UserError(problem, str(path))
    return data


_JSON_SCALARS = (str, int, float, bool, type(None))


def _not_json(node: Any, where: str, ancestors: set[int]) -> str | None:
    """Why ``node`` is not JSON data (an unsupported type, a non-finite number, a recursive alias), or None."""
    label = where or "(top level)"
    if isinstance(node, (dict, list)):
        if id(node) in ancestors:
            return f"'{label}': a YAML alias refers to its own parent; values cannot be recursive"
        ancestors.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(node, dict) and not isinstance(key, _JSON_SCALARS):
                return f"'{label}': a {type(key).__name__} key is not supported; keys are strings"
            child = f"{where}[{key}]" if isinstance(node, list) else f"{where}.{key}" if where else str(key)
            problem = _not_json(value, child, ancestors)
            if problem:
                return problem
        ancestors.discard(id(node))
        return None
    if isinstance(node, float) and not math.isfinite(node):
        return f"'{label}': {node} is not allowed; Helm values are JSON data, which has no NaN or infinity"
    if not isinstance(node, _JSON_SCALARS):
        return (
            f"'{label}': a {type(node).__name__} value is not supported; Helm values are JSON data "
            "(strings, numbers, booleans, null, lists and mappings)"
        )
    return None


def _mapping(data: Any, path: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"expected a mapping at the top level, found {type(data).__name__}", str(path))
    return data
