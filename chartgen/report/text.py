"""The human report: one block per root cause, then notes, the invariants and the verdict.

Colour only on a terminal (and never with ``NO_COLOR``), because it is as often
piped into a CI log or a file as read there. A finding in every (scenario, version)
of the run reads ``in: all 37 × 2``. With more than one finding a per-check summary
follows, and the verdict counts the findings printed. Lines are wrapped near
``WIDTH`` so a block stays readable in a narrow log viewer.
"""

from __future__ import annotations

import textwrap

from chartgen.findings import CheckInfo, Report
from chartgen.report import (
    Group,
    describe_location,
    describe_object,
    group_by_root_cause,
    per_check_lines,
    summary_lines,
    where_parts,
)
from chartgen.report.colour import bold, level

WIDTH = 120
INDENT = "  "


def render(report: Report, colour: bool = False) -> str:
    groups = group_by_root_cause(report.results)
    blocks = [
        "\n".join(_block(group, report.checks.get(group.result.check), report.evaluated, colour))
        for group in groups
    ]
    if report.notes:
        blocks.append("\n".join(f"note: {note}" for note in report.notes))
    if len(groups) > 1:
        blocks.append("\n".join(["findings per check:", *per_check_lines(groups)]))
    blocks.append("\n".join(summary_lines(report.summary, groups)))
    return "\n\n".join(blocks) + "\n"


def _block(group: Group, info: CheckInfo | None, evaluated: list[tuple[str, str]], colour: bool) -> list[str]:
    result = group.result
    location = describe_location(result)
    heading = level(f"{result.level} {result.code} {result.check}", result.level, colour)
    lines = [f"{bold(location + ':', colour) + ' ' if location else ''}{heading}"]
    # Blank lines inside a block would read as the end of the block.
    for paragraph in filter(str.strip, result.message.splitlines()):
        lines += _wrap(paragraph)
    if subject := describe_object(result):
        lines.append(INDENT + subject)
    lines += _wrap_where(where_parts(group.occurrences, evaluated))
    if info is not None:
        lines += _wrap(f"fix: {info.remediation}")
    return lines


def _wrap(text: str) -> list[str]:
    """Wrap at spaces only: paths and object names must stay whole to be searchable."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=INDENT,
        subsequent_indent=INDENT * 2,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _wrap_where(parts: list[str]) -> list[str]:
    """The ``in:`` line, broken only between scenarios so a scenario stays next to its versions."""
    lines = [f"{INDENT}in: {parts[0]}"]
    for part in parts[1:]:
        if len(lines[-1]) + len("; ") + len(part) <= WIDTH:
            lines[-1] += f"; {part}"
        else:
            lines[-1] += ";"
            lines.append(INDENT * 2 + part)
    return lines
