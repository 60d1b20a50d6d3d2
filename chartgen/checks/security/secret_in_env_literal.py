"""
## What it does
Reports environment variables, in containers and init containers, that carry a secret in a
literal `value` instead of taking it from a Secret with `valueFrom`:

- a variable whose name says it is a secret (a word such as `password`, `secret`, `token`,
  `credentials`, `api_key`, `private_key`, `encryption_key`, also glued to a prefix as in
  `PGPASSWORD`; not when the last word says the value only describes the secret, as in
  `…_PATH`, `…_FILE`, `…_DIR`, `…_URL`) with a non-empty value that takes nothing from
  another variable through `$(VAR)` and is not a switch (`yes`, `no`, `true`, `false`, `on`,
  `off`, `0`, `1`: `ALLOW_EMPTY_PASSWORD=no` configures a password, it is not one);
- any variable whose value contains a PEM private key block or a URL with a password,
  whatever its name.

## Why is this bad?
A literal value is part of the workload object: everyone who may read Deployments (the
built-in `view` role included) sees it, `kubectl describe pod` prints it, and it is
stored unencrypted with the object. It also sits in the chart's values, so it is usually a
default shared by every installation.

## Example
```yaml
env:
  - name: PGPASSWORD
    value: "changeme"
```

## Use instead
```yaml
env:
  - name: PGPASSWORD
    valueFrom:
      secretKeyRef: {name: certctl-postgres, key: password}
```

## References
- https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
- https://kubernetes.io/docs/concepts/security/secrets-good-practices/
"""

from __future__ import annotations

from collections.abc import Iterator

from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext
from chartgen.checks.objects.env import variable_references
from chartgen.checks.objects.pods import WORKLOAD_KINDS, containers, pod_spec
from chartgen.checks.security.secret_like import names_a_secret, secret_in_value
from chartgen.findings import Finding
from chartgen.manifests import Manifest

# Values that turn a feature on or off: a variable holding one configures a secret, it is none.
SWITCH_VALUES = frozenset({"yes", "no", "true", "false", "on", "off", "0", "1", "enabled", "disabled"})


@check(
    id="secret-in-env-literal",
    code="SEC013",
    scope=Scope.OBJECT,
    kinds=WORKLOAD_KINDS,
    description="An environment variable carries a secret as a literal value.",
    remediation="Put the secret in a Secret and read it with valueFrom.secretKeyRef.",
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    pod = pod_spec(manifest.obj)
    if pod is None:
        return
    for container in containers(pod):
        for index, env in enumerate(container.container.get("env") or []):
            if not isinstance(env, dict) or env.get("value") is None or "valueFrom" in env:
                continue
            name, value = str(env.get("name", "")), str(env["value"])
            held = secret_in_value(value)
            if held:
                problem = f"holds {held}"
            elif (
                value.strip()
                and value.strip().lower() not in SWITCH_VALUES
                and names_a_secret(name)
                and not variable_references(value)
            ):
                problem = "is set to a literal value and its name says it is a secret"
            else:
                continue
            yield Finding(
                f"{name} of {container.title} {problem}", path=f"{container.path}.env[{index}].value"
            )
