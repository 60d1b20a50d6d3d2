"""Write values.yaml (commented, from the schema) and the README values table.

values.yaml is emitted as text so that every comment sits exactly above its
key; each value is serialised by the YAML library, so quoting is always right.
A test parses the result back and compares it with the schema defaults.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import yaml

from chartgen.values.schema import ValuesSchema, walk

WIDTH = 100
INDENT = "  "


def emit_values_yaml(values: ValuesSchema, header: str) -> str:
    """The chart's values.yaml: a header, then each section with its keys documented."""
    lines = [f"# {line}" if line else "#" for line in header.strip().splitlines()]
    for section in values.sections:
        lines += ["", "#" * WIDTH, f"## {section.title}", *_comment(section.description, ""), "#" * WIDTH]
        if section.inline:
            for key, prop in section.schema["properties"].items():
                lines += ["", *_emit_key(key, prop, "")]
        else:
            lines += ["", *_emit_key(section.name, section.schema, "", with_description=False)]
    return "\n".join(lines) + "\n"


def _emit_key(key: str, prop: dict[str, Any], indent: str, with_description: bool = True) -> list[str]:
    lines = _comment(_describe(prop), indent) if with_description else []
    if prop.get("type") == "object" and "properties" in prop:
        lines.append(f"{indent}{key}:")
        previous: dict[str, Any] | None = None
        for child_key, child in prop["properties"].items():
            # A blank line around each nested block keeps long sections readable.
            if previous is not None and (_is_branch(child) or _is_branch(previous)):
                lines.append("")
            lines += _emit_key(child_key, child, indent + INDENT)
            previous = child
        return lines
    if "default" in prop:
        return lines + _dump(key, prop["default"], indent)
    example = (prop.get("examples") or [None])[0]
    commented = _dump(key, example, "") if example is not None else [f"{key}:"]
    return lines + [f"{indent}# {line}" for line in commented]


def _describe(prop: dict[str, Any]) -> str:
    text = " ".join(str(prop["description"]).split())
    if "enum" in prop:
        text += " One of: " + ", ".join(json.dumps(choice) for choice in prop["enum"]) + "."
    if prop.get("x-optional"):
        text += " Optional; unset by default."
    return text


def _comment(text: str, indent: str) -> list[str]:
    width = max(40, WIDTH - len(indent) - 2)
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width=width)]


def _dump(key: str, value: Any, indent: str) -> list[str]:
    text = yaml.safe_dump({key: value}, default_flow_style=False, sort_keys=False, width=1000)
    return [f"{indent}{line}" for line in text.rstrip("\n").splitlines()]


def _is_branch(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "object" and "properties" in prop


def values_table(values: ValuesSchema) -> str:
    """A Markdown table of every documented key: path, type, default, description."""
    rows = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for section in values.sections:
        prefix = "" if section.inline else section.name
        node = section.schema
        for path, prop in walk(node, prefix):
            if _is_branch(prop):
                continue
            rows.append(
                f"| `{path}` | {_type_name(prop)} | {_default_cell(prop)} | {_cell(_describe(prop))} |"
            )
    return "\n".join(rows)


def _type_name(prop: dict[str, Any]) -> str:
    kind = prop.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and isinstance(prop.get("items"), dict) and "type" in prop["items"]:
        return f"list of {prop['items']['type']}"
    if kind == "object":
        return "map"
    return str(kind)


def _default_cell(prop: dict[str, Any]) -> str:
    if "default" not in prop:
        return "unset"
    return "`" + json.dumps(prop["default"], separators=(", ", ": ")).replace("|", "\\|") + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
