"""
## What it does
Compares every application environment variable the chart sets with the catalog of variables
the application's binaries read (`schemas/catalog/env.yaml`): names in containers' `env`, and
keys of ConfigMaps and Secrets that containers read with `envFrom`. A name with the catalog's
prefix (option `prefix`, default `CERTCTL_`) must be in the catalog; a name the catalog lists
as rejected (read by no code, though it looks real) is reported with the reason. Digits in
names count (`CERTCTL_ACME_SERVER_HTTP01_CONCURRENCY`), unlike in grep-based guards. Without a
catalog the check reports nothing.

## Why is this bad?
The binary silently ignores a variable it does not read: the setting looks applied and is
not. Phantom names in a chart (a renamed variable, a typo) are the classic case.

## Example
```yaml
env:
  - name: CERTCTL_AGENT_POLL_INTERVAL   # no binary reads it
    value: 15s
```

## Use instead
Set a variable the binary reads, or drop the setting.

## Options
- `prefix` (string, default `CERTCTL_`): only variables whose name starts with it are compared with the catalog.

## References
- https://12factor.net/config
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@dataclass(frozen=True)
class UnknownEnvVarOptions:
    prefix: str = "CERTCTL_"  # only names with this prefix are the application's to know


@check(
    id="unknown-env-var",
    code="CON001",
    scope=Scope.OBJECT,
    kinds=(*WORKLOAD_KINDS, "ConfigMap", "Secret"),
    description="The chart sets an application environment variable that no binary reads.",
    remediation="Use the variable's real name from the catalog, or remove the setting.",
    options=UnknownEnvVarOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.env_catalog
    if catalog is None:
        return
    for name, path in _names(manifest, ctx):
        if not name.startswith(ctx.options.prefix) or catalog.is_known(name):
            continue
        reason = catalog.rejected_reason(name)
        yield Finding(f"{name} is read by no certctl binary" + (f": {reason}" if reason else ""), path=path)


def _names(manifest: Manifest, ctx: CheckContext) -> Iterator[tuple[str, str]]:
    obj = manifest.obj
    if obj.get("kind") in ("ConfigMap", "Secret"):
        if _read_with_env_from(obj, ctx):
            for field in ("data", "stringData"):
                for key in obj.get(field) or {}:
                    yield str(key), f'{field}["{key}"]' if not str(key).isidentifier() else f"{field}.{key}"
        return
    pod = pod_spec(obj)
    if pod is None:
        return
    for container in containers(pod):
        for index, entry in enumerate(container.container.get("env") or []):
            if isinstance(entry, dict) and "name" in entry:
                yield str(entry["name"]), f"{container.path}.env[{index}].name"


def _read_with_env_from(obj: dict, ctx: CheckContext) -> bool:
    """Whether some container of the render imports this ConfigMap/Secret as variables."""
    kind, name = obj.get("kind"), (obj.get("metadata") or {}).get("name")
    ref_key = "configMapRef" if kind == "ConfigMap" else "secretRef"
    for other in ctx.objects:
        pod = pod_spec(other.obj)
        if pod is None:
            continue
        for container in containers(pod):
            for source in container.container.get("envFrom") or []:
                if (
                    isinstance(source, dict)
                    and (source.get(ref_key) or {}).get("name") == name
                    and not source.get("prefix")
                ):
                    return True
    return False
