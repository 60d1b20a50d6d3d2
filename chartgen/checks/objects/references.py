"""References between the objects of one render: ConfigMaps and Secrets a pod reads, their
data, and the names the values declare to exist outside the chart."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chartgen.checks.objects.pods import PodSpec, containers, name_of, namespace_of, pod_spec

if TYPE_CHECKING:
    from chartgen.checks.context import CheckContext

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


@dataclass(frozen=True)
class ConfigReference:
    """A pod's reference to a ConfigMap or Secret, from env, envFrom or a (projected) volume."""

    kind: str  # "ConfigMap" or "Secret"
    name: str
    path: str  # the field that names the object
    optional: bool
    keys: tuple[tuple[str, str], ...] = ()  # the keys it reads, each with the path of the field naming it


# The fields that reference a ConfigMap or Secret: (field, kind, the field inside it holding the name).
ENV_KEY_REFS = (("configMapKeyRef", "ConfigMap", "name"), ("secretKeyRef", "Secret", "name"))
ENV_FROM_REFS = (("configMapRef", "ConfigMap", "name"), ("secretRef", "Secret", "name"))
_VOLUME_REFS = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"))
_PROJECTED_REFS = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "name"))


def config_references(pod: PodSpec) -> Iterator[ConfigReference]:
    """Every ConfigMap and Secret a pod spec reads: env ``valueFrom``, ``envFrom``, volumes and
    projected volume sources, with the keys they name (``key``, ``items[].key``)."""
    for container in containers(pod):
        for index, env in enumerate(container.container.get("env") or []):
            value_from = env.get("valueFrom") if isinstance(env, dict) else None
            if isinstance(value_from, dict):
                yield from _references(value_from, f"{container.path}.env[{index}].valueFrom", ENV_KEY_REFS)
        for index, source in enumerate(container.container.get("envFrom") or []):
            if isinstance(source, dict):
                yield from _references(source, f"{container.path}.envFrom[{index}]", ENV_FROM_REFS)
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
        keys: tuple[tuple[str, str], ...]
        if "key" in ref:  # an env var reads one key
            keys = ((str(ref["key"]), f"{ref_path}.key"),)
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


def created_by_hook(
    name: str, objects: Iterable[dict[str, Any]], namespace: str, default_namespace: str = ""
) -> str:
    """The Helm hook (a Job or Pod annotated ``helm.sh/hook``) in ``namespace`` whose containers
    are told the name ``name`` in their command, args or env values — a hook that creates the
    object at install time, as certificate generators do with a webhook's Secret — as
    ``Job/<name>``; "" when there is none."""
    mention = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])")
    for obj in objects:
        if "helm.sh/hook" not in ((obj.get("metadata") or {}).get("annotations") or {}):
            continue
        pod = pod_spec(obj)
        if pod is None or namespace_of(obj, default_namespace) != namespace:
            continue
        for container in containers(pod):
            spec = container.container
            texts = [*(spec.get("command") or []), *(spec.get("args") or [])]
            texts += [env.get("value") for env in spec.get("env") or [] if isinstance(env, dict)]
            if any(isinstance(text, str) and mention.search(text) for text in texts):
                return f"{obj.get('kind')}/{name_of(obj)}"
    return ""
