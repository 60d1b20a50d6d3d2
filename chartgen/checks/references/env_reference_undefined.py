"""
## What it does
Reports a `$(NAME)` reference that the kubelet cannot expand:

- in an `env[].value`, when `NAME` is not defined before that entry — by an earlier `env`
  entry or by the container's `envFrom` (which the kubelet reads first);
- in `command` or `args`, when `NAME` is not defined anywhere in the container's `env` or
  `envFrom`.

Keys that `envFrom` imports count when the ConfigMap or Secret is rendered; an `envFrom` object
the render does not contain may define anything (under its `prefix`). Service link variables
(`<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT`...) of the Services rendered in the pod's namespace
count unless `enableServiceLinks: false`; those of the `kubernetes` Service always count.
`$$(NAME)` is an escape and refers to nothing; only names of the form `[A-Za-z_][A-Za-z0-9_]*`
are references, so shell such as `$(date -u +%s)` is left alone.

## Why is this bad?
An undefined reference is not an error: the kubelet leaves the text `$(NAME)` in the value,
and the program gets it literally — a database URL whose password is the string
`$(POSTGRES_PASSWORD)`, which fails authentication with a misleading message. Order matters:
a variable declared after the one that uses it is not yet defined.

## Example
```yaml
env:
  - name: DATABASE_URL
    value: postgres://app:$(POSTGRES_PASSWORD)@db/app    # defined only below
  - name: POSTGRES_PASSWORD
    valueFrom: {secretKeyRef: {name: db, key: password}}
```

## Use instead
```yaml
env:
  - name: POSTGRES_PASSWORD
    valueFrom: {secretKeyRef: {name: db, key: password}}
  - name: DATABASE_URL
    value: postgres://app:$(POSTGRES_PASSWORD)@db/app
```

## References
- https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
- https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#use-environment-variables-to-define-arguments
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.env import env_imports, variable_references
from chartgen.checks.objects.pods import (
    WORKLOAD_KINDS,
    Container,
    PodSpec,
    containers,
    name_of,
    namespace_of,
    pod_spec,
)
from chartgen.checks.objects.references import config_data, find_object
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# The API server's own Service: its link variables are in every pod, service links or not.
KUBERNETES_SERVICE = {"metadata": {"name": "kubernetes"}, "spec": {"ports": [{"name": "https", "port": 443}]}}


@check(
    id="env-reference-undefined",
    code="REF010",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A $(NAME) reference in an env value, command or args names no variable defined before it.",
    remediation="Define the variable before the entry that uses it, or escape a literal $( as $$(.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    objects = ctx.object_dicts
    services = _service_variables(pod, objects, namespace, default)
    for container in containers(pod):
        variables = _Variables(container, objects, namespace, default, services)
        env = [entry if isinstance(entry, dict) else {} for entry in container.container.get("env") or []]
        names = [str(entry.get("name", "")) for entry in env]
        for index, entry in enumerate(env):
            value = entry.get("value")
            for name in dict.fromkeys(variable_references(value) if isinstance(value, str) else []):
                if not variables.defines(name):
                    after = names[index + 1 :]
                    later = f" (only later, at env[{index + 1 + after.index(name)}])" if name in after else ""
                    yield Finding(
                        f'$({name}) in env {names[index]} of container "{container.name}" is not defined '
                        f"before this entry{later}; the kubelet leaves the text as it is",
                        path=f"{container.path}.env[{index}].value",
                    )
            variables.defined.add(names[index])
        for field in ("command", "args"):
            for index, argument in enumerate(container.container.get(field) or []):
                for name in dict.fromkeys(variable_references(argument) if isinstance(argument, str) else []):
                    if not variables.defines(name):
                        yield Finding(
                            f'$({name}) in {field} of container "{container.name}" is not defined in its env '
                            "or envFrom; the kubelet leaves the text as it is",
                            path=f"{container.path}.{field}[{index}]",
                        )


class _Variables:
    """The variables a container's references can see: service links, envFrom imports, then
    ``defined`` grows entry by entry through its env list."""

    def __init__(
        self,
        container: Container,
        objects: list[dict[str, Any]],
        namespace: str,
        default: str,
        services: set[str],
    ) -> None:
        self.defined = set(services)
        self.open_prefixes: list[str] = []  # envFrom objects the render lacks: any name under the prefix
        for source in env_imports(container):
            if source.key is not None:
                continue
            obj = find_object(objects, source.kind, source.name, namespace, default)
            if obj is None:
                self.open_prefixes.append(source.prefix)
            else:
                self.defined |= {source.prefix + entry.key for entry in config_data(obj)}

    def defines(self, name: str) -> bool:
        return name in self.defined or any(name.startswith(prefix) for prefix in self.open_prefixes)


def _service_variables(pod: PodSpec, objects: list[dict[str, Any]], namespace: str, default: str) -> set[str]:
    """The service link variables the kubelet puts into the pod's containers."""
    services: list[dict[str, Any]] = [KUBERNETES_SERVICE]
    if pod.spec.get("enableServiceLinks") is not False:
        services += [
            o for o in objects if o.get("kind") == "Service" and namespace_of(o, default) == namespace
        ]
    names: set[str] = set()
    for service in services:
        spec = service.get("spec") or {}
        ports = [port for port in spec.get("ports") or [] if isinstance(port, dict)]
        if spec.get("clusterIP") == "None" or spec.get("type") == "ExternalName" or not ports:
            continue  # no cluster IP, no variables
        prefix = _variable_name(name_of(service))
        names |= {f"{prefix}_SERVICE_HOST", f"{prefix}_SERVICE_PORT", f"{prefix}_PORT"}
        for port in ports:
            if port.get("name"):
                names.add(f"{prefix}_SERVICE_PORT_{_variable_name(str(port['name']))}")
            link = f"{prefix}_PORT_{port.get('port')}_{str(port.get('protocol') or 'TCP').upper()}"
            names |= {link, f"{link}_PROTO", f"{link}_PORT", f"{link}_ADDR"}
    return names


def _variable_name(name: str) -> str:
    return name.upper().replace("-", "_")
