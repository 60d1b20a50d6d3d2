"""
## What it does
Reports policy objects whose target is not in the render:
- a PodDisruptionBudget whose `selector` matches no pod template;
- a HorizontalPodAutoscaler whose `scaleTargetRef` names a kind and name not rendered;
- a NetworkPolicy whose non-empty `podSelector` matches no pod template (Pods included).

Empty selectors (every pod of the namespace) are not checked.

## Why is this bad?
The object is accepted and does nothing: the PDB protects no pods during node drains, the
HPA never scales (and reports `FailedGetScale`), the NetworkPolicy isolates nothing. Nothing
fails, so the protection the chart promises is silently missing — typically after a label or
name changes in the workload template but not in the policy's.

## Example
```yaml
kind: PodDisruptionBudget
spec:
  selector: {matchLabels: {app.kubernetes.io/component: api}}   # the pods say component: server
```

## Use instead
```yaml
kind: PodDisruptionBudget
spec:
  selector: {matchLabels: {app.kubernetes.io/component: server}}
```
Build the policy's selector with the same helper as the workload's, and render the policy
under the workload's condition.

## References
- https://kubernetes.io/docs/tasks/run-application/configure-pdb/
- https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
- https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.references import find_object
from chartgen.checks.objects.selectors import selected_workloads, selector_text
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Where each kind keeps the label selector of the pods it applies to.
SELECTOR_FIELDS = {"PodDisruptionBudget": "selector", "NetworkPolicy": "podSelector"}


@check(
    id="selector-targets-nothing",
    code="REF006",
    scope=Scope.OBJECT,
    kinds=("PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy"),
    description="A PodDisruptionBudget, HorizontalPodAutoscaler or NetworkPolicy targets nothing in the render.",
    remediation="Make the selector or scaleTargetRef match a workload the chart renders under the same conditions.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    kind = manifest.obj.get("kind")
    spec = manifest.obj.get("spec") or {}
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    objects = ctx.object_dicts
    if kind == "HorizontalPodAutoscaler":
        target = spec.get("scaleTargetRef") or {}
        target_kind, target_name = str(target.get("kind", "")), str(target.get("name", ""))
        if find_object(objects, target_kind, target_name, namespace, default) is None:
            yield Finding(
                f'{target_kind} "{target_name}" is not rendered in namespace {namespace}',
                path="spec.scaleTargetRef.name",
            )
        return
    field = SELECTOR_FIELDS[str(kind)]
    selector = spec.get(field)
    if selector_text(selector) and not selected_workloads(selector, objects, namespace, default):
        yield Finding(
            f"no pod template in namespace {namespace} has labels {selector_text(selector)}",
            path=f"spec.{field}",
        )
