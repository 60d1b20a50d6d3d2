"""Where each key of a block-style values.yaml is, and whether a comment documents it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    path: str  # dotted, e.g. "server.service.port"
    line: int
    commented: bool  # a comment line sits directly above it
    in_list: bool  # inside a list item (part of that item's value)


def keys(text: str) -> Iterator[Key]:
    stack: list[tuple[int, str]] = []  # (indent, key); "-" marks a list item
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stripped.startswith("- "):
            stack.append((indent, "-"))
            continue
        if ":" not in stripped:
            continue
        key = stripped.split(":", 1)[0].strip().strip("'\"")
        in_list = any(name == "-" for _, name in stack)
        path = ".".join([name for _, name in stack] + [key])
        stack.append((indent, key))
        previous = lines[number - 2].strip() if number > 1 else ""
        yield Key(path, number, previous.startswith("#"), in_list)


def line_of(text: str, path: str) -> int | None:
    return next((key.line for key in keys(text) if key.path == path and not key.in_list), None)
