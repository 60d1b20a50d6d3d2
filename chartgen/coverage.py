"""Template branch coverage: which if / else / range / with bodies any scenario rendered.

Helm has no coverage of its own, so a copy of the chart is instrumented: right after each
branch action a marker (`CGB<n>;`) is inserted into the template text. Rendering a scenario
with the copy shows every marker whose branch ran. A render that stops in a `fail` covers the
branch holding the fail, found from the line Helm names. Helpers (`_*.tpl`) are not
instrumented: their output is often parsed again (fromYaml), which a marker would change.
"""

from __future__ import annotations

import re
import shutil
import tempfile
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


@dataclass
class Instrumented:
    chart_dir: Path
    branches: list[Branch]

    def covered_by(self, rendered: dict[str, str]) -> set[int]:
        return {int(match) for text in rendered.values() for match in MARKER.findall(text)}

    def covered_by_failure(self, template: str | None, line: int | None) -> set[int]:
        """The innermost branch opened at or before the failing line of the failing template."""
        if not template or not line:
            return set()
        relative = template.split("/", 1)[-1]
        before = [b for b in self.branches if b.template == relative and b.line <= line]
        return {before[-1].id} if before else set()

    def close(self) -> None:
        shutil.rmtree(self.chart_dir.parent, ignore_errors=True)


def instrument(chart_dir: Path) -> Instrumented:
    """A copy of the chart with a marker after every branch action of its templates."""
    workdir = Path(tempfile.mkdtemp(prefix="chartgen-coverage-"))
    copy = workdir / chart_dir.name
    shutil.copytree(chart_dir, copy)
    branches: list[Branch] = []
    for path in sorted((copy / "templates").rglob("*")):
        if not path.is_file() or path.name.startswith("_") or path.suffix not in (".yaml", ".yml", ".txt"):
            continue
        relative = path.relative_to(copy).as_posix()
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
    return Instrumented(copy, branches)
