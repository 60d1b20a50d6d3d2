"""ANSI colour for the human formats, on only when the report goes to a terminal."""

from __future__ import annotations

_LEVEL_STYLES = {"error": "1;31", "warning": "1;33", "info": "1;34"}


def paint(text: str, style: str, on: bool) -> str:
    return f"\033[{style}m{text}\033[0m" if on and text else text


def level(text: str, level_name: str, on: bool) -> str:
    """``text`` in the colour of a level: errors red, warnings yellow, infos blue."""
    return paint(text, _LEVEL_STYLES.get(level_name, "1"), on)


def bold(text: str, on: bool) -> str:
    return paint(text, "1", on)
