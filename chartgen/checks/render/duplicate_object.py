"""
## What it does
Reports two rendered objects with the same API group, kind, namespace and name.

## Why is this bad?
Helm refuses to install a release that contains the same object twice; with
`kubectl apply` the second silently replaces the first.

## Example
Two templates both render `ConfigMap/certctl-server` when two features are on.

## Use instead
Give each object a distinct name (a component suffix), or render it from one template.

## References
- https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, RenderOutcome
from chartgen.findings import Finding


@check(
    id="duplicate-object",
    code="RND006",
    scope=Scope.RENDER,
    description="The same object (group, kind, namespace, name) is rendered more than once.",
    remediation="Give each object a unique name or render it from a single template.",
)
def run(outcome: RenderOutcome, ctx: CheckContext) -> Iterator[Finding]:
    first_seen: dict[tuple[str, str, str, str], str] = {}
    for manifest in outcome.manifests:
        obj = manifest.obj
        metadata = obj.get("metadata") or {}
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        key = (
            group,
            str(obj.get("kind", "")),
            str(metadata.get("namespace", "")),
            str(metadata.get("name", "")),
        )
        if key in first_seen:
            text = outcome.rendered.get(manifest.template, "")
            yield Finding(
                f"{key[1]}/{key[3]} is also rendered by {first_seen[key]}",
                kind=key[1],
                name=key[3],
                template=manifest.template,
                line=ctx.services.locator.source_line_of(manifest.template, text, manifest.line),
            )
        else:
            first_seen[key] = manifest.template
