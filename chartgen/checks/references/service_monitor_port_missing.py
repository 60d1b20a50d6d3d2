"""
## What it does
Reports a ServiceMonitor (`monitoring.coreos.com/v1`) whose `selector` matches no Service
of the render in the namespaces it watches (`namespaceSelector`; its own namespace when
unset), or whose endpoint `port` names a port that none of the matched Services has.

A ServiceMonitor that watches other namespaces than the release's (`namespaceSelector.any`,
`matchNames` such as `default` or `kube-system`, or one placed in another namespace) scrapes
Services of the cluster — `default/kubernetes`, the kubelet, CoreDNS — that no chart renders:
only the endpoint ports of the Services the render has are checked for it. The API
server's Service `default/kubernetes` counts as rendered.

## Why is this bad?
The Prometheus Operator generates a scrape job without targets: nothing is scraped, no error
is shown, and alerts on the missing metrics stay silent (an `absent()` alert is the only
witness). Service port names are easy to change in one template and not the other.

## Example
```yaml
kind: ServiceMonitor
spec:
  selector: {matchLabels: {app.kubernetes.io/component: server}}
  endpoints: [{port: metrics}]      # the Service's port is named "http"
```

## Use instead
```yaml
  endpoints: [{port: http}]
```

## References
- https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitorSpec
- https://prometheus-operator.dev/docs/developer/troubleshooting/#troubleshooting-servicemonitor-changes
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import name_of, namespace_of
from chartgen.checks.objects.selectors import selector_text, selects
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Services every cluster has: the API server's, in "default" (the release's namespace when a
# chart is installed there).
CLUSTER_SERVICES = (
    {
        "kind": "Service",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"},
        },
        "spec": {"ports": [{"name": "https", "port": 443}]},
    },
)


@check(
    id="service-monitor-port-missing",
    code="REF007",
    scope=Scope.OBJECT,
    kinds=("ServiceMonitor",),
    description="A ServiceMonitor selects no rendered Service, or names a port its Services do not have.",
    remediation="Match the selector to the Service labels and name an endpoint port the Service declares.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    if not str(manifest.obj.get("apiVersion", "")).startswith("monitoring.coreos.com/"):
        return
    spec = manifest.obj.get("spec") or {}
    selector = spec.get("selector") or {}
    default = ctx.release_namespace
    watched = _watched_namespaces(spec.get("namespaceSelector") or {}, namespace_of(manifest.obj, default))
    services = [
        obj
        for obj in (*ctx.object_dicts, *CLUSTER_SERVICES)
        if obj.get("kind") == "Service"
        and (watched is None or namespace_of(obj, default) in watched)
        and (
            not selector_text(selector) or selects(selector, (obj.get("metadata") or {}).get("labels") or {})
        )
    ]
    if not services and not _watches_outside_release(watched, ctx.release_namespace):
        where = "any namespace" if watched is None else f"namespace {', '.join(sorted(watched))}"
        labels = f" has labels {selector_text(selector)}" if selector_text(selector) else " is rendered"
        yield Finding(f"no Service in {where}{labels}", path="spec.selector")
    if not services:
        return
    port_names = {
        p.get("name")
        for s in services
        for p in (s.get("spec") or {}).get("ports") or []
        if isinstance(p, dict)
    }
    selected = ", ".join(f"Service/{name_of(s)}" for s in services)
    for index, endpoint in enumerate(spec.get("endpoints") or []):
        port = (endpoint or {}).get("port")
        if port is not None and port not in port_names:
            yield Finding(f'no port named "{port}" in {selected}', path=f"spec.endpoints[{index}].port")


def _watched_namespaces(namespace_selector: dict[str, Any], own: str) -> set[str] | None:
    """The namespaces whose Services a ServiceMonitor considers; None for all."""
    if namespace_selector.get("any"):
        return None
    return set(namespace_selector.get("matchNames") or []) or {own}


def _watches_outside_release(watched: set[str] | None, release_namespace: str) -> bool:
    """Whether Services the chart does not render can be among the watched ones: the cluster's
    own (``default/kubernetes``, kube-system) and those of other releases."""
    return watched is None or watched != {release_namespace}
