"""
## What it does
Reports an Ingress backend (`spec.defaultBackend` or a rule path's `backend`) that names a
Service the render does not contain, or a port — by `name` or `number` — that the Service
does not have. Resource backends are not checked.

## Why is this bad?
The ingress controller has nowhere to send the traffic and answers 503 (or drops the route),
while `helm install` reports success. A port renamed in the Service template, or a Service
switched off by a value while the Ingress stays on, both end here.

## Example
```yaml
kind: Ingress
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
---
kind: Service
metadata: {name: web}
spec:
  ports: [{name: https, port: 443}]
```

## Use instead
```yaml
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: https}}}}
```

## References
- https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.references import find_object
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="ingress-backend-missing",
    code="REF003",
    scope=Scope.OBJECT,
    kinds=("Ingress",),
    description="An Ingress backend names a Service or Service port that is not rendered.",
    remediation="Point the backend at a rendered Service and at a port name or number that Service declares.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    objects = ctx.object_dicts
    for path, service_ref in _service_backends(manifest.obj.get("spec") or {}):
        name = str(service_ref.get("name", ""))
        service = find_object(objects, "Service", name, namespace, default)
        if service is None:
            yield Finding(f'Service "{name}" is not rendered in namespace {namespace}', path=f"{path}.name")
            continue
        port = service_ref.get("port") or {}
        ports = [p for p in (service.get("spec") or {}).get("ports") or [] if isinstance(p, dict)]
        if "name" in port and port["name"] not in {p.get("name") for p in ports}:
            yield Finding(f'Service "{name}" has no port named "{port["name"]}"', path=f"{path}.port.name")
        elif "number" in port and port["number"] not in {p.get("port") for p in ports}:
            yield Finding(f'Service "{name}" has no port {port["number"]}', path=f"{path}.port.number")


def _service_backends(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each Service backend, with the path of its ``service`` field."""
    default_backend = (spec.get("defaultBackend") or {}).get("service")
    if isinstance(default_backend, dict):
        yield "spec.defaultBackend.service", default_backend
    for rule_index, rule in enumerate(spec.get("rules") or []):
        paths = ((rule or {}).get("http") or {}).get("paths") or []
        for path_index, http_path in enumerate(paths):
            service = ((http_path or {}).get("backend") or {}).get("service")
            if isinstance(service, dict):
                yield f"spec.rules[{rule_index}].http.paths[{path_index}].backend.service", service
