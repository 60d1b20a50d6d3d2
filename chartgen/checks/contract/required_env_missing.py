"""
## What it does
Checks that each container running a certctl binary gets every variable that binary requires
(the `required` entries of `schemas/catalog/env.yaml`), directly in `env` or through a
ConfigMap or Secret it imports with `envFrom` that the chart renders. Which binary a container
runs is told by its image repository (option `images`: last path segment → binary). Without a
catalog the check reports nothing.

## Why is this bad?
The binary exits at start-up and the pod crash-loops. The upstream chart never set
`CERTCTL_AGENT_ID`, so every agent pod failed on every node.

## Example
```yaml
image: ghcr.io/certctl-io/certctl-agent:v2.0.71
env:
  - {name: CERTCTL_SERVER_URL, value: "https://certctl-server:8443"}
  - {name: CERTCTL_API_KEY, valueFrom: {secretKeyRef: {name: certctl-agent, key: api-key}}}
```

## Use instead
```yaml
env:
  - {name: CERTCTL_SERVER_URL, value: "https://certctl-server:8443"}
  - {name: CERTCTL_API_KEY, valueFrom: {secretKeyRef: {name: certctl-agent, key: api-key}}}
  - {name: CERTCTL_AGENT_ID, value: agent-1}
```

## Options
- `images` (mapping, default `{certctl-server: server, certctl-agent: agent}`): which binary an image runs, by the last part of its repository.

## References
- https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, Container, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class RequiredEnvMissingOptions:
    # image repository name (last path part) -> the certctl binary it runs
    images: dict[str, str] = field(
        default_factory=lambda: {"certctl-server": "server", "certctl-agent": "agent"}
    )


@check(
    id="required-env-missing",
    code="CON002",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container runs a certctl binary without a variable the binary requires.",
    remediation="Set the variable in the container's env, or in a ConfigMap or Secret it reads with envFrom.",
    options=RequiredEnvMissingOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.env_catalog
    pod = pod_spec(manifest.obj)
    if catalog is None or pod is None:
        return
    for container in containers(pod):
        repository = str(container.container.get("image", "")).split("@")[0].rsplit(":", 1)[0]
        binary = ctx.options.images.get(repository.rsplit("/", 1)[-1])
        if binary is None:
            continue
        present = _env_names(container, ctx)
        for name in catalog.required_for(binary):
            if name not in present:
                yield Finding(
                    f"container {container.name!r} runs the {binary} binary without {name}",
                    path=f"{container.path}.env",
                )


def _env_names(container: Container, ctx: CheckContext) -> set[str]:
    names = {
        str(entry.get("name")) for entry in container.container.get("env") or [] if isinstance(entry, dict)
    }
    rendered = {(m.obj.get("kind"), (m.obj.get("metadata") or {}).get("name")): m.obj for m in ctx.objects}
    for source in container.container.get("envFrom") or []:
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = (source or {}).get(key)
            if ref and (kind, ref.get("name")) in rendered:
                obj = rendered[(kind, ref.get("name"))]
                prefix = str(source.get("prefix", ""))
                names |= {prefix + str(k) for field in ("data", "stringData") for k in obj.get(field) or {}}
    return names
