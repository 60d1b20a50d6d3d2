"""
## What it does
Parses each literal value a certctl container gets (in `env`, or from a rendered ConfigMap or
Secret it reads with `envFrom`) the way certctl parses that variable (`schemas/catalog/env.yaml`
type, allowed `values` and `url_schemes`): integers as Go's `strconv.Atoi`, floats as
`strconv.ParseFloat`, durations as `time.ParseDuration`, booleans as the reading binary does
(the server takes only `true`, `1` and `yes` as true; the agent also `t`, `on` and any case),
enumerations against the values the server accepts, URLs by scheme and host. Values from
`valueFrom` references are not known and not judged. Without a catalog the check reports
nothing.

## Why is this bad?
certctl does not reject most bad values: an integer or duration that does not parse silently
becomes the default (`CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL=1d` runs every hour), and a
server boolean spelt `True` or `on` is false. An unknown enumeration value stops the server at
start-up, and an agent given an `http://` server URL exits.

## Example
```yaml
env:
  - {name: CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL, value: 1d}
  - {name: CERTCTL_NETWORK_SCAN_ENABLED, value: "True"}
```

## Use instead
```yaml
env:
  - {name: CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL, value: 24h}
  - {name: CERTCTL_NETWORK_SCAN_ENABLED, value: "true"}
```

## Options
- `images` (mapping, default `{certctl-server: server, certctl-agent: agent}`): which binary an image runs, by the last part of its repository.

## References
- https://pkg.go.dev/time#ParseDuration
- https://pkg.go.dev/strconv#Atoi
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from chartgen.catalog import EnvVar
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.contract.certctl import CertctlImagesOptions, certctl_containers, env_settings
from chartgen.checks.objects.pods import WORKLOAD_KINDS
from chartgen.findings import Finding
from chartgen.manifests import Manifest

_GO_INT = re.compile(r"[+-]?\d+")
_GO_FLOAT = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE)
_GO_DURATION = re.compile(r"[+-]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)")
# internal/config/config.go getEnvBool: true/1/yes are true, anything else is false.
_SERVER_BOOLS = frozenset({"true", "1", "yes", "false", "0", "no"})
# cmd/agent/main.go getEnvBoolDefault: case-insensitive, anything else keeps the default.
_AGENT_BOOLS = frozenset({"1", "t", "true", "yes", "on", "0", "f", "false", "no", "off"})


@check(
    id="env-value-invalid",
    code="CON005",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="A certctl container gets a variable whose value certctl does not parse as intended.",
    remediation="Write the value in the form certctl parses (Go integer, duration, boolean, an allowed value).",
    options=CertctlImagesOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.services.env_catalog
    if catalog is None:
        return
    for found in certctl_containers(manifest, ctx):
        for setting in env_settings(found.container, ctx):
            var = catalog.lookup(setting.name)
            if var is None or not setting.value or found.binary not in var.binaries:
                continue
            problem = _problem(var, setting.value, found.binary)
            if problem:
                yield Finding(f"{setting.name}={setting.value!r}: {problem}", path=setting.path)


def _problem(var: EnvVar, value: str, binary: str) -> str | None:
    """Why certctl's ``binary`` would not read ``value`` as written, or None."""
    fallback = (
        f"certctl ignores it and uses the default {var.default!r}" if var.default else "certctl ignores it"
    )
    if var.type == "int" and not _GO_INT.fullmatch(value):
        return f"not a Go integer; {fallback}"
    if var.type == "float" and not _GO_FLOAT.fullmatch(value):
        return f"not a number; {fallback}"
    if var.type == "duration" and not _GO_DURATION.fullmatch(value):
        return f"not a Go duration (units ns, us, ms, s, m, h); {fallback}"
    if var.type == "bool":
        return _bool_problem(value, binary)
    if var.values and value not in var.values:
        return f"not one of {', '.join(var.values)}; the server refuses to start"
    if var.url_schemes:
        parts = urlsplit(value)
        if parts.scheme not in var.url_schemes or not parts.netloc:
            return f"not a {' or '.join(var.url_schemes)} URL with a host"
    return None


def _bool_problem(value: str, binary: str) -> str | None:
    if binary == "agent":
        return (
            None
            if value.strip().lower() in _AGENT_BOOLS
            else "not a boolean the agent reads; it keeps the default"
        )
    if value in _SERVER_BOOLS:
        return None
    return f"the {binary} reads only true, 1 or yes as true: this value means false"
