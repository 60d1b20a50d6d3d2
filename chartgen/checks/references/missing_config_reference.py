"""
## What it does
Reports a pod's reference to a ConfigMap or Secret — `env[].valueFrom.configMapKeyRef` /
`secretKeyRef`, `envFrom[].configMapRef` / `secretRef`, `configMap` and `secret` volumes and
projected volume sources — whose object the render does not contain, or whose `key` /
`items[].key` that object does not have. Objects made at install time count as rendered
(their keys are not checked): a Secret that a rendered cert-manager `Certificate` writes
(`spec.secretName`), and a ConfigMap or Secret whose name the chart's own hook Job (or Pod)
is given in its command, args or env (a certificate generator creating a webhook's Secret).

References marked `optional: true` are fine, and so are objects declared external, found in
the values the render used (the chart's defaults with the scenario's values): any string under
a key containing "existing" (`existingSecret`, `existingClaim`), a `secretName` value, the
`name` of an object whose key contains "secret" or "configMap" (`caSecret.name`,
`secretKeyRef.name` in extra env), the `name` next to a `key` (`caBundle: {name, key}`) or next
to `create: false`; and the names in the option `external`. Keys of external objects are not
checked: the chart cannot know them.

## Why is this bad?
The kubelet cannot start the container: the pod hangs in `CreateContainerConfigError` (env)
or `ContainerCreating` (volumes). A key that a template writes only under a condition — an API
key emitted only when its value is set — breaks exactly the installs that leave it unset.

## Example
```yaml
kind: Secret
metadata: {name: app}
data: {}                       # "api-key" is written only when .Values.apiKey is set
---
env:
  - name: API_KEY
    valueFrom: {secretKeyRef: {name: app, key: api-key}}
```

## Use instead
```yaml
kind: Secret
metadata: {name: app}
data:
  api-key: {{ required "apiKey is required" .Values.apiKey | b64enc }}
```
Or mark the reference `optional: true` when the program copes without it.

## Options
- `external` (list of strings, default empty): names of objects that exist outside the chart, in addition to those the values declare.

## References
- https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
- https://kubernetes.io/docs/concepts/configuration/configmap/#optional-configmaps
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.pods import WORKLOAD_KINDS, namespace_of, pod_spec
from chartgen.checks.objects.references import (
    ConfigReference,
    ExternalOptions,
    config_references,
    created_by_hook,
    declared_external,
)
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Where each kind keeps its keys.
KEY_FIELDS = {"ConfigMap": ("data", "binaryData"), "Secret": ("data", "stringData")}


@check(
    id="missing-config-reference",
    code="REF004",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A pod references a ConfigMap or Secret, or a key of one, that the render does not contain.",
    remediation="Render the object and key under the same conditions as the reference, or mark the reference optional.",
    options=ExternalOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    default = ctx.release_namespace
    namespace = ctx.namespace_of(manifest.obj)
    external = declared_external(ctx)
    objects = ctx.object_dicts
    for reference in config_references(pod):
        if reference.optional or reference.name in external:
            continue
        target = ctx.find(reference.kind, reference.name, namespace)
        if target is None:
            if not (
                _written_by_certificate(reference, objects, namespace, default)
                or created_by_hook(reference.name, objects, namespace, default)
            ):
                yield Finding(
                    f'{reference.kind} "{reference.name}" is not rendered in namespace {namespace} '
                    "and not declared external",
                    path=reference.path,
                )
            continue
        keys = {key for field in KEY_FIELDS[reference.kind] for key in (target.get(field) or {})}
        for key, path in reference.keys:
            if key not in keys:
                yield Finding(f'{reference.kind} "{reference.name}" has no key "{key}"', path=path)


def _written_by_certificate(
    reference: ConfigReference, objects: list[dict[str, Any]], namespace: str, default: str
) -> bool:
    """Whether a rendered cert-manager Certificate makes this Secret."""
    return reference.kind == "Secret" and any(
        obj.get("kind") == "Certificate"
        and str(obj.get("apiVersion", "")).startswith("cert-manager.io/")
        and namespace_of(obj, default) == namespace
        and (obj.get("spec") or {}).get("secretName") == reference.name
        for obj in objects
    )
