"""Reading Kubernetes objects the way checks need: pod templates, containers, references.

Every function returns paths in the finding-path syntax of the engine
(``spec.template.spec.containers[0].env[2]``), so a check can report exactly where.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chartgen.checks.context import CheckContext

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


# Cross-references between the objects of one render. Objects that name no namespace are in
# ``default_namespace``: the release's, where Helm installs them.


def find_object(
    objects: Iterable[dict[str, Any]], kind: str, name: str, namespace: str, default_namespace: str = ""
) -> dict[str, Any] | None:
    """The object of ``kind`` called ``name`` in ``namespace``, or None."""
    for obj in objects:
        if (
            obj.get("kind") == kind
            and name_of(obj) == name
            and namespace_of(obj, default_namespace) == namespace
        ):
            return obj
    return None


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


@dataclass(frozen=True)
class ConfigReference:
    """A pod's reference to a ConfigMap or Secret, from env, envFrom or a (projected) volume."""

    kind: str  # "ConfigMap" or "Secret"
    name: str
    path: str  # the field that names the object
    optional: bool
    keys: tuple[tuple[str, str], ...] = ()  # the keys it reads, each with the path of the field naming it


# The fields that reference a ConfigMap or Secret: (field, kind, the field inside it holding the name).
_ENV_KEY_REFS = (("configMapKeyRef", "ConfigMap", "name"), ("secretKeyRef", "Secret", "name"))
_ENV_FROM_REFS = (("configMapRef", "ConfigMap", "name"), ("secretRef", "Secret", "name"))
_VOLUME_REFS = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"))
_PROJECTED_REFS = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "name"))


def config_references(pod: PodSpec) -> Iterator[ConfigReference]:
    """Every ConfigMap and Secret a pod spec reads: env ``valueFrom``, ``envFrom``, volumes and
    projected volume sources, with the keys they name (``key``, ``items[].key``)."""
    for container in containers(pod):
        for index, env in enumerate(container.container.get("env") or []):
            value_from = env.get("valueFrom") if isinstance(env, dict) else None
            if isinstance(value_from, dict):
                yield from _references(value_from, f"{container.path}.env[{index}].valueFrom", _ENV_KEY_REFS)
        for index, source in enumerate(container.container.get("envFrom") or []):
            if isinstance(source, dict):
                yield from _references(source, f"{container.path}.envFrom[{index}]", _ENV_FROM_REFS)
    for index, volume in enumerate(pod.spec.get("volumes") or []):
        if not isinstance(volume, dict):
            continue
        path = f"{pod.path}.volumes[{index}]"
        yield from _references(volume, path, _VOLUME_REFS)
        for number, source in enumerate((volume.get("projected") or {}).get("sources") or []):
            if isinstance(source, dict):
                yield from _references(source, f"{path}.projected.sources[{number}]", _PROJECTED_REFS)


def _references(
    node: dict[str, Any], path: str, fields: tuple[tuple[str, str, str], ...]
) -> Iterator[ConfigReference]:
    for field_name, kind, name_field in fields:
        ref = node.get(field_name)
        if not isinstance(ref, dict):
            continue
        ref_path = f"{path}.{field_name}"
        if "key" in ref:  # an env var reads one key
            keys: tuple[tuple[str, str], ...] = ((str(ref["key"]), f"{ref_path}.key"),)
        else:  # a volume reads the keys its items name (all keys when none)
            items = [item for item in ref.get("items") or [] if isinstance(item, dict)]
            keys = tuple(
                (str(item.get("key", "")), f"{ref_path}.items[{n}].key") for n, item in enumerate(items)
            )
        yield ConfigReference(
            kind,
            str(ref.get(name_field) or ""),
            f"{ref_path}.{name_field}",
            ref.get("optional") is True,
            keys,
        )


def external_names(values: Any, extra: Iterable[str] = ()) -> set[str]:
    """Names of objects that the values say exist outside the chart (an operator's own Secret,
    ConfigMap, ServiceAccount or claim), so references to them are not dangling:

    - every string under a key containing "existing" (``existingSecret``, ``existingClaim``);
    - the value of a ``secretName`` key;
    - the ``name`` in an object whose key contains "secret" or "configMap" (``caSecret``,
      ``apiKeySecret``, ``secretKeyRef``, ``configMapRef``, ``imagePullSecrets``);
    - the ``name`` next to a ``key`` (a key selector such as ``caBundle: {name, key}``);
    - the ``name`` next to ``create: false`` (``serviceAccount: {create: false, name}``);
    - and ``extra`` (a check's ``external`` option).
    """
    names = {name for name in extra if name}
    _collect_external(values, "", names)
    return names


@dataclass(frozen=True)
class ExternalOptions:
    """Options of the checks that use ``declared_external``."""

    external: tuple[str, ...] = ()  # names of objects that exist outside the chart


def declared_external(ctx: CheckContext) -> set[str]:
    """``external_names`` of the values Helm renders with (the chart's defaults coalesced with the
    scenario's values), plus the check's ``external`` option."""
    assert ctx.outcome is not None, "object checks always see their render"
    return ctx.services.derived(ctx.outcome.scenario, external_names) | set(ctx.options.external)


def _collect_external(node: Any, key: str, names: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_external(item, key, names)
        return
    if not isinstance(node, dict):
        return
    name = node.get("name")
    lowered = key.lower()
    if (
        isinstance(name, str)
        and name
        and ("secret" in lowered or "configmap" in lowered or "key" in node or node.get("create") is False)
    ):
        names.add(name)
    for child_key, child in node.items():
        child_key = str(child_key)
        if "existing" in child_key.lower():
            names.update(_external_strings(child))
        elif child_key == "secretName" and isinstance(child, str) and child:
            names.add(child)
        else:
            _collect_external(child, child_key, names)


def _external_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if node:
            yield node
    elif isinstance(node, dict):
        for child in node.values():
            yield from _external_strings(child)
    elif isinstance(node, list):
        for child in node:
            yield from _external_strings(child)


def key_path(base: str, key: str) -> str:
    """The path of a map key under ``base``, quoted when it is not a plain word:
    ``data.password``, ``data["tls.key"]``."""
    plain = key.replace("-", "").replace("_", "").isalnum()
    return f"{base}.{key}" if plain else f'{base}["{key}"]'


def pod_metadata_path(obj: dict[str, Any]) -> str:
    """Where a workload keeps the metadata of its pods (``spec.template.metadata``); "" for other kinds."""
    keys = POD_SPEC_PATHS.get(str(obj.get("kind")))
    return ".".join((*keys[:-1], "metadata")) if keys else ""


@dataclass(frozen=True)
class EnvImport:
    """A ConfigMap or Secret feeding a container's environment: one key into one variable
    (``env[].valueFrom``), or every key under a prefix (``envFrom``)."""

    kind: str  # "ConfigMap" or "Secret"
    name: str
    key: str | None  # None: every key (envFrom)
    variable: str  # env: the variable it sets; envFrom: ""
    prefix: str  # envFrom: prepended to every key; env: ""
    path: str  # the env or envFrom entry
    optional: bool


def env_imports(container: Container) -> Iterator[EnvImport]:
    """The ConfigMaps and Secrets a container reads into its environment, in the order of its
    ``env`` list, then its ``envFrom`` list."""
    for index, entry in enumerate(container.container.get("env") or []):
        value_from = entry.get("valueFrom") if isinstance(entry, dict) else None
        for field_name, kind, name_field in _ENV_KEY_REFS:
            ref = value_from.get(field_name) if isinstance(value_from, dict) else None
            if isinstance(ref, dict):
                yield EnvImport(
                    kind,
                    str(ref.get(name_field) or ""),
                    str(ref.get("key", "")),
                    str(entry.get("name", "")),
                    "",
                    f"{container.path}.env[{index}]",
                    ref.get("optional") is True,
                )
    for index, entry in enumerate(container.container.get("envFrom") or []):
        for field_name, kind, name_field in _ENV_FROM_REFS:
            ref = entry.get(field_name) if isinstance(entry, dict) else None
            if isinstance(ref, dict):
                yield EnvImport(
                    kind,
                    str(ref.get(name_field) or ""),
                    None,
                    "",
                    str(entry.get("prefix") or ""),
                    f"{container.path}.envFrom[{index}]",
                    ref.get("optional") is True,
                )


@dataclass(frozen=True)
class DataEntry:
    """One value of a ConfigMap or Secret, as a pod reads it."""

    key: str
    text: str | None  # None: a Secret value that is not valid base64
    path: str


def config_data(obj: dict[str, Any]) -> list[DataEntry]:
    """The text values of a ConfigMap (``data``) or a Secret (``data`` decoded, then ``stringData``,
    which the API server merges over ``data``); ``binaryData`` never reaches environment variables."""
    secret = obj.get("kind") == "Secret"
    entries: dict[str, DataEntry] = {}
    for key, value in (obj.get("data") or {}).items():
        text: str | None = "" if value is None else str(value)
        if secret and text:
            try:
                text = base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
            except binascii.Error:
                text = None
        entries[str(key)] = DataEntry(str(key), text, key_path("data", str(key)))
    for key, value in ((obj.get("stringData") or {}) if secret else {}).items():
        entries[str(key)] = DataEntry(
            str(key), "" if value is None else str(value), key_path("stringData", str(key))
        )
    return list(entries.values())


# A variable name in a $(NAME) reference: the rule Kubernetes long applied to env names (a C
# identifier). "$(date -u +%s)" in a shell command line is not a reference.
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def variable_references(text: str) -> list[str]:
    """The names ``text`` refers to as ``$(NAME)``, read the way the kubelet expands env values,
    command and args: ``$$`` is an escaped ``$`` (so ``$$(A)`` refers to nothing), and an
    unclosed ``$(`` is literal text."""
    names, index = [], text.find("$")
    while 0 <= index < len(text) - 1:
        if text[index + 1] == "(":
            end = text.find(")", index + 2)
            if end < 0:
                break
            if _VARIABLE_NAME.fullmatch(text[index + 2 : end]):
                names.append(text[index + 2 : end])
            index = text.find("$", end + 1)
        else:  # "$$" or "$x": the next character is consumed and starts nothing
            index = text.find("$", index + 2)
    return names
