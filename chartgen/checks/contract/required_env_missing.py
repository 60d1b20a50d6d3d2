"""
## What it does
Checks that each container running a certctl binary gets every variable that binary requires
(the `required` entries of `schemas/catalog/env.yaml`), directly in `env` or through a
ConfigMap or Secret it imports with `envFrom` that the chart renders. Which binary a container
runs is told by its image repository (option `images`: last path segment → binary), or by its
command when that is a certctl image's entrypoint (`/app/server`, `/app/agent`, from
`schemas/catalog/certctl.yaml`). A container whose command is something else (a shell wrapper)
is not judged: it may provide the variables itself before it runs the binary. Without a catalog
the check reports nothing.

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

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.contract.certctl import CertctlImagesOptions, certctl_containers, env_settings
from chartgen.checks.objects.pods import WORKLOAD_KINDS
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="required-env-missing",
    code="CON002",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container runs a certctl binary without a variable the binary requires.",
    remediation="Set the variable in the container's env, or in a ConfigMap or Secret it reads with envFrom.",
    options=CertctlImagesOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.env_catalog
    if catalog is None:
        return
    for found in certctl_containers(manifest, ctx):
        if not found.runs_binary:
            continue  # a shell wrapper may provide the variables itself before it execs the binary
        present = {setting.name for setting in env_settings(found.container, ctx)}
        for name in catalog.required_for(found.binary):
            if name not in present:
                yield Finding(
                    f"container {found.container.name!r} runs the {found.binary} binary without {name}",
                    path=f"{found.container.path}.env",
                )
