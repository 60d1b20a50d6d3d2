"""
## What it does
Reports a Service whose selector matches the pod labels of no workload (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod) in the same render and namespace.
Services without a selector (endpoints managed elsewhere, ExternalName) are not checked.

The chart is not the whole cluster: labels a controller adds to its pods count
(`statefulset.kubernetes.io/pod-name: db-0` selects pod 0 of StatefulSet `db`;
`pod-template-hash`, `controller-revision-hash`, `job-name`), and so do pods an operator
creates for a custom resource of the render in the same namespace: one whose name is a
value of the selector (`alertmanager: main` for the Prometheus Operator's `Alertmanager`
"main"), or whose `spec.podMetadata.labels` / `spec.template.metadata.labels` match it. A
Service the chart places in another namespace than the release's (a monitoring chart's
Services for CoreDNS or the scheduler in `kube-system`) selects pods that namespace already
has: it is reported only when the chart's own pods with those labels are in another namespace.

## Why is this bad?
The Service gets no endpoints: clients resolve its name but every connection is refused or
times out. It happens when a template's selector labels drift from the pod template labels,
or when the workload is switched off while its Service is still rendered.

## Example
```yaml
kind: Service
spec:
  selector: {app.kubernetes.io/component: api}      # the pods are labelled component: server
```

## Use instead
```yaml
kind: Service
spec:
  selector: {app.kubernetes.io/component: server}   # built by the same helper as the pod labels
```
Render the Service under the same condition as its workload.

## References
- https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.selectors import operator_may_create, selector_text
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="service-selects-nothing",
    code="REF001",
    scope=Scope.OBJECT,
    kinds=("Service",),
    description="A Service selector matches the pods of no workload in the render.",
    remediation="Make the Service selector equal the pod template labels of the workload it fronts.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    selector = (manifest.obj.get("spec") or {}).get("selector")
    if not selector:
        return
    namespace = ctx.namespace_of(manifest.obj)
    if ctx.selected(selector, namespace):
        return
    if namespace != ctx.release_namespace and not _selected_elsewhere(selector, ctx):
        return  # the cluster's own pods there (kube-system), not the chart's
    if operator_may_create(selector, ctx.object_dicts, namespace, ctx.release_namespace) is None:
        yield Finding(
            f"no workload in namespace {namespace} has pods labelled {selector_text(selector)}",
            path="spec.selector",
        )


def _selected_elsewhere(selector: dict[str, Any], ctx: CheckContext) -> bool:
    """Whether workloads of the render in any namespace carry the selected labels."""
    namespaces = {ctx.namespace_of(obj) for obj in ctx.object_dicts}
    return any(ctx.selected(selector, namespace) for namespace in namespaces)
