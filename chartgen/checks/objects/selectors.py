"""Label selectors: whether one matches, which workloads it selects, and how kubectl writes it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from chartgen.checks.objects.pods import POD_SPEC_PATHS, name_of, namespace_of, pod_labels


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
        and selects(selector, runtime_pod_labels(obj, selector))
    ]


# Labels a controller adds to the pods it creates, which no pod template carries:
# label -> (the kinds whose pods get it, whether a value fits the workload named so).
_ORDINAL = re.compile(r"\d+")
CONTROLLER_LABELS: dict[str, tuple[tuple[str, ...], Callable[[str, str], bool]]] = {
    "statefulset.kubernetes.io/pod-name": (
        ("StatefulSet",),
        lambda value, name: value.startswith(f"{name}-") and bool(_ORDINAL.fullmatch(value[len(name) + 1 :])),
    ),
    "apps.kubernetes.io/pod-index": (("StatefulSet",), lambda value, name: bool(_ORDINAL.fullmatch(value))),
    "controller-revision-hash": (("StatefulSet", "DaemonSet"), lambda value, name: True),
    "pod-template-hash": (("Deployment", "ReplicaSet"), lambda value, name: True),
    "job-name": (("Job",), lambda value, name: value == name),
    "batch.kubernetes.io/job-name": (("Job",), lambda value, name: value == name),
    "controller-uid": (("Job",), lambda value, name: True),
    "batch.kubernetes.io/controller-uid": (("Job",), lambda value, name: True),
}


def runtime_pod_labels(obj: dict[str, Any], selector: dict[str, Any] | None) -> dict[str, str]:
    """The labels the pods of a workload carry once running: its pod template's, plus the
    labels its controller adds, taken with the value the selector asks for when that value
    fits this workload (``statefulset.kubernetes.io/pod-name: db-0`` for StatefulSet ``db``)."""
    labels = pod_labels(obj)
    wanted = (selector or {}).get(
        "matchLabels", selector if "matchExpressions" not in (selector or {}) else {}
    )
    for key, value in (wanted or {}).items():
        kinds, fits = CONTROLLER_LABELS.get(str(key), ((), None))
        if obj.get("kind") in kinds and fits is not None and fits(str(value), name_of(obj)):
            labels.setdefault(str(key), str(value))
    return labels


def operator_may_create(
    selector: dict[str, Any] | None,
    objects: Iterable[dict[str, Any]],
    namespace: str,
    default_namespace: str = "",
) -> dict[str, Any] | None:
    """A custom resource in ``namespace`` whose operator plausibly creates the pods ``selector``
    wants (the Prometheus Operator makes the pods of an ``Alertmanager``): one whose name is a
    value the selector asks for, or whose declared pod labels (``spec.podMetadata.labels``,
    ``spec.template.metadata.labels``) it matches. None when there is none."""
    wanted = (selector or {}).get(
        "matchLabels", selector if "matchExpressions" not in (selector or {}) else {}
    )
    values = {str(value) for value in (wanted or {}).values()}
    for obj in objects:
        if not is_custom_resource(obj) or namespace_of(obj, default_namespace) != namespace:
            continue
        spec: dict[str, Any] = obj["spec"] if isinstance(obj.get("spec"), dict) else {}
        declared = {
            **((spec.get("podMetadata") or {}).get("labels") or {}),
            **(((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}),
        }
        if name_of(obj) in values or (declared and selects(selector, declared)):
            return obj
    return None


def is_custom_resource(obj: dict[str, Any]) -> bool:
    """Whether the object's API group is not one of Kubernetes' own (``*.k8s.io`` or no dot)."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


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
