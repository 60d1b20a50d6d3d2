"""Typed check options: each check declares its options as a frozen dataclass with defaults,
and the configuration is checked against it when it loads (yamllint's way: a wrong option
is an error naming the check and the option, before anything runs).

Field types a check may use: ``bool``, ``int``, ``float``, ``str``, ``tuple[X, ...]``,
``dict[str, X]`` and nested frozen dataclasses (a YAML mapping with those fields).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from types import UnionType
from typing import Any

from chartgen.errors import UserError


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """The options of a check that has none."""


class OptionError(Exception):
    """A value that does not fit an option's type; ``path`` names it inside the option."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def defaults(options_type: type[Any]) -> dict[str, Any]:
    """Each option's default, for documentation."""
    instance = options_type()
    return {field.name: getattr(instance, field.name) for field in dataclasses.fields(options_type)}


def parse_options(check_id: str, options_type: type[Any], raw: object, config_file: str) -> Any:
    """``raw`` (the ``options`` mapping of a check in the configuration) as ``options_type``;
    a UserError naming the check and the option when it does not fit."""
    where = f"lint.checks.{check_id}.options"
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise UserError(f"'{where}': expected a mapping of option names to values", config_file)
    try:
        return _dataclass(options_type, raw, "")
    except OptionError as error:
        option = error.path.split(".")[0].split("[")[0]
        raise UserError(
            f"'{where}.{error.path}': {error.message} (option '{option}' of check '{check_id}')", config_file
        ) from None


def _dataclass(options_type: type[Any], raw: Mapping[str, Any], path: str) -> Any:
    hints = typing.get_type_hints(options_type)
    names = {field.name for field in dataclasses.fields(options_type)}
    for key in raw:
        if key not in names:
            known = ", ".join(sorted(names)) or "none"
            raise OptionError(_join(path, str(key)), f"unknown option (known: {known})")
    for field in dataclasses.fields(options_type):
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        if required and field.name not in raw:
            raise OptionError(_join(path, field.name), "missing (required)")
    return options_type(
        **{name: _convert(raw[name], hints[name], _join(path, name)) for name in names if name in raw}
    )


def _convert(value: Any, hint: Any, path: str) -> Any:
    """``value`` as ``hint`` (lists become tuples, mappings nested dataclasses)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise OptionError(path, f"expected a mapping, got {value!r}")
        return _dataclass(typing.cast(type[Any], hint), value, path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise OptionError(path, f"expected a list, got {value!r}")
        return tuple(_convert(item, args[0], f"{path}[{index}]") for index, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, Mapping):
            raise OptionError(path, f"expected a mapping, got {value!r}")
        return {
            _convert(key, args[0], path): _convert(item, args[1], f"{path}.{key}")
            for key, item in value.items()
        }
    if origin is UnionType or origin is typing.Union:
        for option in args:
            try:
                return _convert(value, option, path)
            except OptionError:
                continue
        raise OptionError(path, f"expected {_describe(hint)}, got {value!r}")
    if hint is type(None):
        if value is None:
            return None
        raise OptionError(path, f"expected null, got {value!r}")
    if _is_instance(value, hint):
        return value
    raise OptionError(path, f"expected {_describe(hint)}, got {value!r}")


def _is_instance(value: Any, hint: Any) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(hint, type) and isinstance(value, hint)


def _describe(hint: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    return getattr(hint, "__name__", str(hint))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
