"""Template branch coverage: which if / else / range / with bodies any scenario rendered.

Helm has no coverage of its own, so a copy of the chart is instrumented (the render store
makes and renders it): right after each
branch action a marker (`CGB<n>;`) is inserted into the template text. Rendering a scenario
with the copy shows every marker whose branch ran. A render that stops in a `fail` covers the
branch holding the fail, found from the line Helm names. Helpers (`_*.tpl`) are not
instrumented: their output is often parsed again (fromYaml), which a marker would change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ACTION = re.compile(
    r"\{\{-?\s*(?P<keyword>else\s+if|else\s+with|if|range|with|else)\b"
    r"(?P<rest>(?:[^}\"`]|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|\}(?!\}))*?)-?\}\}"
)
MARKER = re.compile(r"CGB(\d+);")


@dataclass(frozen=True)
class Branch:
    id: int
    template: str  # relative to the chart, e.g. "templates/server-deployment.yaml"
    line: int
    action: str  # e.g. "if .Values.backup.enabled"


def covered_by(rendered: dict[str, str]) -> frozenset[int]:
    """The branches whose markers appear in an instrumented render."""
    return frozenset(int(match) for text in rendered.values() for match in MARKER.findall(text))


def covered_by_failure(branches: list[Branch], template: str | None, line: int | None) -> frozenset[int]:
    """The innermost branch opened at or before the failing line of the failing template."""
    if not template or not line:
        return frozenset()
    relative = template.split("/", 1)[-1]
    before = [b for b in branches if b.template == relative and b.line <= line]
    return frozenset({before[-1].id}) if before else frozenset()


def mark_branches(chart_dir: Path) -> list[Branch]:
    """Insert a marker after every branch action of the templates of ``chart_dir`` (a copy:
    the files are rewritten in place) and return the branches."""
    branches: list[Branch] = []
    for path in sorted((chart_dir / "templates").rglob("*")):
        if not path.is_file() or path.name.startswith("_") or path.suffix not in (".yaml", ".yml", ".txt"):
            continue
        relative = path.relative_to(chart_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        pieces, last = [], 0
        for match in ACTION.finditer(text):
            branch = Branch(
                len(branches),
                relative,
                text.count("\n", 0, match.start()) + 1,
                " ".join(f"{match['keyword']} {match['rest']}".split()),
            )
            branches.append(branch)
            pieces += [text[last : match.end()], f"CGB{branch.id};"]
            last = match.end()
        path.write_text("".join(pieces) + text[last:], encoding="utf-8")
    return branches
