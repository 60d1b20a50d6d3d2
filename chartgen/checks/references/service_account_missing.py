"""
## What it does
Reports a pod whose `serviceAccountName` is neither a ServiceAccount in the render, nor
`default`, nor declared external. External names come from the values the render used, by
the rule of `missing-config-reference` (for example `serviceAccount: {create: false, name: ci}`),
and from the option `external`.

## Why is this bad?
The ReplicaSet, StatefulSet or Job controller cannot create the pods ("serviceaccount not
found"), so the workload never starts; only the controller's events say why. It happens when
the ServiceAccount template is switched off (`create: false`) and the pod still uses the
chart's generated name.

## Example
```yaml
{{- if .Values.serviceAccount.create }}
kind: ServiceAccount
metadata: {name: app}
{{- end }}
---
serviceAccountName: app          # also when create is false
```

## Use instead
```yaml
serviceAccountName: {{ if .Values.serviceAccount.create }}app{{ else }}{{ .Values.serviceAccount.name | default "default" }}{{ end }}
```

## Options
- `external` (list of strings, default empty): names of objects that exist outside the chart, in addition to those the values declare.

## References
- https://kubernetes.io/docs/concepts/security/service-accounts/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, pod_spec
from chartgen.checks.objects.references import ExternalOptions, declared_external, find_object
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="service-account-missing",
    code="REF005",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A pod runs as a ServiceAccount that is neither rendered, nor default, nor declared external.",
    remediation="Render the ServiceAccount whenever a pod uses it, or fall back to the name the operator gives.",
    options=ExternalOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    name = pod.spec.get("serviceAccountName") if pod else None
    if pod is None or not name or name == "default":
        return
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    if name in declared_external(ctx):
        return
    if find_object((m.obj for m in ctx.objects), "ServiceAccount", str(name), namespace, default) is None:
        yield Finding(
            f'ServiceAccount "{name}" is not rendered in namespace {namespace} and not declared external',
            path=f"{pod.path}.serviceAccountName",
        )
