"""A container's environment: the ConfigMaps and Secrets feeding it and ``$(NAME)`` references."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chartgen.checks.objects.pods import Container
from chartgen.checks.objects.references import ENV_FROM_REFS, ENV_KEY_REFS


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
        for field_name, kind, name_field in ENV_KEY_REFS:
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
        for field_name, kind, name_field in ENV_FROM_REFS:
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
