"""
## What it does
Reports a container that mounts a private key from a Secret volume (or a projected volume's
Secret source) without using it.

The volume exposes a private key when its `items` project `tls.key`, or, without `items`,
when the whole Secret holds one: the Secret rendered in the same render has type
`kubernetes.io/tls` or a `tls.key` key; a Secret the chart does not render is assumed to be
a TLS Secret. Keys of a rendered Secret whose value is a PEM private key count like
`tls.key`.

The container uses the key when something it reads names the key file, or another file
under the mount whose name says it is a key (`tls.key`, `key`, `server-key.pem`: the names
of the keys of a Secret the chart does not render are unknown). What it reads: a literal env
value, a value of a ConfigMap the chart renders and the container reads (`envFrom`,
`configMapKeyRef`, or a ConfigMap volume it mounts), or a `command` or `args` string. A
Secret the chart does not render that is named after the workload or the container mounting
it (`repo-server-tls` mounted by the `repo-server`) is its serving identity, provisioned for
it: servers read their own key at a built-in path.

## Why is this bad?
A private key is the identity of whoever holds it. Mounted into a pod that does not need
it, it can be read by anyone who breaks into that pod, on every node the pod runs on: the
upstream certctl agent DaemonSet mounted the server's whole TLS Secret, so the server's key
was on every node although the agent only needs the CA certificate.

## Example
```yaml
containers:
  - name: agent
    env:
      - {name: CERTCTL_SERVER_CA_BUNDLE_PATH, value: /etc/certctl/tls/ca.crt}
    volumeMounts:
      - {name: server-tls, mountPath: /etc/certctl/tls, readOnly: true}
volumes:
  - name: server-tls
    secret:
      secretName: certctl-server-tls        # tls.crt, tls.key and ca.crt
```

## Use instead
```yaml
volumes:
  - name: server-tls
    secret:
      secretName: certctl-server-tls
      items:
        - {key: ca.crt, path: ca.crt}       # only what the agent reads
```

## References
- https://kubernetes.io/docs/concepts/configuration/secret/#projection-of-secret-keys-to-specific-paths
- https://kubernetes.io/docs/concepts/security/secrets-good-practices/#least-privilege-access-to-secrets
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.env import env_imports
from chartgen.checks.objects.pods import WORKLOAD_KINDS, Container, PodSpec, containers, pod_spec
from chartgen.checks.objects.references import config_data, find_object
from chartgen.checks.security.secret_like import holds_private_key
from chartgen.findings import Finding
from chartgen.manifests import Manifest

PRIVATE_KEY = "tls.key"
Lookup = Callable[[str, str], "dict[str, Any] | None"]  # (kind, name) -> the object of the render, or None


@dataclass(frozen=True)
class KeyVolume:
    """A pod volume that puts private keys into the containers mounting it."""

    secret: str
    files: tuple[str, ...]  # the key files, relative to the volume's root


@check(
    id="private-key-mounted-without-need",
    code="SEC014",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container mounts a Secret's private key that nothing in the container refers to.",
    remediation="Project only the keys the container reads with the volume's items, or do not mount the Secret.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    release_namespace = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    siblings = ctx.object_dicts

    def rendered(kind: str, name: str) -> dict[str, Any] | None:
        return find_object(siblings, kind, name, namespace, release_namespace)

    workload = str((manifest.obj.get("metadata") or {}).get("name", ""))
    key_volumes = _key_volumes(pod, rendered)
    for container in containers(pod):
        mounts = list(_key_mounts(container, key_volumes))
        texts = _texts(container, pod, rendered) if mounts else []
        for path, mount_path, secret, exposed in mounts:
            if not _refers(texts, mount_path, exposed) and not (
                rendered("Secret", secret) is None and _own_identity(secret, workload, container)
            ):
                yield Finding(
                    f'{container.title} mounts the private key {exposed[0]} from Secret "{secret}" but '
                    "refers to it nowhere (env, ConfigMaps it reads, command, args)",
                    path=path,
                )


def _key_mounts(
    container: Container, key_volumes: dict[str, list[KeyVolume]]
) -> Iterator[tuple[str, str, str, list[str]]]:
    """The container's mounts of private keys: (path of the mount, mount path, Secret, key files as mounted)."""
    for index, mount in enumerate(container.container.get("volumeMounts") or []):
        if not isinstance(mount, dict):
            continue
        for volume in key_volumes.get(str(mount.get("name")), []):
            exposed = _exposed_paths(volume, mount)
            if exposed:
                mount_path = str(mount.get("mountPath", "")).rstrip("/")
                yield f"{container.path}.volumeMounts[{index}]", mount_path, volume.secret, exposed


def _key_volumes(pod: PodSpec, rendered: Lookup) -> dict[str, list[KeyVolume]]:
    """The Secret sources of the pod's volumes that expose private keys, by volume name."""
    found: dict[str, list[KeyVolume]] = {}
    for volume in pod.spec.get("volumes") or []:
        for source in _sources(volume, "secret"):
            secret = str(source.get("secretName") or source.get("name") or "")  # a volume's, a projection's
            files = _key_files(source, rendered("Secret", secret))
            if files:
                found.setdefault(str(volume.get("name")), []).append(KeyVolume(secret, files))
    return found


def _sources(volume: Any, field: str) -> list[dict[str, Any]]:
    """The ``secret`` or ``configMap`` source of a volume, and those of its projected sources."""
    if not isinstance(volume, dict):
        return []
    projected = [
        source for source in (volume.get("projected") or {}).get("sources") or [] if isinstance(source, dict)
    ]
    return [node[field] for node in (volume, *projected) if isinstance(node.get(field), dict)]


def _key_files(source: dict[str, Any], secret: dict[str, Any] | None) -> tuple[str, ...]:
    """The private key files a Secret volume source projects, relative to the volume."""
    keys = _private_keys(secret)
    items = [item for item in source.get("items") or [] if isinstance(item, dict)]
    if items:
        return tuple(str(item.get("path") or item.get("key")) for item in items if item.get("key") in keys)
    return tuple(sorted(keys)) if secret is not None else (PRIVATE_KEY,)


def _private_keys(secret: dict[str, Any] | None) -> set[str]:
    """The keys of a rendered Secret that hold a private key; just tls.key when it is not rendered."""
    if secret is None:
        return {PRIVATE_KEY}
    keys = {
        entry.key
        for entry in config_data(secret)
        if entry.key == PRIVATE_KEY or holds_private_key(entry.text or "")
    }
    return keys | {PRIVATE_KEY} if secret.get("type") == "kubernetes.io/tls" else keys


def _exposed_paths(volume: KeyVolume, mount: dict[str, Any]) -> list[str]:
    """Where the volume's key files appear in the container (a subPath mount shows one file or folder)."""
    mount_path = str(mount.get("mountPath", "")).rstrip("/")
    sub_path = str(mount.get("subPath") or "").strip("/")
    exposed = []
    for file in volume.files:
        if not sub_path:
            exposed.append(f"{mount_path}/{file}")
        elif file == sub_path:
            exposed.append(mount_path)
        elif file.startswith(sub_path + "/"):
            exposed.append(f"{mount_path}/{file[len(sub_path) + 1 :]}")
    return exposed


def _texts(container: Container, pod: PodSpec, rendered: Lookup) -> list[str]:
    """Every string through which the container can be told a file path."""
    spec = container.container
    texts = [str(part) for field in ("command", "args") for part in spec.get(field) or []]
    texts += [
        str(env["value"])
        for env in spec.get("env") or []
        if isinstance(env, dict) and env.get("value") is not None
    ]
    config_maps = [
        (i.name, i.key) for i in env_imports(container) if i.kind == "ConfigMap"
    ]  # key None: all keys
    mounted = {mount.get("name") for mount in spec.get("volumeMounts") or [] if isinstance(mount, dict)}
    for volume in pod.spec.get("volumes") or []:
        if isinstance(volume, dict) and volume.get("name") in mounted:
            config_maps += [(str(source.get("name")), None) for source in _sources(volume, "configMap")]
    for name, key in config_maps:
        config_map = rendered("ConfigMap", name)
        entries = config_data(config_map) if config_map else []
        texts += [entry.text or "" for entry in entries if key is None or entry.key == key]
    return texts


def _refers(texts: list[str], mount_path: str, exposed: list[str]) -> bool:
    """Whether a text names one of the key files, or a file under the mount named like a key."""
    under_mount = re.compile(re.escape(mount_path) + r"/(?:[^\s\"',;=]*/)?[^\s\"',;=/]*key[^\s\"',;=/]*")
    return any(path in text for text in texts for path in exposed) or any(
        under_mount.search(t) for t in texts
    )


# Suffixes that name a Secret after whose identity it holds: "repo-server-tls".
_IDENTITY_SUFFIXES = ("-tls", "-certs", "-cert", "-certificate", "-keys", "-key", "-secret")


def _own_identity(secret: str, workload: str, container: Container) -> bool:
    """Whether the Secret is named after the workload or the container mounting it."""
    stem = next((secret.removesuffix(s) for s in _IDENTITY_SUFFIXES if secret.endswith(s)), "")
    return bool(stem) and (
        workload.endswith(stem) or stem.endswith(f"-{container.name}") or stem == container.name
    )
