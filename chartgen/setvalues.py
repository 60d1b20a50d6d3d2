"""``--set`` as Helm reads it (``pkg/strvals``): ``a.b=1,list[0]=x,name=a\\,b``.

Values are typed as ``helm --set`` types them: ``true``/``false`` are booleans, ``null``
removes nothing but sets null, a plain integer is an integer; everything else is a string.
"""

from __future__ import annotations

import re
from typing import Any

from chartgen.errors import UserError

_INDEX = re.compile(r"^(?P<name>[^\[\]]*)\[(?P<index>\d+)\]$")
_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


def parse_set(expression: str, into: dict[str, Any]) -> dict[str, Any]:
    """Apply one ``--set`` argument to ``into`` (returned, changed in place)."""
    for assignment in _split(expression, ","):
        key, equals, value = _partition(assignment)
        if not equals or not key:
            raise UserError(f"--set {expression!r}: key {assignment!r} has no value (expected key=value)")
        _assign(into, _split(key, "."), _typed(value), expression)
    return into


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` unless it is escaped with a backslash (the escape is dropped)."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char if char in (separator, "\\") else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current + ("\\" if escaped else "")]


def _partition(assignment: str) -> tuple[str, bool, str]:
    key, equals, value = assignment.partition("=")
    return key.strip(), bool(equals), value


def _typed(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INTEGER.match(value):
        return int(value)
    return value


def _assign(node: Any, keys: list[str], value: Any, expression: str) -> None:
    key, rest = keys[0], keys[1:]
    match = _INDEX.match(key)
    if match:
        name, index = match["name"], int(match["index"])
        items = node.setdefault(name, []) if name else node
        if not isinstance(items, list):
            raise UserError(f"--set {expression!r}: {name} is not a list")
        items.extend([None] * (index + 1 - len(items)))
        if rest:
            if not isinstance(items[index], dict):
                items[index] = {}
            _assign(items[index], rest, value, expression)
        else:
            items[index] = value
        return
    if not rest:
        node[key] = value
        return
    child = node.get(key)
    if not isinstance(child, dict):
        child = node[key] = {}
    _assign(child, rest, value, expression)
