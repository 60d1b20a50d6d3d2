"""A chart's ``.helmignore``, applied the way Helm applies it when it loads a chart.

Helm's rules (``pkg/ignore``): one pattern a line, ``#`` starts a comment, ``!`` negates, a
trailing ``/`` matches directories only, a pattern without ``/`` matches the base name of any
file or directory, one with ``/`` matches the path from the chart's root; a matched directory
hides everything under it. ``**`` is not supported by Helm and matches nothing special here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class _Rule:
    pattern: str
    negate: bool
    directories_only: bool

    def matches(self, relative: PurePosixPath, is_dir: bool) -> bool:
        if self.directories_only and not is_dir:
            return False
        if "/" in self.pattern:
            return fnmatchcase(relative.as_posix(), self.pattern.lstrip("/"))
        return fnmatchcase(relative.name, self.pattern)


class HelmIgnore:
    """The rules of one chart; ``ignored`` answers for a path relative to the chart root."""

    def __init__(self, rules: list[_Rule]) -> None:
        self._rules = rules

    @classmethod
    def of_chart(cls, chart_dir: Path) -> HelmIgnore:
        path = chart_dir / ".helmignore"
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        rules = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            rules.append(_Rule(line.rstrip("/"), negate, line.endswith("/")))
        return cls(rules)

    def _matches(self, relative: PurePosixPath, is_dir: bool) -> bool:
        ignored = False
        for rule in self._rules:
            if rule.matches(relative, is_dir):
                ignored = not rule.negate
        return ignored

    def ignored(self, relative: PurePosixPath, is_dir: bool = False) -> bool:
        """Whether Helm leaves the path out: it, or a directory above it, matches."""
        parents = list(relative.parents)[:-1]  # "a/b/c" -> "a/b", "a"
        return any(self._matches(parent, True) for parent in parents) or self._matches(relative, is_dir)

    def files(self, chart_dir: Path, under: str) -> list[Path]:
        """The files Helm loads from the chart's directory ``under`` (``crds``), sorted."""
        base = chart_dir / under
        if not base.is_dir():
            return []
        return sorted(
            path
            for path in base.rglob("*")
            if path.is_file() and not self.ignored(PurePosixPath(path.relative_to(chart_dir).as_posix()))
        )
