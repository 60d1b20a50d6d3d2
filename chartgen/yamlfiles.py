"""Read the user's YAML files, turning every failure into a UserError with file:line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chartgen.errors import UserError


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


def parse_yaml(text: str, source: str) -> Any:
    """Parse one YAML document; syntax errors name ``source:line:column``."""
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
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
    data = load_yaml_file(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"expected a mapping at the top level, found {type(data).__name__}", str(path))
    return data
