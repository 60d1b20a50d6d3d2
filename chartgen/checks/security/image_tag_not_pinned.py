"""
## What it does
Reports container images, init containers included, that have no tag or the tag `latest`
and no digest. With the option `require_digest: true` every image that is not pinned by
digest (`@sha256:…`) is reported.

## Why is this bad?
An image without a tag means `latest`, and `latest` moves: two nodes can run different
code under one Deployment, a rollback does not roll back, and nobody can tell from the
manifest what runs. A version tag can still be re-pushed; only a digest names exactly one
image, which is what supply-chain policies ask for.

## Example
```yaml
containers:
  - name: server
    image: ghcr.io/certctl-io/certctl-server          # or …:latest
```

## Use instead
```yaml
containers:
  - name: server
    image: ghcr.io/certctl-io/certctl-server:v2.0.71  # or …@sha256:<digest>
```

## Options
- `require_digest` (boolean, default false): require an image digest (`@sha256:...`), not only a fixed tag.

## References
- https://kubernetes.io/docs/concepts/containers/images/#image-names
- https://kubernetes.io/docs/concepts/configuration/overview/#container-images
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
class ImageTagNotPinnedOptions:
    require_digest: bool = False


@check(
    id="image-tag-not-pinned",
    code="SEC010",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A container image has no tag or the tag latest, so what runs can change without a chart change.",
    remediation="Give every image an immutable version tag, or pin it by digest.",
    options=ImageTagNotPinnedOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        image = container.container.get("image")
        if not isinstance(image, str) or not image:
            continue  # no image at all: the API server rejects the pod, there is nothing to pin
        problem = _problem(image, require_digest=ctx.options.require_digest)
        if problem:
            yield Finding(f'{container.title} uses image "{image}" {problem}', path=f"{container.path}.image")


def _problem(image: str, *, require_digest: bool) -> str | None:
    name, _, digest = image.partition("@")
    if digest:
        return None  # a digest names one image, whatever the tag says
    tag = _tag(name)
    if tag is None:
        return "without a tag, which pulls latest"
    if tag == "latest":
        return "with the moving tag latest"
    return "without a digest" if require_digest else None


def _tag(name: str) -> str | None:
    """The tag of ``[registry[:port]/]repository[:tag]``: after a colon in the last path part."""
    return name.rsplit("/", 1)[-1].partition(":")[2] or None
