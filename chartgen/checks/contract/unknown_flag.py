"""
## What it does
Reads the arguments of each container that runs a certctl binary as the Go `flag` package
does (`-name`, `--name`, `--name=value`, up to the first non-flag or `--`) and checks each flag
against the binary's flags in `schemas/catalog/certctl.yaml`, at the certctl version the
container runs (its image tag when the catalog knows that release, else the chart's
appVersion). Arguments go to the binary only when the container has no `command` or its
command is the image's entrypoint; a shell wrapper is not judged. Without a catalog the check
reports nothing.

## Why is this bad?
`/app/agent` exits with "flag provided but not defined" on an unknown flag, and
`/app/server` reads no arguments at all: a server started with `--migrate-only` (a flag of an
unreleased certctl) ignores it and runs a full server, so a migration hook Job never
completes and `helm upgrade` times out.

## Example
```yaml
image: ghcr.io/certctl-io/certctl-server:v2.0.71
args: ["--migrate-only"]
```

## Use instead
Use only flags the binary has at the version it runs, or pin an image that has the flag.

## Options
- `images` (mapping, default `{certctl-server: server, certctl-agent: agent}`): which binary an image runs, by the last part of its repository.

## References
- https://pkg.go.dev/flag#hdr-Command_line_flag_syntax
- `scripts/certctl_catalog.py` (where each catalog entry comes from in certctl)
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.contract.certctl import CertctlContainer, CertctlImagesOptions, certctl_containers
from chartgen.checks.objects.pods import WORKLOAD_KINDS
from chartgen.findings import Finding
from chartgen.manifests import Manifest


@check(
    id="unknown-flag",
    code="CON004",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A certctl container gets a command-line flag its binary does not have at the version it runs.",
    remediation="Remove the flag, or run a certctl version that has it.",
    options=CertctlImagesOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.certctl_catalog
    if catalog is None:
        return
    for found in certctl_containers(manifest, ctx):
        if not found.runs_binary:
            continue
        for index, flag in _flags(found.container.container.get("args") or [], found, ctx):
            known = catalog.flag(found.binary, flag)
            path = f"{found.container.path}.args[{index}]"
            if known is None:
                yield Finding(f"{found.binary} has no flag {flag} ({found.at})", path=path)
            elif found.version and not catalog.releases.has(known.provenance, found.version):
                where = (
                    known.provenance.describe()
                    if known.provenance.since is None
                    else f"added in certctl {known.provenance.since}"
                )
                yield Finding(f"{found.binary} {flag} is not in {found.at}: it is {where}", path=path)


def _flags(args: list, found: CertctlContainer, ctx: CheckContext) -> Iterator[tuple[int, str]]:
    """(index, ``--name``) of each flag the Go flag package would parse."""
    skip_value = False
    for index, raw in enumerate(args):
        arg = str(raw)
        if skip_value:
            skip_value = False
            continue
        if arg == "--" or not arg.startswith("-") or arg == "-":
            return
        name, has_value = arg.lstrip("-").split("=", 1)[0], "=" in arg
        flag = f"--{name}"
        yield index, flag
        known = ctx.services.certctl_catalog.flag(found.binary, flag)
        # A non-boolean flag without "=value" takes the next argument as its value.
        skip_value = known is not None and known.type != "bool" and not has_value
