"""
## What it does
Compares every application environment variable the chart sets with the catalog of variables
the application's binaries read (`schemas/catalog/env.yaml`): names in containers' `env`, and
keys of ConfigMaps and Secrets that containers read with `envFrom`. A name with the catalog's
prefix (option `prefix`, default `CERTCTL_`) must be in the catalog; a name the catalog lists
as rejected (read by no code, though it looks real) is reported with the reason. Digits in
names count (`CERTCTL_ACME_SERVER_HTTP01_CONCURRENCY`), unlike in grep-based guards.

A container that runs certctl (see `required-env-missing` for how it is recognised) may get
only variables its binary reads (a server variable on an agent is as dead as a typo; a shell
wrapper's own script may read any), and only those its certctl version reads: the release of its image tag when the catalog
knows it, else the chart's appVersion. A variable added in a later release, or known only
from a seed document of an unreleased certctl commit, is reported with the release it needs.
Without a catalog the check reports nothing.

## Why is this bad?
The binary silently ignores a variable it does not read: the setting looks applied and is
not. Phantom names in a chart (a renamed variable, a typo) are the classic case, and so is a
chart that sets a variable of a newer certctl than the image it runs
(`CERTCTL_MIGRATIONS_VIA_HOOK` at v2.0.71: the servers migrate anyway).

## Example
```yaml
image: ghcr.io/certctl-io/certctl-server:v2.0.71
env:
  - name: CERTCTL_AGENT_POLL_INTERVAL   # no binary reads it
    value: 15s
  - name: CERTCTL_MIGRATIONS_VIA_HOOK   # in no certctl release
    value: "true"
```

## Use instead
Set a variable the binary reads at the version it runs, or drop the setting.

## Options
- `images` (mapping, default `{certctl-server: server, certctl-agent: agent}`): which binary an image runs, by the last part of its repository.
- `prefix` (string, default `CERTCTL_`): only variables whose name starts with it are compared with the catalog.

## References
- https://12factor.net/config
- `scripts/certctl_catalog.py` (where each catalog entry comes from in certctl)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.contract.certctl import CertctlContainer, CertctlImagesOptions, certctl_container
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.findings import Finding
from chartgen.manifests import Manifest

Runner = tuple[str | None, str | None]
"""What a certctl container runs: its binary (None under a shell wrapper, whose script may read
any variable) and its certctl version when known."""


@dataclass(frozen=True)
class UnknownEnvVarOptions(CertctlImagesOptions):
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
    if ctx.services.env_catalog is None:
        return
    for name, path, runners in _names(manifest, ctx):
        if name.startswith(ctx.options.prefix):
            yield from _judge(name, path, runners, ctx)


def _judge(name: str, path: str, runners: set[Runner], ctx: CheckContext) -> Iterator[Finding]:
    """Findings for one name given to ``runners`` (what the certctl containers that get it run)."""
    catalog = ctx.services.env_catalog
    var = catalog.lookup(name)
    if var is None:
        reason = catalog.rejected_reason(name)
        yield Finding(f"{name} is read by no certctl binary" + (f": {reason}" if reason else ""), path=path)
        return
    for binary in sorted({binary for binary, _ in runners if binary} - set(var.binaries)):
        yield Finding(
            f"{name} is read by the {', '.join(var.binaries)} binary, not by the {binary}", path=path
        )
    releases = ctx.services.certctl_catalog.releases if ctx.services.certctl_catalog else None
    for version in sorted({version for _, version in runners if version}):
        if releases is None or releases.has(var.provenance, version):
            continue
        if var.provenance.since is None:
            needs = f"it is {var.provenance.describe()}"
        else:
            needs = f"it needs certctl {var.provenance.since} or later"
        yield Finding(f"{name} is not read by certctl {version}: {needs}", path=path)


def _names(manifest: Manifest, ctx: CheckContext) -> Iterator[tuple[str, str, set[Runner]]]:
    """(name, path, the certctl containers that get it) for each variable set."""
    obj = manifest.obj
    if obj.get("kind") in ("ConfigMap", "Secret"):
        importers = list(_importers(obj, ctx))
        if importers:
            runners = {runner for runner in importers if runner}
            for field in ("data", "stringData"):
                for key in obj.get(field) or {}:
                    path = f'{field}["{key}"]' if not str(key).isidentifier() else f"{field}.{key}"
                    yield str(key), path, runners
        return
    pod = pod_spec(obj)
    if pod is None:
        return
    for container in containers(pod):
        runner = _runner(certctl_container(container, ctx))
        runners = {runner} if runner else set()
        for index, entry in enumerate(container.container.get("env") or []):
            if isinstance(entry, dict) and "name" in entry:
                yield str(entry["name"]), f"{container.path}.env[{index}].name", runners


def _runner(found: CertctlContainer | None) -> Runner | None:
    return (found.binary if found.runs_binary else None, found.version) if found else None


def _importers(obj: dict, ctx: CheckContext) -> Iterator[Runner | None]:
    """For each container of the render that imports this ConfigMap/Secret as variables (without
    a prefix): what it runs, or None when it is not a certctl container."""
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
                    yield _runner(certctl_container(container, ctx))
