"""What the contract checks share: which containers run certctl, at which version, with what env.

Not a check. A container runs a certctl binary when its image repository's last segment is
one the check's ``images`` option maps to a binary (``certctl-server`` -> server), or when
its command is a certctl image's entrypoint (``/app/server``). It runs the version of its
image tag when the catalog knows that release, else the chart's appVersion when the catalog
knows that, else no known version (then only names are judged, not versions).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import Container, containers, pod_spec
from chartgen.manifests import Manifest

DEFAULT_IMAGES = {"certctl-server": "server", "certctl-agent": "agent"}
"""The ``images`` option's default: image repository (last path segment) -> certctl binary."""


@dataclass(frozen=True)
class CertctlImagesOptions:
    """The options of every check that finds certctl containers by their image."""

    images: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_IMAGES))


@dataclass(frozen=True)
class CertctlContainer:
    """A container that runs a certctl binary."""

    container: Container
    binary: str
    version: str | None
    """The certctl release tag it runs, when the catalog knows it."""

    runs_binary: bool
    """Whether the container surely runs the binary: no command, or the image's entrypoint. A
    shell wrapper (``/bin/sh -c ...``) may or may not exec it, with arguments of its own."""

    @property
    def at(self) -> str:
        """How messages name the version."""
        return f"certctl {self.version}" if self.version else "certctl"


@dataclass(frozen=True)
class EnvSetting:
    """One variable a container gets: from its env, or a key of a rendered ConfigMap/Secret it imports."""

    name: str
    value: str | None
    """The literal value; None when it comes from a reference (valueFrom) and is not known."""
    path: str


def image_repository_and_tag(image: str) -> tuple[str, str | None]:
    """``ghcr.io/x/certctl-agent:v2.0.71@sha256:...`` -> (``ghcr.io/x/certctl-agent``, ``v2.0.71``)."""
    name = image.split("@", 1)[0]
    repository, _, tag = name.rpartition(":")
    if not repository or "/" in tag:  # no tag; the colon belonged to a registry port
        return name, None
    return repository, tag


def certctl_containers(manifest: Manifest, ctx: CheckContext) -> Iterator[CertctlContainer]:
    """The containers of a workload that run a certctl binary."""
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        found = certctl_container(container, ctx)
        if found is not None:
            yield found


def certctl_container(container: Container, ctx: CheckContext) -> CertctlContainer | None:
    """``container`` as a certctl container, or None when it runs no certctl binary."""
    repository, tag = image_repository_and_tag(str(container.container.get("image", "")))
    binary = ctx.options.images.get(repository.rsplit("/", 1)[-1])
    catalog = ctx.services.certctl_catalog
    command = container.container.get("command") or []
    if binary is None and catalog is not None and command:
        binary = catalog.binary_for_command(str(command[0]))
    if binary is None:
        return None
    entrypoint = catalog.image(binary, "entrypoint") if catalog is not None else None
    runs_binary = not command or [str(part) for part in command] == entrypoint
    return CertctlContainer(container, binary, _version(tag, ctx), runs_binary)


def _version(tag: str | None, ctx: CheckContext) -> str | None:
    catalog = ctx.services.certctl_catalog
    if catalog is None:
        return None
    app_version = (ctx.services.chart.metadata or {}).get("appVersion")
    return catalog.releases.known(tag) or catalog.releases.known(str(app_version) if app_version else None)


def env_settings(container: Container, ctx: CheckContext) -> Iterator[EnvSetting]:
    """Variables set in ``env``, then keys of rendered ConfigMaps/Secrets read with ``envFrom``."""
    for index, entry in enumerate(container.container.get("env") or []):
        if isinstance(entry, dict) and "name" in entry:
            value = entry.get("value", "" if "valueFrom" not in entry else None)
            yield EnvSetting(
                str(entry["name"]), None if value is None else str(value), f"{container.path}.env[{index}]"
            )
    rendered = {(m.obj.get("kind"), (m.obj.get("metadata") or {}).get("name")): m.obj for m in ctx.objects}
    for index, source in enumerate(container.container.get("envFrom") or []):
        if not isinstance(source, dict):
            continue
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            name = (source.get(key) or {}).get("name")
            obj = rendered.get((kind, name))
            if obj is not None:
                prefix = str(source.get("prefix", ""))
                for data_key, value in _data(obj).items():
                    yield EnvSetting(prefix + data_key, value, f"{container.path}.envFrom[{index}]")


def _data(obj: dict[str, Any]) -> dict[str, str | None]:
    """A ConfigMap's or Secret's keys and values (Secret data decoded; None when not text)."""
    values: dict[str, str | None] = {}
    for key, value in (obj.get("data") or {}).items():
        values[str(key)] = _decode(value) if obj.get("kind") == "Secret" else str(value)
    for key, value in (obj.get("stringData") or {}).items():
        values[str(key)] = str(value)
    return values


def _decode(value: Any) -> str | None:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
