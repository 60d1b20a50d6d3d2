"""Label selectors: whether one matches, which workloads it selects, and how kubectl writes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chartgen.checks.objects.pods import POD_SPEC_PATHS, namespace_of, pod_labels


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and/or matchExpressions, or a plain map) matches."""
    if not selector:
        return False
    match_labels = selector.get("matchLabels", selector if "matchExpressions" not in selector else {})
    if not all(labels.get(k) == v for k, v in (match_labels or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = (
            expression.get("key"),
            expression.get("operator"),
            expression.get("values") or [],
        )
        present = key in labels
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return bool(match_labels) or bool(selector.get("matchExpressions"))


def selected_workloads(
    selector: dict[str, Any] | None,
    objects: Iterable[dict[str, Any]],
    namespace: str,
    default_namespace: str = "",
) -> list[dict[str, Any]]:
    """The workloads (and Pods) in ``namespace`` whose pods ``selector`` matches; an empty selector matches none."""
    return [
        obj
        for obj in objects
        if obj.get("kind") in POD_SPEC_PATHS
        and namespace_of(obj, default_namespace) == namespace
        and selects(selector, pod_labels(obj))
    ]


def selector_text(selector: dict[str, Any] | None) -> str:
    """A label selector as ``kubectl get -l`` takes it: ``app=web,tier in (a,b),!legacy``."""
    selector = selector or {}
    match_labels = selector.get("matchLabels", selector if "matchExpressions" not in selector else {})
    terms = [f"{key}={value}" for key, value in (match_labels or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = ",".join(str(v) for v in expression.get("values") or [])
        terms.append(
            {
                "In": f"{key} in ({values})",
                "NotIn": f"{key} notin ({values})",
                "Exists": str(key),
                "DoesNotExist": f"!{key}",
            }.get(operator, f"{key} {operator} ({values})")
        )
    return ",".join(terms)
