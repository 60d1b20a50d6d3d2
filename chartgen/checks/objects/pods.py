"""Pod specs, containers and their securityContext fields, wherever a workload kind keeps them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_KINDS = tuple(POD_SPEC_PATHS)


@dataclass(frozen=True)
class PodSpec:
    spec: dict[str, Any]
    path: str  # e.g. "spec.template.spec"


@dataclass(frozen=True)
class Container:
    container: dict[str, Any]
    path: str  # e.g. "spec.template.spec.containers[0]"
    init: bool

    @property
    def name(self) -> str:
        return str(self.container.get("name", ""))

    @property
    def title(self) -> str:
        """How messages name it: ``container "app"`` or ``init container "setup"``."""
        return f'{"init container" if self.init else "container"} "{self.name}"'


def pod_spec(obj: dict[str, Any]) -> PodSpec | None:
    """The pod spec of a workload (or Pod), with its path; None for other kinds."""
    keys = POD_SPEC_PATHS.get(str(obj.get("kind")))
    if keys is None:
        return None
    node: Any = obj
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return PodSpec(node, ".".join(keys)) if isinstance(node, dict) else None


def pod_metadata(obj: dict[str, Any]) -> dict[str, Any]:
    """Metadata of the pods a workload creates (a Pod's own metadata); {} for other kinds."""
    keys = POD_SPEC_PATHS.get(str(obj.get("kind")))
    if keys is None:
        return {}
    node: Any = obj
    for key in keys[:-1]:  # stop at the pod template, one level above its spec
        node = node.get(key) if isinstance(node, dict) else None
    metadata = node.get("metadata") if isinstance(node, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    return dict(pod_metadata(obj).get("labels") or {})


def pod_annotations(obj: dict[str, Any]) -> dict[str, str]:
    return dict(pod_metadata(obj).get("annotations") or {})


def containers(pod: PodSpec, include_init: bool = True) -> Iterator[Container]:
    """Init containers (when asked) and containers, each with its path."""
    groups = (("initContainers", True), ("containers", False)) if include_init else (("containers", False),)
    for key, init in groups:
        for index, container in enumerate(pod.spec.get(key) or []):
            if isinstance(container, dict):
                yield Container(container, f"{pod.path}.{key}[{index}]", init)


def name_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def namespace_of(obj: dict[str, Any], default: str = "") -> str:
    return str((obj.get("metadata") or {}).get("namespace") or default)


def security_context(node: dict[str, Any]) -> dict[str, Any]:
    """The ``securityContext`` of a pod spec or a container; {} when unset."""
    context = node.get("securityContext")
    return context if isinstance(context, dict) else {}


@dataclass(frozen=True)
class Setting:
    """One field of a securityContext, with the path where it is set (or would be)."""

    key: str  # e.g. "runAsNonRoot"
    value: Any  # None when unset (null counts as unset, as in Kubernetes)
    path: str  # e.g. "spec.template.spec.containers[0].securityContext.runAsNonRoot"
    from_pod: bool  # it is the pod's field (for a container: inherited from the pod)

    @property
    def setter(self) -> str:
        """Who sets it, as a message about a container says: "its pod" or "it"."""
        return "its pod" if self.from_pod else "it"

    @property
    def shown(self) -> str:
        """The value as a message shows it: ``false``, ``"Unconfined"``, or ``not set``."""
        return "not set" if self.value is None else json.dumps(self.value)


def own_security_setting(container: Container, key: str) -> Setting:
    """A field of the container's own securityContext."""
    value = security_context(container.container).get(key)
    return Setting(key, value, f"{container.path}.securityContext.{key}", False)


def pod_security_setting(pod: PodSpec, key: str) -> Setting:
    """A field of the pod-level securityContext."""
    return Setting(key, security_context(pod.spec).get(key), f"{pod.path}.securityContext.{key}", True)


def effective_security_setting(pod: PodSpec, container: Container, key: str) -> Setting:
    """A field both pod and container may carry (``runAsUser``, ``seccompProfile``...), as the
    container gets it: its own when set, else the pod's. Unset on both, it is the container's
    (unset) field, since that is where a fix for this container belongs."""
    own = own_security_setting(container, key)
    if own.value is not None:
        return own
    inherited = pod_security_setting(pod, key)
    return inherited if inherited.value is not None else own


def pod_metadata_path(obj: dict[str, Any]) -> str:
    """Where a workload keeps the metadata of its pods (``spec.template.metadata``); "" for other kinds."""
    keys = POD_SPEC_PATHS.get(str(obj.get("kind")))
    return ".".join((*keys[:-1], "metadata")) if keys else ""
