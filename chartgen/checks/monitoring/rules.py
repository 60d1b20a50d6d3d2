"""The rules of a PrometheusRule, with their paths, for the monitoring checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MetricPrefixOptions:
    """Options of the checks that compare metric names with the application's metric catalog."""

    prefix: str = "certctl_"  # only metric names with this prefix are the application's


@dataclass(frozen=True)
class Rule:
    rule: dict[str, Any]
    path: str  # e.g. "spec.groups[0].rules[2]"
    group: dict[str, Any]
    group_path: str

    @property
    def name(self) -> str:
        return str(self.rule.get("alert") or self.rule.get("record") or "")

    @property
    def is_alert(self) -> bool:
        return "alert" in self.rule


def rules(obj: dict[str, Any]) -> Iterator[Rule]:
    for g, group in enumerate((obj.get("spec") or {}).get("groups") or []):
        if not isinstance(group, dict):
            continue
        for r, rule in enumerate(group.get("rules") or []):
            if isinstance(rule, dict):
                yield Rule(rule, f"spec.groups[{g}].rules[{r}]", group, f"spec.groups[{g}]")
