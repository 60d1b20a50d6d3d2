"""GitHub Actions workflow commands: one annotation per root cause, then the summary.

GitHub shows only a few annotations of each level per step, so repeating a
finding for every scenario and version would crowd out the others; grouping by
root cause keeps one annotation per problem. The runner parses ``::`` and ``,``
inside properties and newlines anywhere, hence the escaping.
"""

from __future__ import annotations

from chartgen.findings import Report
from chartgen.report import Group, describe_context, group_by_root_cause, summary_lines

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(report: Report) -> str:
    groups = group_by_root_cause(report.results)
    lines = [_annotation(group) for group in groups]
    lines += [f"note: {note}" for note in report.notes]
    lines += summary_lines(report.summary, groups)  # counts the annotations printed
    return "\n".join(lines) + "\n"


def _annotation(group: Group) -> str:
    result = group.result
    properties: dict[str, str] = {}
    if result.template:
        properties["file"] = result.template
        if result.line is not None:
            properties["line"] = str(result.line)
    properties["title"] = f"{result.code} {result.check}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{result.message} ({describe_context(group)})"
    return f"::{COMMANDS[result.level]} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
