"""Where each key of a block-style values.yaml is, and whether a comment documents it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A block scalar header (`|`, `>-`, `|2+`), optionally followed by a comment.
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


@dataclass(frozen=True)
class Key:
    path: str  # dotted, e.g. "server.service.port"
    line: int
    commented: bool  # a comment line sits directly above it, or a comment follows it on its line
    in_list: bool  # inside a list item (part of that item's value)


def keys(text: str) -> Iterator[Key]:
    stack: list[tuple[int, str]] = []  # (indent, key); "-" marks a list item
    lines = text.splitlines()
    block_indent: int | None = None  # inside a block scalar: the indent of the line that opened it
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if indent > block_indent:
                continue  # text of the block scalar, not keys
            block_indent = None
        if stripped.startswith("#"):
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stripped.startswith("- "):
            stack.append((indent, "-"))
            if _BLOCK_SCALAR.match(stripped[2:].strip()):
                block_indent = indent
            continue
        if ":" not in stripped:
            continue
        key, _, value = stripped.partition(":")
        key = key.strip().strip("'\"")
        value = value.strip()
        if _BLOCK_SCALAR.match(value):
            block_indent = indent
        in_list = any(name == "-" for _, name in stack)
        path = ".".join([name for _, name in stack] + [key])
        stack.append((indent, key))
        previous = lines[number - 2].strip() if number > 1 else ""
        yield Key(path, number, previous.startswith("#") or _has_comment(value), in_list)


def _has_comment(value: str) -> bool:
    """Whether a comment follows the value on its line (`# ...` outside quotes)."""
    bare = _QUOTED.sub("''", value)
    return bare.startswith("#") or " #" in bare or "\t#" in bare


def line_of(text: str, path: str) -> int | None:
    return next((key.line for key in keys(text) if key.path == path and not key.in_list), None)
